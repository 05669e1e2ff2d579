"""The organiser dashboard: events, registrations, actions, exports and check-in."""

from flask import Blueprint, request
from flask_login import current_user

from ...extensions import login_manager

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

#: The only organiser page an anonymous visitor may see.
OPEN_ENDPOINTS = {
    "organiser.login",
    "organiser.forgot",
    "organiser.reset",
    "organiser.accept_invite",
    "organiser.login_code",
}


@bp.before_request
def require_login():
    """Every page, action and export answers an anonymous visitor with the login page,
    and a signed-in account with 403 where its role and events do not reach.
    """
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        return access.require_access()
    return login_manager.unauthorized()


@bp.after_request
def never_cache(response):
    """Pages with personal data stay out of shared and back-button caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


from . import (  # noqa: E402,F401  (routes register on import)
    access,  # noqa: E402
    account,
    actions,
    auth,
    checkin,
    checkin_scan,
    door,
    editing,
    exports,
    handover,
    messages,
    team,
    views,
)
