"""How requests use the pooled database connections: checked only after idling, and a transaction that
only read ended so that PostgreSQL keeps the statements it prepared.

Checking a connection on every use (SQLAlchemy's pool_pre_ping) sent one more round trip with every
request: on PostgreSQL a page served from the cache sends five, and the ping was an eighth of its
time. A connection in use moments ago is almost never dead; one left idle may have been dropped by a
restarted server, a proxy or a firewall, so that one is pinged first and, if dead, replaced by the
pool without the request noticing.

psycopg prepares a statement on the server once a connection has run it five times, so the server
stops parsing and planning it, but forgets every prepared statement on ROLLBACK, and the session ends
each request with one: no statement was ever prepared, and planning the project's load was most of
the server's time for a page served from the cache. A request whose transaction sent nothing but
SELECTs ends it with COMMIT instead, which for a transaction that wrote nothing is the same; any other
statement, an error, or changes still waiting in the session, and it is rolled back as before.
"""
from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc

from impact.extensions import db

_RETURNED_AT = "impact.returned_at"
_NOT_ONLY_READ = "impact.not_only_read"  # on a connection: its transaction sent something other than a SELECT


def register(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    _ping_after_idling(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    if engine.dialect.driver == "psycopg":
        _commit_what_only_read(app, engine)


def _ping_after_idling(engine, idle_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # just made, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another (a fresh one, if all were dropped).
            raise exc.DisconnectionError("the database connection was lost while idle") from error


def _commit_what_only_read(app: Flask, engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _note(connection, cursor, statement, parameters, context, executemany) -> None:
        if not statement.startswith("SELECT ") or " FOR UPDATE" in statement:
            connection.info[_NOT_ONLY_READ] = True

    @event.listens_for(engine, "begin")
    def _begun(connection) -> None:
        connection.info.pop(_NOT_ONLY_READ, None)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs before it (teardowns run last first).
    @app.teardown_appcontext
    def _end_read_only_transaction(error) -> None:
        session = db.session()
        if error is not None or not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        connection = session.connection()  # the one its transaction began (the app has one database)
        if not connection.info.get(_NOT_ONLY_READ):
            # Beneath the session, which then rolls back as ever: psycopg sends nothing for a transaction it ended.
            connection.connection.dbapi_connection.commit()
