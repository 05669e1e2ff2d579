"""Words the organiser reads for states and group checks (a registrant's words differ)."""

from ..models import GroupCheck, MessageState, State

STATE_LABELS = {
    State.UNCONFIRMED: "har ikke bekreftet e-post",
    State.ADMITTED: "har plass",
    State.WAITLISTED: "på venteliste",
    State.OFFERED: "tilbudt plass",
    State.DECLINED: "takket nei",
    State.LAPSED: "tilbudet gikk ut",
    State.CANCELLED: "meldt av",
}

GROUP_CHECK_LABELS = {
    GroupCheck.NOT_NEEDED: "",
    GroupCheck.MATCHED: "bekreftet av medlemsliste",
    GroupCheck.ACCEPTED: "godtatt av arrangør",
    GroupCheck.UNVERIFIED: "ikke bekreftet",
}

MESSAGE_STATE_LABELS = {
    MessageState.QUEUED: "i kø",
    MessageState.SENT: "sendt",
    MessageState.RETRYING: "prøver igjen",
    MessageState.FAILED: "feilet",
}

EMAIL_KIND_LABELS = {
    "confirm": "bekreftelseslenke",
    "status": "status og lenke",
    "admitted": "har plass",
    "waitlisted": "venteliste",
    "offer": "tilbud om plass",
    "lapsed": "tilbud utløpt",
    "declined": "takket nei",
    "cancelled": "meldt av",
    "waitlist_closed": "ventelisten stengt",
    "briefing": "smittevernsinformasjon",
    "waitlist_reminder": "påminnelse venteliste",
}
