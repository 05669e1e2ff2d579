"""Read an event file (TOML) and write one: checked by the one definition in eventschema.py.

A malformed file is refused naming the key, its line and the same Norwegian message the
dashboard's form shows for that field.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from email_validator import validate_email
from werkzeug.datastructures import MultiDict

from .eventschema import DEFAULT_TIMEZONE, MOMENTS, EventForm, group_key

#: The TOML types each key may hold; the form then checks the value itself.
TEXT, WHOLE, NUMBER, FLAG, MOMENT = (str,), (int,), (int, float), (bool,), (datetime, str)
KEY_TYPES = {
    "slug": TEXT, "title": TEXT, "venue": TEXT, "description": TEXT, "briefing": TEXT,
    "timezone": TEXT, "organiser_name": TEXT, "contact_email": TEXT,
    "capacity": WHOLE, "reserved_seats": WHOLE, "retention_days": WHOLE,
    "offer_hours": NUMBER, "quiet_hours": FLAG, "groups": (list,),
} | dict.fromkeys(MOMENTS, MOMENT)  # fmt: skip
GROUP_TYPES = {"key": TEXT, "label": TEXT, "rank": WHOLE}
TYPE_MESSAGES = {
    TEXT: "må være en tekst",
    WHOLE: "må være et helt tall",
    NUMBER: "må være et tall",
    FLAG: "må være true eller false",
    MOMENT: "må være dato og klokkeslett, f.eks. 2021-08-20T14:00:00",
    (list,): "trenger minst én [[groups]]-tabell med key, label og rank",
}
#: The order keys are written in by `export`.
FILE_ORDER = (
    "slug", "title", "venue", "organiser_name", "contact_email", "timezone", *MOMENTS[:3],
    "capacity", "priority_until", "reserved_seats", "offer_hours", "quiet_hours", "briefing_at",
    "retention_days", "description", "briefing",
)  # fmt: skip
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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


def _fail(text: str, key: str, problem: str, occurrence: int = 0, table: str | None = None):
    line = _line_of(text, table or key, occurrence)
    where = f" (line {line})" if line else ""
    raise EventFileError(f"{key}{where}: {problem}")


def parse(text: str, default_timezone: str = DEFAULT_TIMEZONE) -> EventDefinition:
    """Check every key; raise EventFileError naming the first bad one and its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EventFileError(f"not valid TOML: {error}") from error
    _check_types(text, data)
    form = EventForm(formdata=_formdata(data, default_timezone), meta={"csrf": False})
    if not form.validate():
        _fail_first(text, form)
    return definition(form)


def _check_types(text: str, data: dict) -> None:
    for key, value in data.items():
        if key not in KEY_TYPES:
            _fail(text, key, "er ikke en kjent nøkkel")
        if isinstance(value, bool) != (KEY_TYPES[key] is FLAG) or not isinstance(
            value, KEY_TYPES[key]
        ):
            _fail(text, key, TYPE_MESSAGES[KEY_TYPES[key]])
    for index, group in enumerate(data.get("groups") or [None]):
        if not isinstance(group, dict):
            _fail(text, "groups", TYPE_MESSAGES[(list,)])
        for key, kind in GROUP_TYPES.items():
            value = group.get(key)
            if key == "key" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, kind):
                _fail(text, f"groups.{key}", TYPE_MESSAGES[kind], index, "groups")
        if not group["label"].strip():
            _fail(text, "groups.label", "Dette feltet må fylles ut.", index, "groups")


def _formdata(data: dict, default_timezone: str) -> MultiDict:
    """The file's values as the dashboard's form would post them."""
    zone_name = data.get("timezone", default_timezone)
    posted = MultiDict({"timezone": zone_name})
    for key, value in data.items():
        if isinstance(value, bool):
            if value:
                posted[key] = "y"
        elif isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(_zone_or_utc(zone_name)).replace(tzinfo=None)
            posted[key] = value.isoformat(timespec="seconds")
        elif key != "groups":
            posted[key] = str(value)
    if "quiet_hours" not in data:
        posted["quiet_hours"] = "y"
    # A key the file leaves out takes the form's default (reserved_seats = 0, ...), as the
    # dashboard's form shows it filled in.
    for default in EventForm(formdata=None, meta={"csrf": False}):
        if _fills_a_gap(default, posted):
            posted[default.name] = str(default.data)
    for index, group in enumerate(data.get("groups", [])):
        for key in GROUP_TYPES:
            posted[f"groups-{index}-{key}"] = str(group.get(key, ""))
    return posted


