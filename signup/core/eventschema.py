"""What an event is: its fields, defaults, limits and messages, for the file and the dashboard.

The event file (eventfile.py), its export and the organiser's event form all check an event
with `EventForm`, so a file and the form can never disagree.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
GROUP_KEY = re.compile(r"^[a-z0-9_-]{1,40}$")
MAX_CAPACITY = 100_000
MAX_TEXT = 20_000
#: Local date-times in the form, in the file (with seconds) and in the export.
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
DEFAULT_TIMEZONE = "Europe/Oslo"
FIRST_YEAR, LAST_YEAR = 2000, 2200
#: The keys that hold a moment, read and written in the event's time zone.
MOMENTS = ("starts_at", "ends_at", "registration_closes_at", "priority_until", "briefing_at")

REQUIRED = _l("Dette feltet må fylles ut.")
one_line = Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("Feltet kan ikke inneholde linjeskift."))
in_lines = Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", message=_l("Feltet kan ikke inneholde kontrolltegn.")
)


def _lines(value):
    """A text of several lines with LF line ends (browsers send CRLF), stripped."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _in_our_time(form, field) -> None:
    # Far-off years do not fit the database's UTC conversion; no meeting is held then.
    if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Velg en dato mellom år 2000 og 2200."))


class MomentField(DateTimeLocalField):
    """A local date and time; what cannot be read is named with an example."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            message = _l("Skriv dato og klokkeslett, f.eks. 2031-08-20T14:00.")
            raise ValueError(str(message)) from error


def _moment(label, required: bool = False) -> MomentField:
    first = InputRequired(REQUIRED) if required else Optional()
    return MomentField(
        label, format=MOMENT_FORMATS, validators=[first, _in_our_time], render_kw={"step": 60}
    )


def _whole(label, default, low: int, high: int, message) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[InputRequired(REQUIRED), NumberRange(low, high, message)],
    )


class GroupForm(Form):
    """One priority group: a short key, the label people choose, and its rank (1 first)."""

    key = StringField(
        _l("Nøkkel"),
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Regexp(GROUP_KEY, message=_l("Nøkkelen kan bare ha a–z, 0–9, _ og - (høyst 40 tegn).")),
        ],
    )
    label = StringField(
        _l("Navn på gruppen"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=200, message=_l("Høyst 200 tegn.")), one_line],
    )
    rank = IntegerField(
        _l("Rang"),
        default=1,
        validators=[
            Optional(),
            NumberRange(1, 99, _l("Rangen må være et helt tall fra 1 til 99.")),
        ],
    )


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class EventForm(FlaskForm):
    """Everything an event file holds, with the rules both the file and the dashboard follow."""

    title = StringField(
        _l("Tittel"),
        filters=[_stripped],
        validators=[
            InputRequired(REQUIRED),
            Length(max=200, message=_l("Høyst 200 tegn.")),
            one_line,
        ],
    )
    slug = StringField(
        _l("Adresse (slug)"),
        filters=[_stripped],
        validators=[
            InputRequired(REQUIRED),
            Regexp(SLUG, message=_l("Adressen kan bare ha a–z, 0–9 og - (høyst 80 tegn).")),
        ],
    )
    venue = StringField(
        _l("Sted"),
        filters=[_stripped],
        validators=[
            InputRequired(REQUIRED),
            Length(max=200, message=_l("Høyst 200 tegn.")),
            one_line,
        ],
    )
    timezone = StringField(_l("Tidssone"), default=DEFAULT_TIMEZONE, filters=[_stripped])
    starts_at = _moment(_l("Starter"), required=True)
    ends_at = _moment(_l("Slutter"), required=True)
    registration_closes_at = _moment(_l("Påmeldingen stenger (tomt: når møtet starter)"))
    capacity = _whole(
        _l("Antall plasser"),
        None,
        0,
        MAX_CAPACITY,
        _l("Antall plasser må være mellom 0 og 100 000."),
    )
    reserved_seats = _whole(
        _l("Plasser holdt av for prioriterte"), 0, 0, MAX_CAPACITY, _l("Må være 0 eller mer.")
    )
    priority_until = _moment(_l("Plassene holdes av til"))
    offer_hours = FloatField(
        _l("Svarfrist for tilbud om plass (timer)"),
        default=24.0,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(0.1, 24 * 14, _l("Svarfristen må være mellom 0,1 og 336 timer.")),
        ],
    )
    quiet_hours = BooleanField(_l("Nattero: 22–08 teller ikke i svarfristen"), default=True)
    briefing_at = _moment(_l("Smittevernsinformasjonen sendes (tomt: kl. 12 dagen før)"))
    retention_days = _whole(
        _l("Dager deltakerlisten beholdes etter møtet"),
        10,
        0,
        365,
        _l("Må være mellom 0 og 365 dager."),
    )
    description = TextAreaField(
        _l("Beskrivelse"),
        filters=[_lines],
        validators=[Length(max=MAX_TEXT, message=_l("Høyst 20 000 tegn.")), in_lines],
    )
    briefing = TextAreaField(
        _l("Smittevernsinformasjon (sendes dagen før møtet)"),
        filters=[_lines],
        validators=[Length(max=MAX_TEXT, message=_l("Høyst 20 000 tegn.")), in_lines],
    )
    organiser_name = StringField(
        _l("Arrangør"),
        filters=[_stripped],
        validators=[Length(max=200, message=_l("Høyst 200 tegn.")), one_line],
    )
    contact_email = EmailField(
        _l("Kontaktadresse (e-post)"),
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=254, message=_l("Høyst 254 tegn.")),
            Email(_l("Skriv en gyldig e-postadresse, f.eks. post@profilgruppa.no.")),
        ],
    )
    groups = FieldList(FormField(GroupForm), min_entries=1, max_entries=50)

    def validate_timezone(self, field) -> None:
        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(_l("Skriv en tidssone som Europe/Oslo.")) from error

    def validate_ends_at(self, field) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("Slutten må være etter starten."))

    def validate_registration_closes_at(self, field) -> None:
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_l("Påmeldingen kan ikke stenge etter at møtet starter."))

    def validate_groups(self, field) -> None:
        seen: set[str] = set()
        for entry in field.entries:
            group = entry.form
            if not group.label.data:
                continue
            key = group.key.data or group_key(group.label.data)
            if key in seen:
                raise ValidationError(_l("To grupper kan ikke ha samme nøkkel."))
            seen.add(key)
        if not seen:
            raise ValidationError(_l("Lag minst én gruppe."))


def group_key(label: str) -> str:
    """A key suggested from a group's label: "Sjømatklyngen" -> "sjomatklyngen"."""
    return slugify(label)[:40].strip("-") or "gruppe"


def slugify(title: str) -> str:
    """A web address suggested from a title: "Temamøte på Senja" -> "temamote-pa-senja"."""
    folded = title.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    folded = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return folded[:80].strip("-")
