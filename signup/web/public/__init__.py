"""The pages registrants use: event, sign-up, confirm, manage, offer."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import details, erasure, handover, manage_pass, privacy, views  # noqa: E402,F401  (routes register on import)
