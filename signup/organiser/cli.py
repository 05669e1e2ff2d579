"""Operator commands: `flask organiser create EMAIL`, `flask organiser list`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from . import accounts

organiser_cli = AppGroup("organiser", help="Make and list organiser accounts.")


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise read the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""


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
    """Print every organiser's address and when the account was made."""
    for organiser in accounts.all_organisers():
        click.echo(f"{organiser.email}\t{organiser.created_at:%Y-%m-%d %H:%M} UTC")


def register(app: Flask) -> None:
    app.cli.add_command(organiser_cli)
