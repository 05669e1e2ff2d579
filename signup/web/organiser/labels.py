"""Words the organiser reads for states and group checks (a registrant's words differ)."""

from flask_babel import lazy_gettext as _l

from ...models import GroupCheck, MessageState, State

STATE_LABELS = {
    State.UNCONFIRMED: _l("har ikke bekreftet e-post"),
    State.ADMITTED: _l("har plass"),
    State.WAITLISTED: _l("på venteliste"),
    State.OFFERED: _l("tilbudt plass"),
    State.DECLINED: _l("takket nei"),
    State.LAPSED: _l("tilbudet gikk ut"),
    State.CANCELLED: _l("meldt av"),
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

EMAIL_KIND_LABELS = {
    "confirm": _l("bekreftelseslenke"),
    "status": _l("status og lenke"),
    "admitted": _l("har plass"),
    "waitlisted": _l("venteliste"),
    "offer": _l("tilbud om plass"),
    "lapsed": _l("tilbud utløpt"),
    "declined": _l("takket nei"),
    "cancelled": _l("meldt av"),
    "waitlist_closed": _l("ventelisten stengt"),
    "briefing": _l("smittevernsinformasjon"),
    "waitlist_reminder": _l("påminnelse venteliste"),
    "already_registered": _l("allerede påmeldt"),
    "no_registration": _l("ingen påmelding på adressen"),
    "event_changed": _l("endret tid eller sted"),
    "event_cancelled": _l("møtet avlyst"),
}
