"""Languages: the event's bokmål by default, English by the person's explicit choice.

The choice is the language switch (remembered in the session), else, on a page reached by
a person's own link, the language they signed up in. The browser's Accept-Language is not
a choice: a Norwegian meeting's pages stay Norwegian on an English-language computer.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, abort, g, has_request_context, redirect, request, session
from flask_babel import Babel, get_locale, refresh
from markupsafe import Markup

from .security import safe_next

#: The languages people can choose, in the order the switch offers them.
LANGUAGES = {"nb": "Norsk", "en": "English"}
DEFAULT_LANGUAGE = "nb"
#: The language events are written in (title, description, venue, group names).
EVENT_LANGUAGE = "nb"

babel = Babel()
bp = Blueprint("language", __name__)


def select_language() -> str:
    """The switch's choice, else the language the person signed up in, else the event's."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    for chosen in (session.get("language"), g.get("registration_language")):
        if chosen in LANGUAGES:
            return chosen
    return EVENT_LANGUAGE


def follow_registration(language: str | None) -> None:
    """On a page reached by a person's own link: their sign-up language, unless they switch."""
    g.registration_language = language
    refresh()


def content_lang() -> Markup:
    """` lang="nb"` on event content (written in bokmål) shown inside a page in another language."""
    if current_language() == EVENT_LANGUAGE:
        return Markup("")
    return Markup(f' lang="{EVENT_LANGUAGE}"')


def current_language() -> str:
    """The language being rendered now ('nb' outside any request or forced locale)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


@bp.get("/language/<code>")
def choose(code: str):
    """Remember the chosen language and go back to the page the switch was on."""
    if code not in LANGUAGES:
        abort(404)
    session["language"] = code
    return redirect(safe_next(request.args.get("next"), within="/", fallback="/"), code=303)


def switch_target() -> str:
    """Where the switch sends people back to: this page when it can be fetched again."""
    return request.full_path.rstrip("?") if request.method == "GET" else "/"


def register_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    folder = os.path.join(app.root_path, "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", folder)
    babel.init_app(app, locale_selector=select_language)
    app.register_blueprint(bp)
    # Tests run requests inside one app context; forget the previous request's language.
    app.before_request(refresh)
    app.jinja_env.globals.update(
        current_language=current_language,
        content_lang=content_lang,
        languages=LANGUAGES,
        switch_target=switch_target,
    )
