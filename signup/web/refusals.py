"""Each reason the rules refuse an action, in words: the one place the web says why."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.errors import Refusal

#: What a person or an organiser reads when the rules refuse what they asked.
WORDS = {
    Refusal.CLOSED: _l("Påmeldingen til dette møtet er stengt, så vi kunne ikke gjøre dette."),
    Refusal.EXPIRED: _l("Lenken for å bekrefte er utløpt. Meld deg på igjen for å få en ny lenke."),
    Refusal.STALE_OFFER: _l(
        "Dette tilbudet gjelder ikke lenger. Under ser du hvordan påmeldingen din står nå."
    ),
    Refusal.NOT_WAITING: _l("Personen står ikke på ventelisten lenger. Ingenting er endret."),
    Refusal.FULL: _l(
        "Møtet er fullt. Kryss av for overbooking hvis personen skal få plass likevel."
    ),
    Refusal.UNKNOWN_GROUP: _l("Gruppen finnes ikke. Ingenting er endret."),
    Refusal.NEGATIVE_CAPACITY: _l("Antall plasser kan ikke være negativt."),
    Refusal.UNKNOWN: _l("Påmeldingen finnes ikke lenger."),
    Refusal.NOT_CONFIRMED: _l(
        "Bekreft påmeldingen først, med lenken i e-posten. Deretter kan du endre opplysningene."
    ),
    Refusal.STALE_LINK: _l(
        "Denne lenken for å bytte e-postadresse er brukt eller erstattet av en nyere. "
        "Ingenting er endret."
    ),
    Refusal.ADDRESS_TAKEN: _l(
        "Den nye adressen er allerede påmeldt til dette møtet, så vi kan ikke bytte til den. "
        "Ingenting er endret."
    ),
}
#: A reason with no words of its own (a replaced confirm link): the page below says the rest.
OTHERWISE = _l("Vi kunne ikke gjøre dette. Under ser du hvordan påmeldingen din står nå.")


def in_words(reason: Refusal) -> str:
    """The refusal as the person reads it, in the request's language."""
    return str(WORDS.get(reason, OTHERWISE))
