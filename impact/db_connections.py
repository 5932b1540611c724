"""How requests use the pooled database connections: checked only after idling, and on PostgreSQL no
transaction opened for reads.

Checking a connection on every use (SQLAlchemy's pool_pre_ping) sent one more round trip with every
request: on PostgreSQL a page served from the cache sends five, and the ping was an eighth of its
time. A connection in use moments ago is almost never dead; one left idle may have been dropped by a
restarted server, a proxy or a firewall, so that one is pinged first and, if dead, replaced by the
pool without the request noticing.

A page that only reads sent BEGIN and COMMIT around its SELECTs (psycopg sends BEGIN as a statement of
its own): two of a cached page's five round trips, and ending with ROLLBACK instead would have made
psycopg forget the statements it prepared on the server. So each transaction starts in autocommit and
leaves it at its first statement that is not a plain SELECT (a write, a SELECT ... FOR UPDATE, a
SAVEPOINT, DDL): psycopg then sends BEGIN before that statement, and everything from it to the commit
or rollback is one transaction, as before. Under PostgreSQL's READ COMMITTED, which the app uses, each
statement sees what was committed when it started whether or not a transaction is open, so the reads
before the first write see what they saw inside one; what must not change between a read and a write
is locked (impact.concurrency.lock_row, FOR UPDATE), and that read opens the transaction. Only under
READ COMMITTED: under a stricter isolation an operator set as the default, transactions are as before.
"""
from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc

from impact.extensions import db

_RETURNED_AT = "impact.returned_at"
_READING_OUTSIDE = "impact.reading_outside"  # on a connection: no transaction opened yet, reads autocommit


def register(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    _ping_after_idling(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    if engine.dialect.driver == "psycopg":
        _read_outside_transactions(engine)


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


# What makes a SELECT more than a read: a row lock (FOR UPDATE, FOR SHARE, FOR [NO] KEY ...), or a function
# whose effect lasts to the end of the transaction.
_NOT_ONLY_READING = (" FOR ", "pg_advisory_xact_lock", "set_config(")


def _plain_read(statement: str, context) -> bool:
    return (statement.startswith("SELECT ") and not any(part in statement for part in _NOT_ONLY_READING)
            # A server-side cursor (yield_per, stream_results) is DECLAREd, which needs a transaction.
            and not getattr(context, "_is_server_side", False))


def _read_outside_transactions(engine) -> None:
    from psycopg.pq import TransactionStatus  # only when the app runs on psycopg

    @event.listens_for(engine, "begin")
    def _begun(connection) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        # Under a stricter default isolation (an operator's default_transaction_isolation) a request's reads
        # share one snapshot only inside one transaction; and a connection asked for its own keeps it.
        if (connection.dialect.default_isolation_level == "READ COMMITTED"
                and connection.get_execution_options().get("isolation_level") is None
                and dbapi_connection.info.transaction_status == TransactionStatus.IDLE):
            dbapi_connection.autocommit = True  # until the first statement that is not a plain read
            connection.info[_READING_OUTSIDE] = True
        else:
            connection.info.pop(_READING_OUTSIDE, None)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection, cursor, statement, parameters, context, executemany) -> None:
        if _plain_read(statement, context):
            return
        if connection.info.pop(_READING_OUTSIDE, False):
            # Nothing is open yet (each read ended with itself), so psycopg sends BEGIN before this one.
            connection.connection.dbapi_connection.autocommit = False

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        # Back in the pool as psycopg makes it: whatever borrows it outside a Session's transaction
        # (raw_connection) gets transactions, not autocommit.
        if (dbapi_connection is not None and not dbapi_connection.closed and dbapi_connection.autocommit
                and dbapi_connection.info.transaction_status == TransactionStatus.IDLE):
            dbapi_connection.autocommit = False
        record.info.pop(_READING_OUTSIDE, None)
