"""The extension singletons, bound to an app in create_app()."""

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from . import limit_storage  # noqa: F401 (serves memory:// for the limiter, thread-safe)


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are keyed per route by what is limited (a mailbox, a client, an event); see
# signup/web/public/limits.py.
limiter = Limiter(key_func=lambda: "global", default_limits=[])
