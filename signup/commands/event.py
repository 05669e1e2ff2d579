"""Operator commands: `flask event ...`, `flask scheduler`."""

from __future__ import annotations

import difflib
import json
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .. import scheduler
from ..clock import now
from ..core import admission, audit, briefing, eventfile, events, waitlist
from ..extensions import db
from ..mail import outbox, render
from ..models import MessageState, OutboxMessage, Registration, State
from ..web.organiser.labels import STATE_LABELS

event_cli = AppGroup("event", help="Load events and see where they stand.")


def _event_or_fail(slug: str):
    event = events.by_slug(slug)
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    return event


def _when(moment, event) -> str:
    """A moment as the operator reads it: local to the event, with the zone's abbreviation."""
    return moment.astimezone(event.zone).strftime("%Y-%m-%d %H:%M %Z")


def _read_definition(path: Path, demo: bool) -> eventfile.EventDefinition:
    try:
        definition = eventfile.parse(path.read_text("utf-8"), current_app.config["TIMEZONE"])
    except (eventfile.EventFileError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: {error}") from error
    if demo:
        eventfile.shift_to_future(definition, now())
    return definition


def _echo_changes(event, found: list[events.Change]) -> None:
    click.echo(f"The file differs from event {event.slug} (times in {event.timezone}):")
    for change in found:
        if not events.is_text(change):
            before, after = (events.show(v, event.zone) for v in (change.before, change.after))
            click.echo(f"  {change.key}: {before} -> {after}")
            continue
        click.echo(f"  {change.key}:")
        lines = difflib.unified_diff(
            str(change.before or "").splitlines(), str(change.after or "").splitlines(), n=0
        )
        for line in lines:
            if not line.startswith(("---", "+++", "@@")):
                click.echo(f"    {line}")


@event_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Move the dates to a future day so sign-up is open.")
@click.option("--force", is_flag=True, help="Apply the file's changes to an existing event.")
@click.option("--create-only", is_flag=True, help="Leave an existing event exactly as it is.")
def load_event(path: Path, demo: bool, force: bool, create_only: bool) -> None:
    """Create an event from a TOML file; for an existing one (same slug) show what would change.

    The database keeps what organisers set in the dashboard: changes from the file are
    applied only with --force, through the admission rules, and written to the audit log.
    """
    definition = _read_definition(path, demo)
    event = events.by_slug(definition.values["slug"])
    try:
        if event is None:
            event = events.create(definition, audit.operator_name())
            starts = _when(event.starts_at, event)
            click.echo(f"created event {event.slug}: {event.title}, {starts}")
        elif create_only:
            click.echo(f"event {event.slug} exists and is left as it is (--create-only)")
        else:
            _update_event(event, definition, force)
    except eventfile.EventFileError as error:
        raise click.ClickException(f"{path}: {error}") from error


@event_cli.command("export")
@click.argument("slug")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
def export_event(slug: str, output: Path | None) -> None:
    """Print the event as a file `event load` reads (standard output, or -o FILE)."""
    text = eventfile.export(_event_or_fail(slug))
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, "utf-8")
    click.echo(f"wrote event {slug} to {output}", err=True)


def _update_event(event, definition: eventfile.EventDefinition, force: bool) -> None:
    found = events.changes(event, definition)
    if not found:
        click.echo(f"event {event.slug} already matches the file; nothing to change")
        return
    _echo_changes(event, found)
    if not force:
        raise click.ClickException(
            "nothing was changed: the database keeps what organisers set. "
            "Run again with --force to apply the changes above."
        )
    notices = events.calendar_notices(event, definition)
    applied, offers = events.apply(event.id, definition, audit.operator_name())
    click.echo(f"updated event {event.slug}: {len(applied)} change(s) applied and audited")
    if notices:
        click.echo(f"{notices} people with a seat are sent the new time or place with a calendar")
    if offers:
        click.echo(f"{offers} waitlist offer(s) sent for the new seats")


def status_data(event) -> dict:
    counts = {state.value: 0 for state in State}
    rows = []
    waiting = {r.id: pos for pos, r in enumerate(waitlist.waiting(event), start=1)}
    registrations = db.session.scalars(
        db.select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    )
    for registration in registrations:
        counts[registration.state.value] += 1
        rows.append(
            {
                "email": registration.email,
                "group": registration.group.key,
                "state": registration.state.value,
                "position": waiting.get(registration.id),
            }
        )
    return {"slug": event.slug, "capacity": event.capacity, "counts": counts, "registrations": rows}


