"""Organiser forms, with Norwegian messages at the fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..public.forms import REQUIRED, known_choice

MAX_CAPACITY = 100_000


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "E-post",
        validators=[DataRequired(REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Passord",
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class CapacityForm(FlaskForm):
    """The number of seats."""

    capacity = IntegerField(
        "Antall plasser",
        validators=[
            InputRequired("Skriv inn antall plasser."),
            NumberRange(0, MAX_CAPACITY, "Antall plasser må være mellom 0 og 100 000."),
        ],
    )


class TextsForm(FlaskForm):
    """The briefing text and the offer window."""

    briefing = TextAreaField(
        "Smittevernsinformasjon (sendes dagen før møtet)",
        validators=[Length(max=20000, message="Høyst 20 000 tegn.")],
    )
    offer_hours = DecimalField(
        "Svarfrist for tilbud om plass (timer)",
        places=1,
        validators=[
            InputRequired("Skriv inn svarfristen i timer."),
            NumberRange(1, 24 * 14, "Svarfristen må være mellom 1 og 336 timer."),
        ],
    )


class DomainsForm(FlaskForm):
    """One group's member domains, one per line."""

    domains = TextAreaField(
        "E-postdomener til medlemmene, ett per linje",
        validators=[Length(max=50000, message="Listen er for lang.")],
    )


class GrantForm(FlaskForm):
    """Give a waitlisted person a seat directly."""

    allow_overflow = BooleanField("Gi plass selv om møtet er fullt (overbooking)")


class MoveForm(FlaskForm):
    """Move a person to another priority group."""

    group = SelectField(
        "Flytt til gruppe",
        validators=[InputRequired("Velg en gruppe."), known_choice],
        validate_choice=False,
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(group.key, group.label) for group in groups]
