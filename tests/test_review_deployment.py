"""The review's defects in how the app is deployed and logged into (issue 10, #10 and #12-#15).

Started the way operators start it (gunicorn, `flask run`, Python importing wsgi.py) where the
defect was about starting; through the test client where it was about requests.
"""
from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select, update

from config import DEV_SECRET_KEY, ProductionConfig
from impact.auth.services import RESET_SALT, create_user
from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card
from impact.extensions import db as _db
from impact.followups.models import FollowUp, Response
from impact.followups.services import send_campaign
from impact.model_types import utcnow
from impact.projects.models import Membership, PartnerGroup, Project, Role
from impact.signing import make_token
from tests import factories
from tests.test_review_defects import _campaign, _event
from tests.test_security import _login_attempts

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = secrets.token_hex(32)


def _env(**settings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAIL_", "FLASK_", "IMPACT_", "RATELIMIT_"))
           and key not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(PYTHONUNBUFFERED="1", **settings)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.read().decode()
        except (urllib.error.URLError, OSError):  # not listening yet, or still loading the app
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        return process.communicate(timeout=20)[0] or ""
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0] or ""


# 12. Production unless told otherwise ----------------------------------------------------

def _start_wsgi(**settings) -> subprocess.CompletedProcess:
    """What `gunicorn wsgi:app` does first: import wsgi.py (so create_app runs) in a fresh process."""
    return subprocess.run([sys.executable, "-c", "import wsgi; print(wsgi.app.config['ENVIRONMENT'])"], cwd=ROOT,
                          env=_env(**settings), capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("key", "reason"), [
    (None, "SECRET_KEY is not set"),
    (DEV_SECRET_KEY, "SECRET_KEY is the published development key"),
    ("short-but-not-empty", "SECRET_KEY is shorter than 32 bytes"),
])
def test_the_wsgi_app_without_impact_env_is_production_and_refuses_unsafe_keys(key, reason):
    started = _start_wsgi(**({"SECRET_KEY": key} if key else {}), DATABASE_URL="postgresql+psycopg://u@h/db",
                          RATELIMIT_STORAGE_URI="memory://")
    assert started.returncode != 0
    assert "Refusing to start in production" in started.stderr and reason in started.stderr


def test_the_wsgi_app_starts_in_production_with_safe_settings():
    safe = dict(SECRET_KEY=GOOD_KEY, DATABASE_URL="postgresql+psycopg://u@h/db", RATELIMIT_STORAGE_URI="memory://",
                BASE_URL="https://impact.example.org")
    started = _start_wsgi(**safe)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "production"
    # Emailed links are built from BASE_URL: without it they would point at 127.0.0.1.
    without_base = _start_wsgi(**{key: value for key, value in safe.items() if key != "BASE_URL"})
    assert without_base.returncode != 0 and "BASE_URL is not set" in without_base.stderr


def test_the_served_apps_own_objects_are_left_out_of_garbage_collection():
    # Each full collection walked every object the app is made of, mid-request (the cold pages' slowest times).
    started = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"], cwd=ROOT,
                             env=_env(SECRET_KEY=GOOD_KEY, DATABASE_URL="postgresql+psycopg://u@h/db",
                                      RATELIMIT_STORAGE_URI="memory://", BASE_URL="https://impact.example.org"),
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stderr
    assert int(started.stdout) > 50_000


