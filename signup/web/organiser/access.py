"""Who may open which organiser page: roles, given events, and the administrator.

- A door account opens the check-in pages of its events and its own account page only.
- An organiser opens every page of the events it has (all, or those given to it).
- Only the administrator (an organiser of all events) manages accounts and reads the
  audit log, which covers every event.
Anything else is 403.

At the door, by data minimisation (each role sees what its job needs, no more):

| page (endpoint)                               | door | organiser of the event |
|-----------------------------------------------|------|------------------------|
| check-in, arrive/undo (checkin, check_in...)  | yes  | yes                    |
| add a walk-in (walk_in_page, walk_in)         | yes  | yes                    |
| door list to print: name, group, organisation | yes  | yes                    |
| attendance list with contact details (page,   | no   | yes (each view and     |
| CSV: attendance_list, attendance_csv)         |      | download is audited)   |
| kitchen: dietary notes with names (kitchen)   | no   | yes                    |
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...core import team
from ...extensions import db
from ...models import Event

#: Pages about the signed-in account itself, open to every role.
OWN_ACCOUNT = {
    "organiser.logout",
    "organiser.account",
    "organiser.change_password",
    "organiser.twostep_setup",
    "organiser.twostep_turn_on",
    "organiser.twostep_turn_off",
}
#: The door's pages.
CHECK_IN = {
    "organiser.checkin",
    "organiser.check_in",
    "organiser.undo_check_in",
    "organiser.check_in_by_token",
    "organiser.check_in_by_code",
}
#: The door's pages for walk-ins and the door list (see the table above).
CHECK_IN |= {"organiser.walk_in_page", "organiser.walk_in", "organiser.door_list"}
#: Pages for the administrator only.
ADMIN_ONLY = {
    "organiser.audit_log",
    "organiser.team_page",
    "organiser.invite",
    "organiser.invite_again",
    "organiser.member",
    "organiser.set_access",
    "organiser.set_disabled",
}


def allowed(endpoint: str | None, slug: str | None) -> bool:
    """Whether the signed-in account may open `endpoint` (for the event `slug`, if any)."""
    if endpoint in OWN_ACCOUNT:
        return True
    if endpoint in ADMIN_ONLY:
        return current_user.is_admin
    if current_user.role != team.ORGANISER and endpoint not in CHECK_IN:
        return False
    if slug is None:
        return True
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    # An unknown event is the view's 404, the same for everyone.
    return event is None or team.may_run(current_user, event)


def require_access() -> None:
    """403 for a page the signed-in account may not open."""
    slug = (request.view_args or {}).get("slug")
    if not allowed(request.endpoint, slug):
        abort(403)


def home_url() -> str:
    """Where an account lands after login: the dashboard, or a door's check-in page."""
    if current_user.role == team.ORGANISER:
        return url_for("organiser.events")
    events = [event for event in _all_events() if team.may_run(current_user, event)]
    if events:
        return url_for("organiser.checkin", slug=events[0].slug)
    return url_for("organiser.account")


def _all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc())))
