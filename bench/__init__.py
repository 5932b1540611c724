"""Benchmarks: one large generated project, and the time and SQL each important page costs on it.

Run with `make bench` (see bench/README.md). Nothing here is imported by the app or the tests.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from sqlalchemy import event, text

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")


def database_url(tmp_dir: str) -> str:
    """BENCH_DATABASE_URL if set (PostgreSQL), else a SQLite file in tmp_dir."""
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp_dir}/bench.db"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_app(url: str, upload_dir: str, **overrides):
    """The app as the tests build it (CSRF off, fast password hashing, unless overridden), on the benchmark's
    database."""
    from config import TestConfig
    from impact import create_app

    config = type("BenchConfig", (TestConfig,),
                  {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": upload_dir, **overrides})
    return create_app(config)


def fresh_schema(app) -> None:
    """An empty database migrated to the latest revision (PostgreSQL: schema public dropped and rebuilt)."""
    from flask_migrate import upgrade

    from impact.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=MIGRATIONS)
        db.session.remove()


@contextlib.contextmanager
def counting_statements(engine):
    """Counts the SQL statements sent to the database inside the block (list of statement texts)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextlib.contextmanager
def bench_app(**overrides):
    """(app, backend name) on a freshly migrated database; a SQLite file is removed afterwards."""
    from impact.extensions import db

    with tempfile.TemporaryDirectory(prefix="impact-bench-") as tmp_dir:
        app = make_app(database_url(tmp_dir), f"{tmp_dir}/uploads", **overrides)
        fresh_schema(app)
        with app.app_context():
            backend = db.engine.dialect.name
        try:
            yield app, backend
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
