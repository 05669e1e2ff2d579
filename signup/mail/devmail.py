"""Development only: an embedded SMTP sink and a page that shows what it received.

Messages are kept as .eml files under instance/dev-mailbox/, so every process of a
development server sees the same mailbox. Nothing here is registered outside development.
The sink greets with a name derived from that folder: a process finding the port taken can
tell this instance's sink (share it) from another program (stop, rather than mail into it).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from email import policy
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import Blueprint, Flask, abort, current_app, render_template

from ..clock import now

log = logging.getLogger(__name__)
bp = Blueprint("devmail", __name__, url_prefix="/dev")


def mailbox_dir(app: Flask) -> Path:
    return Path(app.instance_path) / "dev-mailbox"


class _FileHandler:
    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        stamp = now().strftime("%Y%m%dT%H%M%S%f")
        count = len(list(self.folder.glob("*.eml")))
        (self.folder / f"{stamp}-{count:06d}.eml").write_bytes(envelope.original_content)
        return "250 Message accepted for delivery"


class MailPortTaken(RuntimeError):
    """Another program listens on the dev mail sink's port; mail sent there would be lost."""


def _greeting(app: Flask) -> str:
    """The sink's name in its SMTP greeting: the same for every process of this instance."""
    folder = str(mailbox_dir(app).resolve()).encode("utf-8")
    return f"pamelding-devmail-{hashlib.sha256(folder).hexdigest()[:16]}"


def check_port(app: Flask) -> bool:
    """True if this instance's sink holds the port, False if it is free; else MailPortTaken."""
    host, port = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    try:
        with smtplib.SMTP(timeout=2) as probe:
            _code, greeting = probe.connect(host, port)
    except ConnectionRefusedError:
        return False  # free: the sink starts with the first request
    except (OSError, smtplib.SMTPException):
        greeting = b""  # something that is not an SMTP server, or one that does not answer
    if _greeting(app).encode() not in greeting:
        raise MailPortTaken(
            f"another program already listens on {host}:{port}, the development mail "
            "sink's port; mail sent there would never reach /dev/mailbox. Stop that "
            "program, or give this app a free port: MAIL_PORT=8026 make run"
        )
    return True


def start_sink(app: Flask) -> Controller | None:
    """Listen on MAIL_SERVER:MAIL_PORT (loopback); another process of this instance may be."""
    if check_port(app):
        log.info("dev mail sink already running on port %s", app.config["MAIL_PORT"])
        return None
    controller = Controller(
        _FileHandler(mailbox_dir(app)),
        hostname=app.config["MAIL_SERVER"],
        port=app.config["MAIL_PORT"],
        ident=_greeting(app),
    )
    try:
        controller.start()
    except (OSError, RuntimeError):  # another process of this instance was just quicker
        controller.loop.close()  # the loop it made for itself
        check_port(app)
        return None
    app.extensions["signup_devmail"] = controller
    return controller


def _read(path: Path):
    with path.open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle)


@bp.get("/mailbox")
def mailbox():
    files = sorted(mailbox_dir(current_app).glob("*.eml"), reverse=True)[:200]
    return render_template("dev/mailbox.html", messages=[(f.stem, _read(f)) for f in files])


@bp.get("/mailbox/<name>")
def message(name: str):
    path = mailbox_dir(current_app) / f"{name}.eml"
    if "/" in name or not path.is_file():
        abort(404)
    parsed = _read(path)
    html = parsed.get_body(("html",))
    text = parsed.get_body(("plain",))
    attachments = [part.get_filename() for part in parsed.iter_attachments()]
    return render_template(
        "dev/message.html",
        message=parsed,
        html=html.get_content() if html else None,
        text=text.get_content() if text else "",
        attachments=attachments,
    )
