"""Read an event definition (TOML) into checked values, or say which key on which line is wrong."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
GROUP_KEY = re.compile(r"^[a-z0-9_-]{1,40}$")
KNOWN_KEYS = {
    "slug", "title", "venue", "description", "timezone", "starts_at", "ends_at", "capacity",
    "registration_closes_at", "offer_hours", "quiet_hours", "priority_until", "reserved_seats",
    "briefing_at", "retention_days", "briefing", "groups", "organiser_name", "contact_email",
}  # fmt: skip


class EventFileError(ValueError):
    """A malformed event file; the message names the key and the line."""


@dataclass
class EventDefinition:
    values: dict
    groups: list[dict] = field(default_factory=list)


def _line_of(text: str, key: str, occurrence: int = 0) -> int | None:
    # [ \t]* rather than \s*: \s would match the newlines of blank lines above the key.
    pattern = re.compile(rf"^[ \t]*(\[\[{key}\]\]|{re.escape(key)}[ \t]*=)", re.MULTILINE)
    matches = list(pattern.finditer(text))
    if len(matches) > occurrence:
        return text.count("\n", 0, matches[occurrence].start()) + 1
    return None


class _Reader:
    def __init__(self, text: str, data: dict, zone: ZoneInfo | None = None):
        self.text, self.data, self.zone = text, data, zone

    def fail(self, key: str, problem: str, occurrence: int = 0, table: str | None = None):
        line = _line_of(self.text, table or key, occurrence)
        where = f" (line {line})" if line else ""
        raise EventFileError(f"{key}{where}: {problem}")

    def text_value(self, key: str, required=True, default="", limit=20000) -> str:
        value = self.data.get(key, None if required else default)
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(key, "must be a non-empty text" if required else "must be a text")
        if len(value) > limit:
            self.fail(key, f"must be at most {limit} characters")
        return value.strip()

    def number(self, key: str, default=None, kind=int, minimum=0):
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, "is required")
        if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
            self.fail(key, "must be a whole number" if kind is int else "must be a number")
        if value < minimum:
            self.fail(key, f"must be at least {minimum}")
        return kind(value)

    def moment(self, key: str, default=None) -> datetime | None:
        value = self.data.get(key, default)
        if value is None or isinstance(value, datetime) and value.tzinfo is not None:
            return value
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.fail(key, "must be a date and time, e.g. 2021-08-20T14:00:00")
        if not isinstance(value, datetime):
            self.fail(key, "must be a date and time, e.g. 2021-08-20T14:00:00")
        # A local date-time is read in the event's time zone.
        return value if value.tzinfo else value.replace(tzinfo=self.zone)


def parse(text: str, default_timezone: str = "Europe/Oslo") -> EventDefinition:
    """Check every key; raise EventFileError naming the first bad one and its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EventFileError(f"not valid TOML: {error}") from error
    reader = _Reader(text, data)
    for key in data:
        if key not in KNOWN_KEYS:
            reader.fail(key, "is not a known key")
    zone_name = data.get("timezone", default_timezone)
    try:
        reader.zone = ZoneInfo(zone_name) if isinstance(zone_name, str) else None
    except (ZoneInfoNotFoundError, ValueError):
        reader.zone = None
    if reader.zone is None:
        reader.fail("timezone", "must be an IANA time zone such as Europe/Oslo")
    slug = reader.text_value("slug", limit=80)
    if not SLUG.match(slug):
        reader.fail("slug", "may hold only a-z, 0-9 and '-'")
    values = _timing(reader) | {
        "slug": slug,
        "title": reader.text_value("title", limit=200),
        "venue": reader.text_value("venue", limit=200),
        "description": reader.text_value("description", required=False),
        "briefing": reader.text_value("briefing", required=False),
        "timezone": zone_name,
        "capacity": reader.number("capacity"),
        "offer_hours": reader.number("offer_hours", 24, kind=float, minimum=0.1),
        "reserved_seats": reader.number("reserved_seats", 0),
        "retention_days": reader.number("retention_days", 10),
    }
    values.update(_organiser(reader))
    quiet = data.get("quiet_hours", True)
    if not isinstance(quiet, bool):
        reader.fail("quiet_hours", "must be true or false")
    values["quiet_hours"] = quiet
    if values["reserved_seats"] > values["capacity"]:
        reader.fail("reserved_seats", "cannot be more than capacity")
    return EventDefinition(values=values, groups=_groups(reader))


def _timing(reader: _Reader) -> dict:
    starts = reader.moment("starts_at")
    ends = reader.moment("ends_at")
    if starts is None:
        reader.fail("starts_at", "is required")
    if ends is None or ends <= starts:
        reader.fail("ends_at", "is required and must be after starts_at")
    closes = reader.moment("registration_closes_at") or starts
    if closes > starts:
        reader.fail("registration_closes_at", "must not be after starts_at")
    priority_until = reader.moment("priority_until")
    briefing_at = reader.moment("briefing_at") or default_briefing_at(starts, reader.zone)
    return {
        "starts_at": starts,
        "ends_at": ends,
        "registration_closes_at": closes,
        "priority_until": priority_until,
        "briefing_at": briefing_at,
    }


def _organiser(reader: _Reader) -> dict:
    """Who runs the meeting and the address people reach them at (both optional)."""
    contact = reader.text_value("contact_email", required=False, limit=254)
    if contact:
        try:
            contact = validate_email(contact, check_deliverability=False).normalized
        except EmailNotValidError:
            reader.fail("contact_email", "must be an email address, e.g. post@profilgruppa.no")
    return {
        "organiser_name": reader.text_value("organiser_name", required=False, limit=200),
        "contact_email": contact,
    }


def default_briefing_at(starts: datetime, zone: ZoneInfo) -> datetime:
    """12:00 local time on the day before the meeting, right across summer-time changes."""
    day_before: date = starts.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day_before, time(12, 0), tzinfo=zone)


def _groups(reader: _Reader) -> list[dict]:
    groups = reader.data.get("groups")
    if not isinstance(groups, list) or not groups:
        reader.fail("groups", "needs at least one [[groups]] table with key, label and rank")
    seen: set[str] = set()
    result = []
    for index, group in enumerate(groups):
        sub = _Reader(reader.text, group if isinstance(group, dict) else {})
        key = group.get("key") if isinstance(group, dict) else None
        if not isinstance(key, str) or not GROUP_KEY.match(key) or key in seen:
            sub.fail("groups.key", "must be a unique short key (a-z, 0-9, _ or -)", index, "groups")
        label = group.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 200:
            sub.fail("groups.label", "must be a non-empty text", index, "groups")
        rank = group.get("rank")
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            sub.fail("groups.rank", "must be a whole number from 1", index, "groups")
        seen.add(key)
        result.append({"key": key, "label": label.strip(), "rank": rank})
    return result


def shift_to_future(definition: EventDefinition, at: datetime, lead_days: int = 14) -> None:
    """Move every date by whole weeks so the meeting starts at least `lead_days` ahead."""
    starts = definition.values["starts_at"]
    target = at + timedelta(days=lead_days)
    if starts >= target:
        return
    weeks = (target - starts).days // 7 + 1
    for key, value in definition.values.items():
        if isinstance(value, datetime):
            zone = value.tzinfo
            # Shift the local wall-clock time, so 14:00 stays 14:00 across summer time.
            local = value.replace(tzinfo=None) + timedelta(weeks=weeks)
            definition.values[key] = local.replace(tzinfo=zone)
