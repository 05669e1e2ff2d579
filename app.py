"""create_app(): configuration, extensions, blueprints, commands and background services."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from signup import commands, scheduler
from signup.core.accounts import load_organiser
from signup.database import configure_engine, engine_options
from signup.extensions import csrf, db, limiter, login_manager, mail, migrate
from signup.mail import worker
from signup.web.i18n import register_i18n
from signup.web.logprivacy import hide_personal_data_in_library_logs
from signup.web.security import register_security_headers
from signup.web.templating import register_filters
from signup.web.validators import refuse_control_characters_in_urls

ROOT = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; `test_config` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True, template_folder="templates")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_mapping(config.from_environment(app.instance_path))
    else:
        app.config.from_mapping(config.for_tests(app.instance_path))
        app.config.from_mapping(test_config)
    register_templates(app)
    refuse_control_characters_in_urls(app)
    hide_personal_data_in_library_logs()
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    commands.register(app)
    register_background(app)
    register_proxy(app)
    return app


def register_proxy(app: Flask) -> None:
    """Believe PROXY_COUNT proxies' X-Forwarded-For/-Proto; -Host only when told to."""
    count = app.config.get("PROXY_COUNT")
    if count:
        host = count if app.config.get("PROXY_TRUST_HOST") else 0
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=host)


def register_templates(app: Flask) -> None:
    # Emails live in emails/ beside templates/, reached as "emails/<name>".
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader({"emails": FileSystemLoader(str(ROOT / "emails"))}),
        ]
    )
    register_filters(app)


def register_extensions(app: Flask) -> None:
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    for key, value in engine_options(app.config["SQLALCHEMY_DATABASE_URI"]).items():
        options.setdefault(key, value)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    show_limiter_warnings()
    login_manager.init_app(app)
    login_manager.user_loader(load_organiser)
    login_manager.login_view = "organiser.login"
    login_manager.login_message = _l("Logg inn for å se arrangørsidene.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy message, in the visitor's language
    register_i18n(app)
    with app.app_context():
        configure_engine(db.engine)


def show_limiter_warnings() -> None:
    """Let Flask-Limiter's warnings reach stderr, as our own modules' do.

    Its logger has a NullHandler, which keeps Python's handler of last resort (warnings
    to stderr) away from it. The warning that matters: "Rate limit storage unreachable -
    falling back to in-memory storage", when Redis is down and each process counts alone.
    """
    limiter_log = logging.getLogger("flask-limiter")
    if logging.lastResort is not None and logging.lastResort not in limiter_log.handlers:
        limiter_log.addHandler(logging.lastResort)


def register_blueprints(app: Flask) -> None:
    from signup.web.organiser import bp as organiser_bp
    from signup.web.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(organiser_bp)
    if app.config["APP_ENV"] == "development" and app.config.get("DEV_MAIL_SINK"):
        from signup.mail import devmail

        devmail.check_port(app)  # stop now, rather than mail into another program's sink
        app.register_blueprint(devmail.bp)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error: HTTPException):
        code = error.code or 500
        return render_template("errors/error.html", code=code, reason=error.description), code

    for code in (400, 403, 404, 405, 409, 410, 413, 422, 429):
        app.register_error_handler(code, render_error)

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return "400: ukjent vertsnavn (Host).\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/error.html", code=500, reason=None), 500


def register_background(app: Flask) -> None:
    """Start the dev mail sink, delivery thread and embedded scheduler on the first request.

    Started lazily so that `flask db upgrade` and other commands start no threads.
    """
    if not app.config.get("BACKGROUND", True):
        return
    started = threading.Lock()

    @app.before_request
    def _start_background():
        if app.extensions.get("signup_background"):
            return
        with started:
            if app.extensions.get("signup_background"):
                return
            start_background(app)
            app.extensions["signup_background"] = True


def start_background(app: Flask) -> None:
    if app.config.get("DEV_MAIL_SINK"):
        from signup.mail.devmail import start_sink

        start_sink(app)
    worker.start_worker(app)
    if app.config.get("SCHEDULER") == "embedded":
        scheduler.start_embedded(app)
    logging.getLogger(__name__).info("background services started")
