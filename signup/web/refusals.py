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
    Refusal.NO_SEAT_TO_HAND_OVER: _l(
        "Bare den som har plass, kan gi den videre, og bare før møtet begynner."
    ),
    Refusal.HANDOVER_LIMIT: _l(
        "Du har allerede gitt plassen til en kollega som ikke har svart, eller prøvd for mange"
        " ganger i dag. Trekk tilbake den forrige, eller prøv igjen i morgen."
    ),
    Refusal.HANDOVER_TO_SELF: _l("Skriv inn navnet og e-postadressen til kollegaen din."),
    Refusal.HANDOVER_ENDED: _l(
        "Denne overføringen gjelder ikke lenger: den er tatt imot, trukket tilbake, avslått"
        " eller gått ut. Ingenting er endret."
    ),
    Refusal.ALREADY_REGISTERED: _l(
        "Du er allerede påmeldt dette møtet, så plassen kan ikke gis til deg. Ingenting er endret."
    ),
    Refusal.BAD_PASS: _l("Koden er ikke en gyldig innsjekkingskode. Bruk navnesøket."),
    Refusal.OTHER_EVENT: _l("Koden gjelder et annet møte. Personen er ikke sjekket inn."),
    Refusal.UNKNOWN_CODE: _l("Ingen påmelding til dette møtet har denne koden. Bruk navnesøket."),
    Refusal.EVENT_CANCELLED: _l("Møtet er avlyst. Ingenting er endret."),
    Refusal.HAS_SEAT: _l(
        "Personen med denne e-postadressen er påmeldt og har plass. "
        "Søk etter navnet på innsjekkingssiden og registrer ankomsten der."
    ),
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
