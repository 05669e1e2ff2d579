"""The organiser dashboard: events, registrations, actions, exports and check-in."""

from flask import Blueprint, request
from flask_login import current_user

from ...extensions import login_manager

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

#: The only organiser page an anonymous visitor may see.
OPEN_ENDPOINTS = {"organiser.login"}


@bp.before_request
def require_login():
    """Every page, action and export answers an anonymous visitor with the login page."""
    if current_user.is_authenticated or request.endpoint in OPEN_ENDPOINTS:
        return None
    return login_manager.unauthorized()


@bp.after_request
def never_cache(response):
    """Pages with personal data stay out of shared and back-button caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


from . import actions, auth, checkin, editing, exports, views  # noqa: E402,F401  (routes register on import)
