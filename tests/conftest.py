"""Fixtures: the app on each database under test, a clean database per test, logins by role.

Every database-backed test runs on SQLite, and on PostgreSQL as well when
TEST_DATABASE_URL is set. The schema comes from the Alembic migrations (not
create_all), so the migrations are exercised by every run.
"""
from __future__ import annotations

import contextvars
import os
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from config import TestConfig
from impact import create_app
from impact.extensions import cache
from impact.extensions import db as _db
from tests import factories, tallies

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _database_url(backend: str, tmp_dir: str) -> str:
    if backend == "sqlite":
        # A file, not :memory:, so a live server thread for the browser tests sees the same data.
        return f"sqlite:///{tmp_dir}/test.db"
    url = os.environ["TEST_DATABASE_URL"]
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets its own database beside TEST_DATABASE_URL's (made if missing)."""
    from sqlalchemy import create_engine, make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def make_app(database_url: str, **overrides):
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    return create_app(config)


@pytest.fixture(scope="session", params=BACKENDS)
def app(request):
    with tempfile.TemporaryDirectory() as tmp_dir:
        application = make_app(_database_url(request.param, tmp_dir), UPLOAD_FOLDER=f"{tmp_dir}/uploads")
        application.config["BACKEND"] = request.param
        application.test_client_class = IsolatedClient
        with application.app_context():
            if request.param == "postgresql":
                # Start from an empty schema even if an earlier run was killed half-way.
                with _db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            upgrade(directory=MIGRATIONS)
            yield application
            _db.session.remove()
            downgrade(directory=MIGRATIONS, revision="base")
            _db.engine.dispose()


def _empty_all_tables() -> None:
    # DELETE, not TRUNCATE: tests leave a few dozen rows, and on PostgreSQL a TRUNCATE of
    # every table costs ~40 ms, a third of the suite's time. Ids keep counting up.
    _db.session.remove()
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db(app):
    """The database, emptied after the test (works across threads, unlike a rolled-back transaction)."""
    with app.test_request_context():
        yield _db
        # Keys name row versions and ids, and each test's ids may be another's: start every test afresh.
        cache.clear()
    # Whatever the test wrote, and however, the database's evidence tally must still be exact.
    _db.session.remove()
    try:
        tallies.check_committed(_db.engine)
    finally:
        _empty_all_tables()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as in production.

    Without this, a request would reuse the test's own app context (Flask does that
    when one is active) and share its `g`, database session and logged-in user.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def app_with(app):
    """app_with(**settings): another app on the same database with other settings (CSRF on, limits on)."""
    from impact.extensions import limiter

    created = []
    # Flask-Limiter keeps its on/off switch on the extension object, shared by every app.
    limiter_was_enabled = limiter.enabled

    def _make(**overrides):
        other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **overrides)
        created.append(other)
        return other

    yield _make
    limiter.enabled = limiter_was_enabled
    for other in created:
        with other.app_context():
            _db.engine.dispose()


@pytest.fixture
def project(db):
    """A small project: the KE template levels, three linked steps, an assumption and a factor."""
    return factories.chain_project()


@pytest.fixture
def login_as(client, db):
    """login_as(role) logs the test client in as a new user with that role in `project`.

    role: one of the Role values, "admin", "outsider" (a user in no project), "creator" (in no project,
    allowed to create projects) or "anonymous".
    """

    def _login(role: str, project=None):
        if role == "anonymous":
            return None
        user = factories.user_with_role(role, project)
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, "login failed in fixture"
        return user

    return _login


class _Inbox:
    """Collects what a real SMTP server (aiosmtpd) received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free local port; the app is pointed at it for the test."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


@pytest.fixture
def query_counter(app):
    """query_counter() as a context manager: counts SQL statements run inside it."""
    import contextlib

    from sqlalchemy import event

    @contextlib.contextmanager
    def _count():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return _count
