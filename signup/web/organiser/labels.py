"""Words the organiser reads for states and group checks (a registrant's words differ)."""

from flask_babel import lazy_gettext as _l

from ...mail import kinds
from ...models import GroupCheck, MessageState, State

STATE_LABELS = {
    State.UNCONFIRMED: _l("har ikke bekreftet e-post"),
    State.ADMITTED: _l("har plass"),
    State.WAITLISTED: _l("på venteliste"),
    State.OFFERED: _l("tilbudt plass"),
    State.DECLINED: _l("takket nei"),
    State.LAPSED: _l("tilbudet gikk ut"),
    State.CANCELLED: _l("meldt av"),
    State.TRANSFERRED: _l("overført"),
}

GROUP_CHECK_LABELS = {
    GroupCheck.NOT_NEEDED: "",
    GroupCheck.MATCHED: _l("bekreftet av medlemsliste"),
    GroupCheck.ACCEPTED: _l("godtatt av arrangør"),
    GroupCheck.UNVERIFIED: _l("medlemskap ikke sjekket"),
}

MESSAGE_STATE_LABELS = {
    MessageState.QUEUED: _l("i kø"),
    MessageState.SENT: _l("sendt"),
    MessageState.RETRYING: _l("prøver igjen"),
    MessageState.FAILED: _l("feilet"),
}

#: The organiser's word for each kind of email (kept with the kinds themselves).
EMAIL_KIND_LABELS = kinds.NAMES