def test_flask_run_alone_is_development(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port), "--no-reload"], cwd=ROOT,
        env=_env(DATABASE_URL=f"sqlite:///{tmp_path}/dev.db"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/login", process)
    finally:
        output = _stop(process)
    # Production would have refused to start: SQLite, and no SECRET_KEY.
    assert "Log in" in page and "Refusing to start" not in output


def test_a_reset_link_made_from_the_user_id_and_a_guessed_stamp_is_refused(client, db):
    """Invited users' links once carried the fixed stamp "never": with the key, anyone could make one."""
    user = create_user("invited@example.org", "Invited", None)  # as an admin or an invitation makes it
    _db.session.commit()
    for stamp in ("never", None, ""):
        forged = make_token(RESET_SALT, {"uid": user.id, "stamp": stamp})
        assert client.get(f"/password/reset/{forged}").status_code == 400


def test_demo_load_refuses_in_production_unless_told(app_with, db):
    production = app_with(ENVIRONMENT="production")
    with production.app_context():  # the command runs in the production app's context, not the suite's
        refused = production.test_cli_runner().invoke(args=["demo", "load"])
    assert refused.exit_code == 1 and "--allow-production" in refused.output
    assert _db.session.scalar(select(Project.id)) is None


# 13. Sessions ----------------------------------------------------------------------------

def test_logging_in_starts_a_new_session_so_a_planted_csrf_token_is_dropped(app_with, db):
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    user = factories.user("Sam")
    page = client.get("/login").get_data(as_text=True)
    with client.session_transaction() as planted:
        planted_token = planted["csrf_token"]
        planted["planted_by"] = "attacker"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    with client.session_transaction() as after:
        assert "planted_by" not in after and after.get("csrf_token") != planted_token


def _copy_cookies(source, target, *names: str) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


def test_logging_out_ends_the_session_and_the_remember_cookie_on_the_server_too(app, db):
    user = factories.user("Sam")
    browser = app.test_client()
    assert browser.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                        "remember": "y"}).status_code == 302
    session_copy, remember_copy = app.test_client(), app.test_client()
    _copy_cookies(browser, session_copy, "session")
    _copy_cookies(browser, remember_copy, "remember_token")
    assert session_copy.get("/").status_code == 200 and remember_copy.get("/").status_code == 200

    browser.post("/logout")

    for stolen in (session_copy, remember_copy):
        answer = stolen.get("/")
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_logging_out_deletes_the_remember_cookie_in_the_browser_too(app, db):
    user = factories.user("Sam")
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"})
    assert browser.get_cookie("remember_token") is not None
    browser.post("/logout")
    assert browser.get_cookie("remember_token") is None


def test_a_new_password_ends_every_other_login(app, db):
    user = factories.user("Sam")
    here, elsewhere = app.test_client(), app.test_client()
    for browser in (here, elsewhere):
        browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    here.post("/account/password", data={"current": factories.PASSWORD, "password": "a new passphrase",
                                         "confirm": "a new passphrase"})
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


# 10. The per-account login limit counts what the lookup finds ------------------------------

def test_nul_bytes_and_spelling_do_not_reset_the_per_account_login_limit(app_with, db, monkeypatch):
    from impact.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    client = app_with(RATELIMIT_ENABLED=True).test_client()
    factories.user("Sam", email="sam@council.gov.uk")
    assert _login_attempts(client, "203.0.113.9", 10, "sam@council.gov.uk") == [400] * 10
    for variant in ("sam@council.gov.uk\x00", "\x00sam@council.gov.uk", "s\x00am@council.gov.uk\x00\x00",
                    " SAM@council.gov.uk", "sam@ｃouncil.gov.uk", "sam@council。gov.uk", "sam@council.gov.ｕk"):
        assert _login_attempts(client, "203.0.113.9", 1, variant) == [429], repr(variant)


# 14. Races closed in the database ----------------------------------------------------------

