"""Operator commands for the outbox: `flask outbox retry --failed [--event SLUG]`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..core import audit, events, mailings

outbox_cli = AppGroup("outbox", help="See to the email outbox.")


@outbox_cli.command("retry")
@click.option("--failed", is_flag=True, help="Send again every message that failed for good.")
@click.option("--event", "slug", metavar="SLUG", help="Only this event's messages.")
def retry(failed: bool, slug: str | None) -> None:
    """Send failed messages again (after a relay outage or a fixed address), audited."""
    if not failed:
        raise click.UsageError("say which messages to send again: --failed")
    event = None
    if slug is not None:
        event = events.by_slug(slug)
        if event is None:
            raise click.ClickException(f"no event with slug {slug!r}")
    count = mailings.requeue_failed(event, by=audit.operator_name())
    click.echo(f"{count} failed message(s) queued to be sent again")


def register(app: Flask) -> None:
    """Add the `flask outbox` commands."""
    app.cli.add_command(outbox_cli)
