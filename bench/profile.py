"""Profile one step of the product in process with pyinstrument (for finding hot spots).

python -m bench.profile {form,submit,confirm,mail} [--n 200]
"""

from __future__ import annotations

import argparse
import re

from pyinstrument import Profiler

from signup import tokens
from signup.mail import outbox
from signup.models import State

from .common import Sink, Site, confirm_in_client, free_port
from .population import add_registrations, product_app, public_ids, the_event

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["form", "submit", "confirm", "mail"])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    sink = Sink()
    site = Site(args.n, None, sink.port, free_port())
    app = product_app(site, background=False)
    client = app.test_client()
    url = "/events/bench-rush/"
    profiler = Profiler()
    try:
        if args.step in ("form", "submit"):
            pages = []
            if args.step == "form":
                profiler.start()
            for _ in range(args.n):
                pages.append(client.get(url).get_data(as_text=True))
            profiler.stop() if profiler.is_running else None
            if args.step == "submit":
                profiler.start()
                for i, page in enumerate(pages):
                    data = {
                        "csrf_token": CSRF.search(page).group(1),
                        "name": "P",
                        "email": f"p{i}@prof.no",
                        "organisation": "X",
                        "group": "andre",
                        "consent": "y",
                    }
                    assert client.post(url, data=data).status_code == 303
                profiler.stop()
        else:
            with app.app_context():
                event = the_event()
                ids = public_ids(add_registrations(event, args.n, State.UNCONFIRMED))
                links = [tokens.sign(tokens.CONFIRM, i) for i in ids]
            if args.step == "confirm":
                profiler.start()
                for link in links:
                    assert confirm_in_client(client, f"/c/{link}") == 200
                profiler.stop()
            else:
                for link in links:
                    confirm_in_client(client, f"/c/{link}")
                with app.app_context():
                    profiler.start()
                    while outbox.deliver_due():
                        pass
                    profiler.stop()
    finally:
        sink.stop()
        site.cleanup()
    print(profiler.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()
