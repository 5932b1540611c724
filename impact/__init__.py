"""impact: track the impact of knowledge-exchange projects with contribution analysis."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import CONFIGS, Config, ProductionConfig
from impact import db_connections, local_time, page_cache
from impact.errors import register_error_handlers
from impact.extensions import cache, csrf, db, limiter, login_manager, migrate
from impact.features import PARTS, install, load_parts
from impact.forms import register_signed_token_reuse
from impact.requests import NulFreeRequest
from impact.text_filters import FILTERS

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    if config_class is None:
        config_class = CONFIGS[environment()]
    # Migrations sign nothing and send nothing: `flask db upgrade` may run before the secrets are in place.
    if issubclass(config_class, ProductionConfig) and flask_command() != "db":
        config_class.validate()

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    app.request_class = NulFreeRequest
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    trust_proxies(app)
    # Ids in URLs fit the database's integer columns; a longer number is simply not found.
    app.url_map.converters["int"] = DatabaseIdConverter

    register_extensions(app)
    # A setting only a test gives, to plug in a part of its own: the app is PARTS.
    install(app, load_parts(app.config.get("PARTS", PARTS)))
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    return app


def environment() -> str:
    """IMPACT_ENV if set; otherwise development under `flask run` and production everywhere else,
    so `gunicorn wsgi:app` can never start by accident with debug mode and the development key."""
    return os.environ.get("IMPACT_ENV") or ("development" if flask_command() == "run" else "production")


_FLASK_OPTIONS_WITH_VALUES = {"--app", "-A", "--env-file", "-e"}


def flask_command() -> str | None:
    """The `flask` command this process runs ("run", "db", "jobs"...), or None outside the flask CLI."""
    if click.get_current_context(silent=True) is None:
        return None
    # The flask CLI loads the app while it is still looking up the command, so the command's
    # name is read off the arguments rather than from click.
    args = iter(sys.argv[1:])
    for arg in args:
        if arg in _FLASK_OPTIONS_WITH_VALUES:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def trust_proxies(app: Flask) -> None:
    # Rate limits key on request.remote_addr, which behind a proxy is the proxy itself.
    hops = app.config.get("PROXY_FIX_X_FOR", 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _without_jit(app: Flask) -> None:
    """PostgreSQL's JIT compiler starts on the cost of the aggregate queries behind report.json and the
    tracking pages, and compiling took 67 of report.json's 72 ms of SQL at scale 1; plans this cheap to
    run never repay it, so the app's connections turn it off."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    # An explicit options parameter replaces libpq's PGOPTIONS, which an operator (or cron) may set: keep it.
    connect_args["options"] = " ".join(filter(None, [os.environ.get("PGOPTIONS", ""), connect_args.get("options", ""),
                                                     "-c jit=off"]))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app: Flask) -> None:
    _without_jit(app)
    db.init_app(app)
    db_connections.register(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    register_signed_token_reuse(app)
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # The column limits make every backend refuse what PostgreSQL would (the parts' models are
    # imported by load_parts, which puts every table on the metadata for Alembic; the trash's is the core's).
    from impact import change_counters, column_limits, trash  # noqa: F401


@event.listens_for(Engine, "connect")
def _sqlite_enforce_foreign_keys(dbapi_connection, connection_record) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages carry personal data and personal links; office PCs are shared.
            headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(FILTERS)
    local_time.check_setting(app.config["DEFAULT_TIME_ZONE"])
    app.jinja_env.filters.update(local_time.FILTERS)
    page_cache.register(app)
