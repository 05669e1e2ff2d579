"""The check-in pass on a person's manage page: the QR code (inline SVG) and the short code."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from ... import checkin_pass
from . import bp


@bp.context_processor
def manage_pass() -> dict:
    """`checkin_pass_of(registration)`: the pass and its QR code as SVG, or None."""

    def checkin_pass_of(registration) -> dict | None:
        found = checkin_pass.pass_for(registration)
        if found is None:
            return None
        svg = checkin_pass.qr_svg(found.token, _("QR-kode for innsjekking"))
        return {"code": found.spaced_code, "svg": Markup(svg)}

    return {"checkin_pass_of": checkin_pass_of}
