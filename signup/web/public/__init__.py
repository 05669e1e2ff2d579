"""The pages registrants use: event, sign-up, confirm, manage, offer."""

from flask import Blueprint

bp = Blueprint("public", __name__)
