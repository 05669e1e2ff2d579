"""The policy: seat decisions, sign-ups, events and what the sweeps do; no web, no rendering."""
