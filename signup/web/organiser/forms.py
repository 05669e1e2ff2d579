"""Organiser forms; labels and messages are Norwegian source text, translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ...core.eventschema import EventForm
from ..public.forms import REQUIRED, SignupForm, known_choice, valid_email, valid_phone
from ..public.forms import _strip as strip  # the sign-up form's own filter, for the same fields
from ..validators import no_control_characters, no_control_characters_in_lines


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        _l("E-post"),
        validators=[DataRequired(REQUIRED), Length(max=254), no_control_characters],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Passord"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class CapacityForm(FlaskForm):
    """The number of seats: the event definition's own field, limits and messages."""

    capacity = EventForm.capacity


class TextsForm(FlaskForm):
    """The briefing text and the offer window, as the event definition has them."""

    briefing = EventForm.briefing
    offer_hours = EventForm.offer_hours


class DomainsForm(FlaskForm):
    """One group's member domains, one per line."""

    domains = TextAreaField(
        _l("E-postdomener til medlemmene, ett per linje"),
        validators=[
            Length(max=50000, message=_l("Listen er for lang.")),
            no_control_characters_in_lines,
        ],
    )


class CancelForm(FlaskForm):
    """Cancel a person's registration, with an optional reason for their email."""

    reason = TextAreaField(
        _l("Begrunnelse til personen (valgfritt, står i e-posten)"),
        validators=[
            Length(max=1000, message=_l("Begrunnelsen kan være høyst 1000 tegn.")),
            no_control_characters_in_lines,
        ],
    )


class GrantForm(FlaskForm):
    """Give a waitlisted person a seat directly."""

    allow_overflow = BooleanField(_l("Gi plass selv om møtet er fullt (overbooking)"))


class MoveForm(FlaskForm):
    """Move a person to another priority group."""

    group = SelectField(
        _l("Flytt til gruppe"),
        validators=[InputRequired(_l("Velg en gruppe.")), known_choice],
        validate_choice=False,
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(group.key, group.label) for group in groups]


class WalkInForm(FlaskForm):
    """Someone at the door without a registration: the sign-up form's rules for the same fields.

    The phone is required (no email goes to a walk-in: it is how tracing reaches them).
    """

    name = SignupForm.name
    organisation = SignupForm.organisation
    phone = StringField(
        _l("Telefon"),
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=40, message=_l("Høyst 40 tegn.")),
            valid_phone,
        ],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    email = EmailField(
        _l("E-post (valgfritt)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message=_l("Adressen kan være høyst 254 tegn.")),
            valid_email,
        ],
        render_kw={"autocomplete": "off"},
    )
    group = SelectField(
        _l("Gruppe"),
        validators=[InputRequired(_l("Velg en gruppe.")), known_choice],
        validate_choice=False,
    )
    allow_overflow = BooleanField(_l("Over kapasitet: gi plass selv om møtet er fullt"))

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(group.key, group.label) for group in groups]
        if not self.group.data and groups:
            # Someone at the door has claimed no priority: the group of everyone else.
            self.group.data = groups[-1].key
