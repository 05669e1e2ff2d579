"""Email: rendering, the outbox, the relay and the delivery worker; no core, no web."""
