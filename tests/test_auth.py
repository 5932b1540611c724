"""Logging in and out, password resets by emailed link (over real SMTP), rate limits, CSRF."""
from __future__ import annotations

import re

import pytest

from impact.auth.models import User
from impact.auth.services import find_user_by_email
from impact.extensions import db as _db
from impact.mail.outbox import deliver_due
from tests import factories


def test_login_and_logout(client, db):
    user = factories.user(email="Someone@Example.org")
    response = client.post("/login", data={"email": "someone@example.org ", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302
    assert user.email == "someone@example.org"


def test_wrong_password_is_told_next_to_the_field(client, db):
    factories.user(email="a@example.org")
    page = client.post("/login", data={"email": "a@example.org", "password": "nope"}).get_data(as_text=True)
    assert 'id="password-error"' in page
    assert "That email and password do not match an account." in page


def test_deactivated_user_cannot_log_in(client, db):
    user = factories.user(email="gone@example.org")
    user.active = False
    _db.session.commit()
    response = client.post("/login", data={"email": "gone@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400  # refused, with the message beside the field


def test_next_parameter_cannot_leave_the_site(client, db):
    factories.user(email="a@example.org")
    response = client.post("/login?next=https://evil.example.com/",
                           data={"email": "a@example.org", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/logout")
    response = client.post("/login?next=/account/password",
                           data={"email": "a@example.org", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account/password"


def _reset_link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


@pytest.mark.smtp
def test_password_reset_by_email_over_real_smtp(client, db, smtp_server):
    factories.user(email="forgetful@example.org")
    page = client.post("/password/forgot", data={"email": "forgetful@example.org"}, follow_redirects=True)
    assert "a reset link is on its way" in page.get_data(as_text=True)
    assert deliver_due()["sent"] == 1
    assert deliver_due()["sent"] == 0  # never sent twice
    [message] = smtp_server.messages
    assert message["To"] == "forgetful@example.org"
    link = _reset_link(message)

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 302
    response = client.post("/login", data={"email": "forgetful@example.org", "password": "a brand new secret"})
    assert response.status_code == 302
    client.post("/logout")
    # the link is single-use: the password it set invalidates it
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, db):
    from impact.mail.models import OutboxMessage

    page = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "a reset link is on its way" in page.get_data(as_text=True)
    assert _db.session.query(OutboxMessage).count() == 0


def test_tampered_and_expired_reset_links_get_a_clear_page(client, db, app):
    from impact.auth.services import make_reset_token

    user = factories.user()
    token = make_reset_token(user)
    tampered = client.get(f"/password/reset/{token[:-3]}xyz")
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        expired = client.get(f"/password/reset/{token}")
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)


def test_reset_password_too_short(client, db):
    from impact.auth.services import make_reset_token

    token = make_reset_token(factories.user())
    page = client.post(f"/password/reset/{token}",
                       data={"password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "Use at least 10 characters." in page


def test_change_password_checks_the_current_one(client, login_as, db):
    user = login_as("outsider")
    page = client.post("/account/password", data={"current": "wrong", "password": "x" * 12, "confirm": "x" * 12})
    assert "That is not your current password." in page.get_data(as_text=True)
    client.post("/account/password", data={"current": factories.PASSWORD, "password": "y" * 12, "confirm": "y" * 12})
    _db.session.expire_all()
    assert _db.session.get(User, user.id).check_password("y" * 12)


def test_users_create_command_makes_an_admin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Boss@Example.org", "--name", "Boss", "--admin"],
                           input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output
    user = find_user_by_email("boss@example.org")
    assert user.is_admin and user.check_password("long enough pw")
    again = runner.invoke(args=["users", "create", "boss@example.org", "--name", "Boss"],
                          input="long enough pw\nlong enough pw\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_login_is_rate_limited(app_with, db, monkeypatch):
    from impact.extensions import limiter

    # One limiter for the whole process; init_app below switches it on for every app, so put it back.
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = app_with(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    codes = [client.post("/login", data={"email": "x@example.org", "password": "guess"}).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10  # each a refused login, shown again with its message
    assert codes[10] == 429
    page = client.post("/login", data={"email": "x@example.org", "password": "g"}).get_data(as_text=True)
    assert "Too many attempts" in page


def test_forms_refuse_a_post_without_the_csrf_token(app_with, db):
    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    with protected.app_context():
        factories.user(email="csrf@example.org")
    response = client.post("/login", data={"email": "csrf@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400 and "Form expired" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login",
                           data={"email": "csrf@example.org", "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    # a one-button form (logout) without its token is refused with a clear page, not a stack trace
    refused = client.post("/logout")
    assert refused.status_code == 400 and "Form expired" in refused.get_data(as_text=True)


def _count_password_checks(monkeypatch) -> list[str]:
    """Records the hash of every password check, wherever in our code it happens."""
    from werkzeug.security import check_password_hash

    import impact.auth.models
    import impact.auth.services

    hashes: list[str] = []

    def counting(pwhash, password):
        hashes.append(pwhash)
        return check_password_hash(pwhash, password)

    for module in (impact.auth.models, impact.auth.services):
        monkeypatch.setattr(module, "check_password_hash", counting, raising=False)
    return hashes


def test_a_login_for_a_missing_or_inactive_account_still_hashes_the_password(client, db, app, monkeypatch):
    # The same hashing work whatever the account's state, so timing cannot reveal which emails exist.
    method = app.config["PASSWORD_HASH_METHOD"]
    gone = factories.user(email="gone@example.org")
    gone.active = False
    invited = factories.user(email="invited@example.org")
    invited.password_hash = None  # an account created by an admin, its set-password link not yet used
    _db.session.commit()
    factories.user(email="real@example.org")
    hashes = _count_password_checks(monkeypatch)

    for email in ("nobody@example.org", "gone@example.org", "invited@example.org", "real@example.org"):
        hashes.clear()
        response = client.post("/login", data={"email": email, "password": "a guess"})
        assert response.status_code == 400, email
        assert "do not match an account" in response.get_data(as_text=True), email
        assert len(hashes) == 1, email
        assert hashes[0].startswith(method + "$"), email


def _logged_in_client(app, email: str, *, remember: bool = False):
    other = app.test_client()
    data = {"email": email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    assert other.post("/login", data=data).status_code == 302
    assert other.get("/").status_code == 200
    return other


def test_changing_the_password_logs_out_the_other_sessions_only(client, db, app):
    factories.user(email="twice@example.org")
    this = _logged_in_client(app, "twice@example.org", remember=True)
    elsewhere = _logged_in_client(app, "twice@example.org", remember=True)

    response = this.post("/account/password",
                         data={"current": factories.PASSWORD, "password": "n" * 12, "confirm": "n" * 12})
    assert response.status_code == 302

    assert this.get("/").status_code == 200
    # its re-issued remember cookie still works once the session cookie is gone (browser restart)
    this.delete_cookie("session")
    assert this.get("/").status_code == 200
    # neither the other browser's session nor its remember cookie lets it in any more
    stale = elsewhere.get("/")
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/login")
    elsewhere.delete_cookie("session")
    assert elsewhere.get("/").status_code == 302


def test_resetting_the_password_logs_out_every_session(client, db, app):
    from impact.auth.services import make_reset_token

    user = factories.user(email="reset@example.org")
    elsewhere = _logged_in_client(app, "reset@example.org")
    token = make_reset_token(user)
    response = client.post(f"/password/reset/{token}", data={"password": "r" * 12, "confirm": "r" * 12})
    assert response.status_code == 302
    stale = elsewhere.get("/account/password")
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/login")
