"""Forms for accounts: a forgotten password, choosing and changing one, inviting people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...core import passwords
from ..public.forms import REQUIRED, valid_email

#: Why a password was refused, in words.
PASSWORD_PROBLEMS = {
    passwords.SHORT: _l(
        "Passordet må ha minst %(count)s tegn.", count=passwords.MIN_PASSWORD_LENGTH
    ),
    passwords.COMMON: _l(
        "Passordet er for vanlig eller for lett å gjette. Velg et lengre, gjerne flere ord."
    ),
}


def _email_field(label):
    return EmailField(
        label,
        validators=[DataRequired(REQUIRED), Length(max=254), valid_email],
        render_kw={"autocomplete": "username"},
    )


class ForgotForm(FlaskForm):
    """The address to send a reset link to."""

    email = _email_field(_l("E-post"))


class ChoosePasswordForm(FlaskForm):
    """A new password, twice; checked against the rule for the account's address."""

    password = PasswordField(
        _l("Nytt passord"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("Nytt passord en gang til"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("Passordene er ikke like."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, account_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def validate_password(self, field) -> None:
        reason = passwords.problem(field.data or "", self.account_email)
        if reason is not None:
            raise ValidationError(str(PASSWORD_PROBLEMS[reason]))


class ChangePasswordForm(ChoosePasswordForm):
    """The current password and a new one."""

    current = PasswordField(
        _l("Nåværende passord"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccessForm(FlaskForm):
    """A role and the events an account has."""

    role = RadioField(
        _l("Rolle"),
        choices=[
            SelectChoice("organiser", _l("Arrangør: alt for møtene kontoen får")),
            SelectChoice("door", _l("Dørvakt: bare innsjekkingen for møtene kontoen får")),
        ],
        default="organiser",
        validators=[DataRequired(_l("Velg en rolle."))],
    )
    all_events = BooleanField(_l("Alle møter, også de som lages senere"))
    events = MultiCheckboxField(_l("Møter"), coerce=int, validate_choice=False)

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.events.choices = [(event.id, event.title) for event in events]

    def validate_events(self, field) -> None:
        known = {choice[0] for choice in field.choices}
        if not self.all_events.data and not field.data:
            raise ValidationError(str(_l("Velg minst ett møte, eller alle møter.")))
        if set(field.data or ()) - known:
            raise ValidationError(str(_l("Velg blant møtene i listen.")))


class InviteForm(AccessForm):
    """Who to invite, with what role and events."""

    email = _email_field(_l("E-postadressen til den du inviterer"))


class CodeForm(FlaskForm):
    """The six-digit code from the app, or a recovery code."""

    code = StringField(
        _l("Kode"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
    )


class TurnOnForm(CodeForm):
    """The secret shown (carried by the form) and the first code made from it."""

    secret = HiddenField()


class TurnOffForm(FlaskForm):
    """The account's password, to turn two-step sign-in off."""

    password_now = PasswordField(
        _l("Passordet ditt"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
