"""Operator commands: `flask organiser create|list|password|disable|enable EMAIL`."""

from __future__ import annotations

import io
import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from ..core import accounts, audit
from ..core.lock import write_transaction

organiser_cli = AppGroup("organiser", help="Make, list, and lock organiser accounts.")


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise read the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return _first_line(sys.stdin).rstrip("\r") if sys.stdin is not None else ""


def _first_line(stream) -> str:
    """One line of `stream`, leaving the rest of a pipe to the next command of a script.

    A buffered readline would swallow the lines meant for the commands after this one.
    """
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):  # not a file (a test's stream)
        return stream.readline().rstrip("\n")
    line = bytearray()
    while (byte := os.read(descriptor, 1)) and byte != b"\n":
        line += byte
    return line.decode("utf-8", errors="replace")


def _account(email: str):
    try:
        return accounts.existing(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error


@organiser_cli.command("create")
@click.argument("email")
def create(email: str) -> None:
    """Create an organiser account; the password is asked for, or read from stdin."""
    password = _read_password()
    try:
        organiser = accounts.create_organiser(email, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created organiser {organiser.email}")


@organiser_cli.command("list")
def list_organisers() -> None:
    """Print every account's address, when it was made, its role and events, if disabled."""
    for organiser in accounts.all_organisers():
        scope = "all events" if organiser.all_events else f"{len(organiser.events)} event(s)"
        state = "" if organiser.is_active else "\tdisabled"
        click.echo(
            f"{organiser.email}\t{organiser.created_at:%Y-%m-%d %H:%M} UTC"
            f"\t{organiser.role}, {scope}{state}"
        )


@organiser_cli.command("password")
@click.argument("email")
def password(email: str) -> None:
    """Set a new password (asked for, or read from stdin); the account's sessions end."""
    organiser = _account(email)
    new_password = _read_password()  # before the write transaction: a prompt may take a while
    try:
        with write_transaction():
            accounts.set_password(organiser, new_password)
            audit.add_command("password", organiser)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"new password set for {organiser.email}; its sessions have ended")


@organiser_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Lock an account out: it cannot log in, and its sessions end at once."""
    organiser = _set_disabled(email, True)
    click.echo(f"disabled organiser {organiser.email}; its sessions have ended")


@organiser_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Let a disabled account log in again."""
    organiser = _set_disabled(email, False)
    click.echo(f"enabled organiser {organiser.email}")


def _set_disabled(email: str, disabled: bool):
    """Disable or enable the account at `email`, with its audit entry, in one transaction."""
    organiser = _account(email)
    with write_transaction():
        accounts.set_disabled(organiser, disabled)
        audit.add_command("disable" if disabled else "enable", organiser)
    return organiser


def register(app: Flask) -> None:
    app.cli.add_command(organiser_cli)
