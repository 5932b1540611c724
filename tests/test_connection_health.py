"""How requests use pooled database connections: one the server dropped while it sat in the pool is
replaced before a request uses it; a request that only reads opens no transaction on the server and
lets it keep its prepared statements; one that writes does so in one transaction, and one that wrote
and did not commit leaves nothing behind."""
from __future__ import annotations

import contextlib
import re
import tempfile

import pytest
from sqlalchemy import select, text

from impact.extensions import db as _db
from tests import factories


def _on_pooled_connection(app, sql: str):
    """What ``sql`` answers on the connection the app's pool holds (it holds one after a request)."""
    with app.app_context():
        found = _db.session.execute(text(sql)).scalar_one()
        _db.session.remove()
    return found


@contextlib.contextmanager
def _what_the_server_is_sent(app):
    """Collects, in the list it yields, the messages the app's pooled connection sends to PostgreSQL
    while the block runs (libpq's protocol trace): ("Query", "BEGIN") for a statement sent as text,
    ("Parse", "SELECT ...") for one with parameters, ("Bind", "") for each statement run (a statement
    the server has prepared is bound without being parsed again)."""
    import psycopg.pq

    sent: list[tuple[str, str]] = []
    with app.app_context():
        pooled = _db.engine.raw_connection()  # the one connection the pool holds after a request
        pgconn = pooled.dbapi_connection.pgconn
        pooled.close()
    with tempfile.TemporaryFile() as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
        try:
            yield sent
        finally:
            pgconn.untrace()
        trace.seek(0)
        for line in trace.read().decode().splitlines():
            if found := re.match(r'F\t\d+\tQuery\t "(.*)"$', line):
                sent.append(("Query", found.group(1)))
            elif found := re.match(r'F\t\d+\tParse\t "[^"]*" "(.*)" \d+', line):
                sent.append(("Parse", found.group(1)))
            elif line.startswith("F\t") and "\tBind\t" in line:
                sent.append(("Bind", ""))


def _signed_in_lead(app, project):
    client = app.test_client()
    lead = factories.user_with_role("lead", project)
    assert client.post("/login", data={"email": lead.email, "password": factories.PASSWORD}).status_code == 302
    return client


def test_a_page_after_the_server_dropped_an_idle_connection_still_opens(app, app_with, db, project):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("a SQLite file has no server to drop a connection")
    other = app_with(DATABASE_PING_AFTER_IDLE_SECONDS=0)  # every pooled connection counts as idle
    client = _signed_in_lead(other, project)
    assert client.get(f"/projects/{project.id}").status_code == 200
    dropped = _on_pooled_connection(other, "SELECT pg_backend_pid()")
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    db.session.commit()
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200 and project.title in page.get_data(as_text=True)
    assert _on_pooled_connection(other, "SELECT pg_backend_pid()") != dropped


def test_requests_that_only_read_let_the_server_keep_its_prepared_statements(app, app_with, db, project):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (psycopg's)")
    other = app_with()
    client = _signed_in_lead(other, project)
    for _ in range(6):  # psycopg prepares what a connection ran five times
        assert client.get(f"/projects/{project.id}/reports/").status_code == 200
    assert _on_pooled_connection(other, "SELECT count(*) FROM pg_prepared_statements") > 0


def test_a_request_that_wrote_without_committing_leaves_nothing_behind(app, app_with, db, project):
    from impact.auth.models import User

    other = app_with()
    with other.app_context():  # a request's context: its end is the request's end
        _db.session.add(User(email="never@example.org", name="Never kept", password_hash="x"))
        _db.session.flush()
        assert _db.session.scalar(select(User.id).where(User.email == "never@example.org")) is not None
    with other.app_context():
        assert _db.session.scalar(select(User.id).where(User.email == "never@example.org")) is None


def test_a_page_that_only_reads_opens_no_transaction_on_the_server(app, app_with, db, project):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("SQLite has no server to send BEGIN to")
    other = app_with()
    client = _signed_in_lead(other, project)
    assert client.get(f"/projects/{project.id}").status_code == 200
    with _what_the_server_is_sent(other) as sent:
        page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200 and project.title in page.get_data(as_text=True)
    assert ("Bind", "") in sent  # the page read what it shows
    assert [text for kind, text in sent if kind == "Query"] == []  # no BEGIN, COMMIT or ROLLBACK
    assert all(text.startswith("SELECT ") for kind, text in sent if kind == "Parse"), sent


def test_a_request_that_writes_after_reading_writes_in_one_transaction(app, app_with, db, project):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("SQLite has no server to send BEGIN to")
    from impact.toc.models import Step

    other = app_with()
    client = _signed_in_lead(other, project)
    step = db.session.scalars(select(Step).where(Step.project_id == project.id)).first()
    edit_page = f"/projects/{project.id}/chain/steps/{step.id}/edit"
    form = client.get(edit_page)
    assert form.status_code == 200
    version = re.search(r'name="version"[^>]*value="(\d+)"', form.get_data(as_text=True)).group(1)
    with _what_the_server_is_sent(other) as sent:
        saved = client.post(edit_page, data={"title": "Renamed in one transaction", "level_id": step.level_id,
                                             "description": "", "version": version})
    assert saved.status_code == 302
    assert [text for kind, text in sent if kind == "Query"] == ["BEGIN", "COMMIT"]
    begin, commit = sent.index(("Query", "BEGIN")), sent.index(("Query", "COMMIT"))
    assert all(text.startswith("SELECT ") for kind, text in sent[:begin] if kind == "Parse")
    assert any(text.startswith("UPDATE steps") for kind, text in sent[begin:commit] if kind == "Parse")
    db.session.expire_all()
    assert db.session.get(Step, step.id).title == "Renamed in one transaction"


def _postgresql_only(app) -> None:
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("transactions opened late are PostgreSQL's (psycopg's)")


def test_a_row_locked_for_sharing_stays_locked_to_the_end_of_the_request(app, app_with, db, project):
    _postgresql_only(app)
    from psycopg.pq import TransactionStatus

    from impact.projects.models import Project

    other = app_with()
    with other.app_context():
        _db.session.execute(select(Project.id).where(Project.id == project.id).with_for_update(read=True)).all()
        dbapi = _db.session.connection().connection.dbapi_connection
        assert dbapi.info.transaction_status == TransactionStatus.INTRANS  # the lock holds until the end
        _db.session.execute(select(Project.id).where(Project.id == project.id)).all()
        assert dbapi.info.transaction_status == TransactionStatus.INTRANS


def test_rows_read_in_batches_through_a_server_side_cursor_are_read(app, app_with, db, project):
    _postgresql_only(app)
    from impact.toc.models import Step

    other = app_with()
    with other.app_context():
        titles = list(_db.session.scalars(select(Step.title).where(Step.project_id == project.id)
                                          .execution_options(yield_per=2)))
    assert len(titles) == 3


def test_a_connection_lent_outside_a_request_is_back_to_transactions(app, app_with, db, project):
    _postgresql_only(app)
    other = app_with()
    client = _signed_in_lead(other, project)
    assert client.get(f"/projects/{project.id}").status_code == 200  # read outside a transaction
    with other.app_context():
        raw = _db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("UPDATE projects SET title = 'Never kept' WHERE id = %s", (project.id,))
            raw.rollback()
        finally:
            raw.close()
    db.session.expire_all()
    assert db.session.get(type(project), project.id).title != "Never kept"
