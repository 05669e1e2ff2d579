"""gunicorn settings for the web (deploy/Procfile and pamelding-web.service start it so).

Sync workers serve one request at a time each, so a slow client holds a worker for as long
as it dawdles: the app listens on loopback only, behind a buffering reverse proxy (nginx
or Caddy, see the README) that reads whole requests before passing them on.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
#: A worker silent this long (seconds) is killed and replaced.
timeout = 30
#: On a restart or reload, requests in flight get this long to finish.
graceful_timeout = 20
#: No access log: links carry tokens in their paths (the proxy's log leaves them out).
accesslog = None