def _fills_a_gap(default, posted: MultiDict) -> bool:
    """Whether the form field's default stands in for a key the file left out."""
    value = default.data
    missing = default.name not in posted and default.name != "groups"
    return missing and value is not None and not isinstance(value, bool)


def _zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _fail_first(text: str, form: EventForm) -> None:
    for name, problems in form.errors.items():
        if name != "groups":
            _fail(text, name, str(problems[0]))
        for index, problem in enumerate(problems):
            if not isinstance(problem, dict):
                _fail(text, "groups", str(problem))
            for key, messages in problem.items():
                _fail(text, f"groups.{key}", str(messages[0]), index, "groups")


def definition(form: EventForm) -> EventDefinition:
    """The checked values of a valid form: moments aware in the event's zone, defaults filled."""
    zone = ZoneInfo(form.timezone.data)
    moments = {key: _aware(form[key].data, zone) for key in MOMENTS}
    moments["registration_closes_at"] = moments["registration_closes_at"] or moments["starts_at"]
    moments["briefing_at"] = moments["briefing_at"] or default_briefing_at(
        moments["starts_at"], zone
    )
    contact = form.contact_email.data or ""
    if contact:
        contact = validate_email(contact, check_deliverability=False).normalized
    values = moments | {
        "slug": form.slug.data,
        "title": form.title.data,
        "venue": form.venue.data,
        "description": form.description.data or "",
        "briefing": form.briefing.data or "",
        "timezone": form.timezone.data,
        "capacity": form.capacity.data,
        "offer_hours": float(form.offer_hours.data),
        "reserved_seats": form.reserved_seats.data,
        "retention_days": form.retention_days.data,
        "quiet_hours": bool(form.quiet_hours.data),
        "organiser_name": form.organiser_name.data or "",
        "contact_email": contact,
    }
    return EventDefinition(values=values, groups=_groups(form))


def _aware(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    # A local date-time is read in the event's time zone.
    return value.replace(tzinfo=zone) if value else None


def _groups(form: EventForm) -> list[dict]:
    return [
        {
            "key": entry.form.key.data or group_key(entry.form.label.data),
            "label": entry.form.label.data,
            "rank": entry.form.rank.data or 1,
        }
        for entry in form.groups.entries
        if entry.form.label.data
    ]


def default_briefing_at(starts: datetime, zone: ZoneInfo) -> datetime:
    """12:00 local time on the day before the meeting, right across summer-time changes."""
    day_before: date = starts.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day_before, time(12, 0), tzinfo=zone)


def form_data(event) -> dict:
    """An event's values as the form holds them: local moments without a zone, groups listed."""
    values = {key: getattr(event, key) for key in FILE_ORDER}
    for key in MOMENTS:
        if values[key] is not None:
            values[key] = values[key].astimezone(event.zone).replace(tzinfo=None)
    values["groups"] = [{"key": g.key, "label": g.label, "rank": g.rank} for g in event.groups]
    return values


def export(event) -> str:
    """The event as a file of the same schema: loading it again changes nothing."""
    values = form_data(event)
    lines = [f"# {event.title}: exported from the database; times are local to `timezone`."]
    for key in FILE_ORDER:
        if values[key] is not None:
            lines.append(f"{key} = {_toml_value(values[key])}")
    for group in values["groups"]:
        lines += ["", "[[groups]]"] + [f"{k} = {_toml_value(v)}" for k, v in group.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, int | float):
        return repr(value)
    if "\n" in value and not CONTROL.search(value):
        escaped = value.replace("\\", "\\\\").replace('"""', '""\\"')
        return f'"""\n{escaped}\n"""'
    return json.dumps(value, ensure_ascii=False)


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
