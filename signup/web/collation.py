"""Names in Norwegian alphabetical order: æ, ø and å come after z, in that order.

Python sorts by code point (Å before Æ, and all three before accented letters' base
forms); ICU would do this well, but needs the ICU C library on every host for three
letters. Following Norwegian (CLDR `nb`) collation: ä sorts as æ, ö as ø, "aa" as å;
other accents are ignored for the order (é as e), then break ties.
"""

from __future__ import annotations

import unicodedata

#: The last three letters of the alphabet, and the letters sorted as them.
AFTER_Z = {"æ": "z\U0010fff0", "ä": "z\U0010fff0", "ø": "z\U0010fff1", "ö": "z\U0010fff1",
           "å": "z\U0010fff2"}  # fmt: skip


def _base(letter: str) -> str:
    """A letter without its accents (é -> e), or the letter itself."""
    return "".join(c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c))


def norwegian_key(text: str) -> tuple[str, str]:
    """Sort key: Norwegian letter order first, then the exact text (accents, case)."""
    folded = unicodedata.normalize("NFC", text.casefold()).replace("aa", "å")
    primary = "".join(AFTER_Z.get(letter) or _base(letter) for letter in folded)
    return primary, text
