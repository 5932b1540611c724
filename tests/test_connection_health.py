"""How requests use pooled database connections: one the server dropped while it sat in the pool is
replaced before a request uses it; a transaction that only read lets the server keep its prepared
statements; one that wrote and did not commit leaves nothing behind."""
from __future__ import annotations

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
