"""Sign-up and new-link forms; labels and messages are Norwegian source text, translated."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ...core.details import editable
from ...models import Registration

# One place for the control-character rule (signup/web/validators.py); imported from here too.
from ..validators import CONTROL_CHARS, no_control_characters, no_control_characters_in_lines
from . import colleagues

PHONE = re.compile(r"^\+?[0-9 ()\-]{5,20}$")
#: What mail programs turn into a link: a scheme, "www.", an address, or a domain-like
#: word (letters, a dot, two or more letters, no space between: "evil.example").
LINK_LIKE = re.compile(r"[a-z][a-z0-9+.-]*:/|www\.|@|\w[\w-]*\.[^\W\d_]{2,}\b", re.IGNORECASE)


def no_links(form, field) -> None:
    """The name greets people in emails: text a mail program would make a link is refused."""
    if field.data and LINK_LIKE.search(field.data):
        raise ValidationError(
            _l("Navnet kan ikke inneholde nettadresser, e-postadresser eller lenker.")
        )


def valid_email(form, field) -> None:
    value = (field.data or "").strip()
    if CONTROL_CHARS.search(value):
        raise ValidationError(_l("Skriv inn én gyldig e-postadresse."))
    if not value.rpartition("@")[0].isascii():
        # Email sent through an ordinary relay cannot carry letters like ø before the @.
        raise ValidationError(_l("Delen foran @ kan ikke ha æ, ø, å eller andre spesialtegn."))
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValidationError(
            _l("Skriv inn en gyldig e-postadresse, for eksempel navn@firma.no.")
        ) from error


def valid_phone(form, field) -> None:
    if field.data and not PHONE.match(field.data.strip()):
        raise ValidationError(_l("Skriv inn et gyldig telefonnummer, for eksempel +47 900 00 000."))


def known_choice(form, field) -> None:
    if field.data not in {value for value, _label in field.choices or ()}:
        raise ValidationError(_l("Velg et av alternativene."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


REQUIRED = _l("Dette feltet må fylles ut.")


EMAIL = _l("E-post")


def email_field(label=EMAIL, required: bool = True, autocomplete: str = "email") -> EmailField:
    """The email address field, with one rule for every form that asks for an address."""
    return EmailField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED) if required else Optional(),
            Length(max=254, message=_l("Adressen kan være høyst 254 tegn.")),
            valid_email,
        ],
        render_kw={"autocomplete": autocomplete},
    )


def name_field(label, required: bool = True, autocomplete: str = "name") -> StringField:
    """A person's full name, with one rule for every form that asks for one (no links)."""
    return StringField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED) if required else Optional(),
            Length(max=200, message=_l("Navnet kan være høyst 200 tegn.")),
            no_control_characters,
            no_links,
        ],
        render_kw={"autocomplete": autocomplete},
    )


class PersonForm(FlaskForm):
    """A person's own details: what the sign-up form asks and the manage page changes."""

    name = name_field(_l("Fullt navn"))
    email = email_field()
    organisation = StringField(
        _l("Virksomhet / organisasjon"),
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=200, message=_l("Høyst 200 tegn.")),
            no_control_characters,
        ],
        render_kw={"autocomplete": "organization"},
    )
    phone = StringField(
        _l("Telefon (valgfritt)"),
        filters=[_strip],
        validators=[Optional(), Length(max=40, message=_l("Høyst 40 tegn.")), valid_phone],
        render_kw={"autocomplete": "tel"},
    )
    dietary = TextAreaField(
        _l("Allergier eller spesielle behov for mat (valgfritt)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=1000, message=_l("Høyst 1000 tegn.")),
            no_control_characters_in_lines,
        ],
    )

    def details(self) -> dict:
        """The details as a registration keeps them (no address)."""
        return {
            "name": self.name.data,
            "organisation": self.organisation.data,
            "phone": self.phone.data or "",
            "dietary": self.dietary.data or "",
        }


class SignupForm(PersonForm):
    """The sign-up form; `group` choices are the event's own priority groups.

    Up to COLLEAGUES colleagues (name and address) may be signed up in the same submission,
    with the same organisation and group; see colleagues.py.
    """

    group = RadioField(
        _l("Jeg melder meg på som"),
        validators=[InputRequired(_l("Velg hvilken gruppe du tilhører.")), known_choice],
        validate_choice=False,
    )
    consent = BooleanField(
        _l("Jeg samtykker i at opplysningene brukes som beskrevet over."),
        validators=[DataRequired(_l("Du må samtykke for å melde deg på."))],
    )
    #: Honeypot: hidden from people, screen readers and the keyboard; bots fill it.
    reference_code = StringField(_l("Ikke fyll ut dette feltet"))

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(group.key, group.label) for group in groups]

    def filled_honeypot(self) -> bool:
        return bool((self.reference_code.data or "").strip())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return colleagues.check_rows(self) and valid

    def people(self) -> list[tuple[str, str]]:
        """(name, address) of everyone this submission signs up: the person, then colleagues."""
        return [(self.name.data, self.email.data), *colleagues.filled_rows(self)]


def _colleague_fields(number: int) -> tuple[StringField, EmailField]:
    """A colleague's row: both empty, or both filled (colleagues.check_rows)."""
    name = name_field(
        _l("Navn på kollega %(number)s", number=number), required=False, autocomplete="off"
    )
    email = email_field(
        _l("E-post til kollega %(number)s", number=number), required=False, autocomplete="off"
    )
    return name, email


for _number in range(1, colleagues.COLLEAGUES + 1):
    _name, _email = _colleague_fields(_number)
    setattr(SignupForm, colleagues.name_field(_number), _name)
    setattr(SignupForm, colleagues.email_field(_number), _email)


class DetailsForm(PersonForm):
    """The manage page's form: change your details; a new address is confirmed by its own link."""


def details_form(registration: Registration) -> DetailsForm | None:
    """The manage page's form, filled in as things stand; None when not editable now."""
    if not editable(registration):
        return None
    form = DetailsForm(formdata=None, obj=registration)
    # A pending address shows as typed: saving other details keeps the change asked for.
    form.email.data = registration.pending_email or registration.email
    return form


class NewLinkForm(FlaskForm):
    """Ask for a fresh link by email; the answer never reveals whether the address is known."""

    event = SelectField(
        _l("Møte"),
        validators=[InputRequired(_l("Velg møtet.")), known_choice],
        validate_choice=False,
    )
    email = email_field()
