"""The kinds of email, in one place: each has emails/<kind>.txt and .html, and a name.

The name is the organiser's word for the kind (the outbox and a person's page show it).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Kinds sent to a registration (each carries the person's manage link).
TO_REGISTRATION = {
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
    "event_changed": _l("endret tid eller sted"),
    "event_cancelled": _l("møtet avlyst"),
    "transferred": _l("plassen overført"),
    "handover_lapsed": _l("overføring gikk ut"),
    "handover_refused": _l("overføring avslått"),
    "organiser_message": _l("melding fra arrangøren"),
    "email_change_confirm": _l("bekreft ny e-postadresse"),
    "email_change_requested": _l("bytte av e-postadresse bedt om"),
    "email_changed": _l("e-postadresse byttet"),
}
#: Kinds sent to an address that has no registration (nothing to manage, no personal link).
TO_ADDRESS = {
    "no_registration": _l("ingen påmelding på adressen"),
    "organiser_message_test": _l("testmelding til arrangøren"),
}
#: Kinds sent to the colleague a seat is handed to (no registration yet; no manage link).
TO_HANDOVER = {
    "handover_invite": _l("plass fra en kollega"),
    "handover_not_approved": _l("overføring ikke godkjent"),
}
#: Kinds sent to a registration about their handover of a seat (the row names the handover).
ABOUT_HANDOVER = ("transferred", "handover_lapsed", "handover_refused")
#: Kinds sent to an organiser account (invitations and password resets; no event).
TO_ACCOUNT = {
    "organiser_invite": _l("invitasjon til arrangør"),
    "password_reset": _l("nytt passord"),
    "no_account": _l("ingen konto på adressen"),
}
#: Every kind, by the organiser's name for it.
NAMES = {**TO_REGISTRATION, **TO_ADDRESS, **TO_ACCOUNT, **TO_HANDOVER}