def _at_once(*calls):
    """Run each call in its own thread, released together; returns their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_leads_demoting_each_other_at_once_leave_the_project_a_lead(app, db, project):
    original = _db.session.scalar(select(Membership).where(Membership.project_id == project.id))
    ann = factories.user_with_role("lead", project)
    ann_membership = _db.session.scalar(select(Membership).where(Membership.user_id == ann.id))
    _db.session.delete(original)
    bob = factories.user_with_role("lead", project)
    bob_membership = _db.session.scalar(select(Membership).where(Membership.user_id == bob.id))
    _db.session.commit()
    ann_browser, bob_browser = app.test_client(), app.test_client()
    for browser, person in ((ann_browser, ann), (bob_browser, bob)):
        browser.post("/login", data={"email": person.email, "password": factories.PASSWORD})
    demote = {"role": "team_member", "partner_group": "academic", "organisation_id": 0}
    members = f"/projects/{project.id}/members"
    # Plain values: the threads have no app context to load an expired attribute in.
    demote_bob, demote_ann = f"{members}/{bob_membership.id}", f"{members}/{ann_membership.id}"
    for _ in range(5):
        _at_once(lambda: ann_browser.post(demote_bob, data=demote), lambda: bob_browser.post(demote_ann, data=demote))
        _db.session.expire_all()
        roles = _db.session.scalars(select(Membership.role).where(Membership.project_id == project.id)).all()
        assert Role.LEAD in roles, "the project was left without a lead"
        _db.session.execute(update(Membership).where(Membership.project_id == project.id).values(role=Role.LEAD))
        _db.session.commit()


def test_two_respondents_answering_at_once_get_different_pseudonyms(app, db, project):
    event = _event(project)
    _db.session.commit()
    for round_number in range(3):
        cards = [save_card(event, CardData(f"p{round_number}{n}@council.gov.uk", ["Write for the family"],
                                           partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)[0]
                 for n in range(2)]
        send_campaign(_campaign(event, send_at=utcnow()))
        _db.session.commit()
        links = []
        for card in cards:
            followup = _db.session.scalars(select(FollowUp).where(FollowUp.card_id == card.id)
                                           .order_by(FollowUp.id.desc())).first()
            links.append((f"/followup/{make_token('followup-response', followup.id)}", card.actions[0].id))
        answers = _at_once(*[
            (lambda path=path, action=action: app.test_client().post(
                path, data={f"progress_{action}": "some", "helped": "Time", "consent_to_quote": "y"}).status_code)
            for path, action in links])
        assert answers == [200, 200]
        _db.session.expire_all()
        names = _db.session.scalars(select(Response.pseudonym)).all()
        assert len(names) == len(set(names)) == 2 * (round_number + 1), names


# 15. Rate limits shared by every worker ----------------------------------------------------

def test_production_refuses_to_start_with_per_worker_rate_limits_unless_chosen(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("BASE_URL", "https://impact.example.org")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI is not set"):
        ProductionConfig.validate()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")  # one worker, chosen on purpose
    ProductionConfig.validate()


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _login_once(base: str, email: str) -> int:
    """A browser's login attempt: fetch the form (its CSRF token and session cookie), then post it.

    The cookie is sent back by hand: production marks it Secure, which a cookie jar keeps off plain http
    (in production a TLS proxy sits in front)."""
    with urllib.request.urlopen(f"{base}/login", timeout=10) as page:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    data = urllib.parse.urlencode({"email": email, "password": "wrong guess", "csrf_token": token}).encode()
    request = urllib.request.Request(f"{base}/login", data=data, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_three_gunicorn_workers_share_one_login_limit_through_redis(app, db, tmp_path):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("production (gunicorn with several workers) runs on PostgreSQL")
    if not _redis_available():
        pytest.skip("no Redis server on 127.0.0.1:6379")
    port = _free_port()
    log_file = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT,
        env=_env(SECRET_KEY=GOOD_KEY, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                 RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", BASE_URL=f"http://127.0.0.1:{port}"),
        # A file, not a pipe nobody reads while it runs: a full pipe would stall the workers' logging.
        stdout=log_file, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/login", process)
        email = f"{secrets.token_hex(6)}@council.gov.uk"  # a fresh key, whatever earlier runs left in Redis
        answers = [_login_once(f"http://127.0.0.1:{port}", email) for _ in range(16)]
    finally:
        _stop(process)
        log_file.close()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log, log
    # 10 tries a minute per address and account (LOGIN_RATE_LIMIT), counted once for all three workers.
    assert answers == [400] * 10 + [429] * 6
