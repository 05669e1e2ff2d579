"""What the tests stand on, one module per thing provided.

- databases: the app on a real SQLite file or PostgreSQL (`app`, `client`, `runner`, `backend`)
- mailbox: a real SMTP sink (`smtp`) and reading what it received
- clock: the settable clock (`frozen_clock`) and the moments tests start from
- factories: events, sign-ups and bulk rows, made the way the product makes them
- http: filling and posting forms as a browser would
- organiser: an organiser account and a logged-in client
- processes: production-like subprocesses (gunicorn, `flask scheduler`) and their logs

tests/conftest.py registers the fixtures and re-exports the helpers, so tests import them
from `conftest` (or from here).
"""
