"""Control characters: refused in every text a person types, and in every path and query.

PostgreSQL cannot store NUL, and no one types a control character on purpose; a line break
or a tab belongs only in a field with several lines.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: Every C0 control character and DEL.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
#: The same without line breaks and tabs, for fields with several lines.
CONTROL_CHARS_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(form, field) -> None:
    """A one-line field: no line breaks, tabs or other control characters."""
    if field.data and CONTROL_CHARS.search(field.data):
        raise ValidationError(_l("Feltet kan ikke inneholde linjeskift eller kontrolltegn."))


def no_control_characters_in_lines(form, field) -> None:
    """A field with several lines: line breaks and tabs are fine, other control characters not."""
    if field.data and CONTROL_CHARS_IN_LINES.search(field.data):
        raise ValidationError(_l("Feltet kan ikke inneholde kontrolltegn."))


def refuse_control_characters_in_urls(app: Flask) -> None:
    """A control character in the path answers 404, in the query string 400, before any view."""

    @app.before_request
    def _refuse_control_characters():
        if CONTROL_CHARS.search(request.path):
            abort(404)
        for key, value in request.args.items(multi=True):
            if CONTROL_CHARS.search(key) or CONTROL_CHARS.search(value):
                abort(400)
