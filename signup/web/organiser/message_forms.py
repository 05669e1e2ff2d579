"""The organiser's message form: subject, text, segment and when; Norwegian messages."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    StopValidation,
    ValidationError,
)

from ...clock import now
from ...core import announcements, segments
from ...core.eventschema import FIRST_YEAR, LAST_YEAR, MOMENT_FORMATS, MomentField
from ..public.forms import known_choice
from ..validators import no_control_characters, no_control_characters_in_lines

NOW, LATER = "now", "later"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _only_when_later(form, field) -> None:
    """The time counts only for a message sent later; then it must be given."""
    if form.when.data != LATER:
        field.errors[:] = []
        raise StopValidation()
    if not field.raw_data or not field.raw_data[0].strip():
        field.errors[:] = []
        raise StopValidation(_l("Skriv når meldingen skal sendes, f.eks. 2031-08-17T12:00."))


class MessageForm(FlaskForm):
    """A message to a segment of one event, sent now or at a local time in the future."""

    segment = SelectField(
        _l("Mottakere"),
        validators=[InputRequired(_l("Velg hvem meldingen skal til.")), known_choice],
        validate_choice=False,
    )
    subject = StringField(
        _l("Emne"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Skriv et emne.")),
            Length(
                max=announcements.SUBJECT_MAX,
                message=_l("Emnet kan være høyst %(max)d tegn.", max=announcements.SUBJECT_MAX),
            ),
            no_control_characters,
        ],
    )
    body = TextAreaField(
        _l("Melding"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Skriv meldingen.")),
            Length(
                max=announcements.BODY_MAX,
                message=_l("Meldingen kan være høyst %(max)d tegn.", max=announcements.BODY_MAX),
            ),
            no_control_characters_in_lines,
        ],
    )
    when = RadioField(
        _l("Når"),
        choices=[
            SelectChoice(NOW, _l("Send nå")),
            SelectChoice(LATER, _l("Send senere, på tidspunktet under")),
        ],
        default=NOW,
        validators=[
            InputRequired(_l("Velg når meldingen skal sendes.")),
            AnyOf([NOW, LATER], message=_l("Velg et av alternativene.")),
        ],
        validate_choice=False,
    )
    scheduled_at = MomentField(
        _l("Tidspunkt (lokal tid for møtet)"),
        format=MOMENT_FORMATS,
        validators=[_only_when_later],
        render_kw={"step": 60},
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.segment.choices = [(segment.key, segment.words) for segment in segments.choices(event)]

    def validate_scheduled_at(self, field) -> None:
        if field.data is None:
            return  # what could not be read is already said
        if not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(_l("Velg en dato mellom år 2000 og 2200."))
        if self.moment() <= now():
            raise ValidationError(_l("Tidspunktet har passert. Velg et tidspunkt fram i tid."))

    def moment(self) -> datetime | None:
        """The chosen time, aware in the event's zone (None: send now)."""
        if self.when.data != LATER or self.scheduled_at.data is None:
            return None
        return self.scheduled_at.data.replace(tzinfo=self.event.zone)
