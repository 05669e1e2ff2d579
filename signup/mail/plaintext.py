"""Plain-text email bodies wrapped at 78 characters, the width mail readers expect."""

from __future__ import annotations

import re
import textwrap

#: RFC 5322 2.1.1: lines SHOULD be at most 78 characters.
WIDTH = 78
#: A list item ("- ", "• ", "1. "): its continuation lines are indented under its text.
_ITEM = re.compile(r"^(\s*)([-•*]|\d+\.)\s+")


def wrap_line(line: str) -> str:
    """One line, wrapped at WIDTH; a word longer than that (a link) stays whole."""
    if len(line) <= WIDTH:
        return line
    item = _ITEM.match(line)
    indent = re.match(r"\s*", line).group()
    return textwrap.fill(
        line,
        WIDTH,
        subsequent_indent=" " * item.end() if item else indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def wrap_text(text: str) -> str:
    """Every line of `text` wrapped at WIDTH; line breaks already there are kept."""
    return "\n".join(wrap_line(line) for line in text.split("\n"))