@event_cli.command("status")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def event_status(slug: str, as_json: bool) -> None:
    """Print seats, counts per state and the waitlist."""
    event = _event_or_fail(slug)
    data = status_data(event)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    held = waitlist.held_seats(event)
    click.echo(f"{event.title} ({event.slug}), {_when(event.starts_at, event)}")
    click.echo(f"Seats: {held} held of {event.capacity}")
    if over := waitlist.overflow(event.capacity, held):
        click.echo(f"OVERFLOW: {over} more held than capacity; nobody was removed")
    for state, count in data["counts"].items():
        if count:
            # The dashboard's word beside the state ("transferred 1 (overført)").
            click.echo(f"  {state:<12} {count} ({STATE_LABELS[State(state)]})")
    waiting = [row for row in data["registrations"] if row["position"]]
    if waiting:
        click.echo("Waitlist:")
        for row in sorted(waiting, key=lambda row: row["position"]):
            click.echo(f"  {row['position']:>3}. {row['email']} ({row['group']})")


@event_cli.command("capacity")
@click.argument("slug")
@click.argument("capacity", type=click.IntRange(min=0))
def event_capacity(slug: str, capacity: int) -> None:
    """Set the number of seats; new seats are offered to the waitlist at once."""
    event = _event_or_fail(slug)
    offers = admission.set_capacity(event.id, capacity, by=audit.operator_name())
    held = waitlist.held_seats(event)
    click.echo(f"capacity of {slug} is now {capacity}; {held} seats held; {offers} offer(s) sent")
    if over := waitlist.overflow(capacity, held):
        click.echo(f"OVERFLOW: {over} more held than capacity; nobody was removed")


#: How long `briefing send` waits for other senders before it reports what is left.
SEND_WAIT_SECONDS = 120

briefing_cli = AppGroup("briefing", help="The day-before infection-control briefing.")


def _sample_registration(event) -> Registration:
    """The first admitted person, or a stand-in when nobody is admitted yet."""
    first = db.session.scalar(
        db.select(Registration)
        .where(Registration.event_id == event.id, Registration.state == State.ADMITTED)
        .order_by(Registration.id)
    )
    if first is not None:
        return first
    stand_in = Registration(
        event=event, group=event.groups[0], name="Ola Nordmann", email="ola@example.org"
    )
    stand_in.public_id = "preview"
    return stand_in


@briefing_cli.command("preview")
@click.argument("slug")
def briefing_preview(slug: str) -> None:
    """Print the briefing email (text part) as it will be sent."""
    event = _event_or_fail(slug)
    rendered = render.render("briefing", _sample_registration(event))
    click.echo(f"Subject: {rendered.subject}\n")
    click.echo(rendered.text)


def _unsent_briefings(event) -> tuple[int, bool]:
    """(briefings of this event not yet sent, whether another sender holds some now)."""
    rows = db.session.execute(
        db.select(OutboxMessage.claimed_until).where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.kind == "briefing",
            OutboxMessage.state.in_((MessageState.QUEUED, MessageState.RETRYING)),
        )
    ).all()
    return len(rows), any(claimed and claimed > now() for (claimed,) in rows)


@briefing_cli.command("send")
@click.argument("slug")
def briefing_send(slug: str) -> None:
    """Send the briefing now to every admitted person who has not had it."""
    event = _event_or_fail(slug)
    count = briefing.send_briefing(event.id, early=True, by=audit.operator_name())
    if not count:
        click.echo("nobody to brief: everyone admitted has had it (or the meeting has started)")
        return
    deadline = time.monotonic() + SEND_WAIT_SECONDS
    with click.progressbar(length=count, label="Sending briefings") as bar:
        while time.monotonic() < deadline:
            sent_here = outbox.deliver_due(limit=50)
            left, held_elsewhere = _unsent_briefings(event)
            bar.update(count - left - bar.pos)
            if not left or not (sent_here or held_elsewhere):
                break
            if not sent_here:
                time.sleep(0.2)  # another sender (the web app's worker) is sending them
    left, _ = _unsent_briefings(event)
    click.echo(f"{count - left} briefing(s) sent to {slug}; {left} waiting for a retry")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the sweeps (outbox, offers, reserves, briefings, purges) in the foreground."""
    click.echo("scheduler running; stop with Ctrl-C")
    scheduler.run_foreground(current_app._get_current_object())


def register(app: Flask) -> None:
    app.cli.add_command(event_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(briefing_cli)
