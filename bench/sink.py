"""A local SMTP sink in its own process, so parsing mail takes no CPU from the load generator.

Prints one line per message received: `<monotonic seconds> <recipient> <link paths>`,
where the link paths are the /c/ (confirm) and /o/ (offer) links of the text part, or `-`.
Run `python -m bench.sink PORT [--links]`; it prints `ready` once it listens.
"""

from __future__ import annotations

import email
import re
import sys
import threading
import time

from aiosmtpd.controller import Controller

LINK = re.compile(rb"https?://[^\s<>\"]+?(/[co]/[A-Za-z0-9_.\-]+)")


class LineSink:
    def __init__(self, links: bool):
        self.links = links
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        found = "-"
        if self.links:
            message = email.message_from_bytes(envelope.original_content)
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    paths = LINK.findall(part.get_payload(decode=True) or b"")
                    found = ",".join(p.decode() for p in paths) or "-"
                    break
        line = f"{time.monotonic():.6f} {envelope.rcpt_tos[0]} {found}\n"
        with self.lock:
            sys.stdout.write(line)
            sys.stdout.flush()
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(LineSink("--links" in sys.argv), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
