"""Every command cron or an operator runs, run as they run it: ``python -m flask --app wsgi ...``
as a real process, on a fresh database, with an explicit environment.

SQLite runs are a developer's laptop (IMPACT_ENV=development). PostgreSQL runs are production as
an operator sets it up: IMPACT_ENV left unset (production is the default outside ``flask run``),
a real SECRET_KEY, an explicit rate-limit store and BASE_URL. Each test starts from an empty
database (a new SQLite file, or a new PostgreSQL database beside TEST_DATABASE_URL's) and runs
``flask db upgrade`` first, as an operator would.

What needs preparing (a project, an event, campaigns in the state cron finds them) is built with
the app's own services, through an app of our own on the same database; what a command did is
checked the way a person would notice it: its exit status and output, the rows it left, the
mail an SMTP server received, the page a link opens.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text, update

from impact.extensions import db as _db
from tests.conftest import make_app
from tests.test_outbox import ScriptedInbox, start_smtp

ROOT = Path(__file__).resolve().parent.parent
# A guard against a hung process, not a speed test: starting the interpreter and the app alone
# has taken over 10 s on a busy 2-core machine.
TIMEOUT = 120
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
PRODUCTION_BASE_URL = "https://impact.example.org"
DEVELOPMENT_BASE_URL = "http://impact.localhost:5000"
PASSWORD = "a long enough password"

# Settings the app reads from the environment: none may leak in from the shell running the tests.
_SETTINGS = {"SECRET_KEY", "DATABASE_URL", "BASE_URL", "UPLOAD_FOLDER", "MAX_CONTENT_LENGTH",
             "EVIDENCE_FILE_MAX_BYTES", "RATELIMIT_STORAGE_URI", "LOGIN_RATE_LIMIT", "LOGIN_NETWORK_RATE_LIMIT",
             "PUBLIC_FORM_RATE_LIMIT", "API_RATE_LIMIT", "FOLLOWUP_LINK_MAX_AGE_DAYS", "PROXY_FIX_X_FOR", "PGOPTIONS"}
_SETTING_PREFIXES = ("MAIL_", "FLASK_", "IMPACT_")
# What click.password_option and getpass print on stderr when the password comes from a pipe.
_PROMPT_NOISE = ("GetPassWarning", "fallback_getpass", "passwd = ", "Warning: Password input may be echoed",
                 "Password:", "Repeat for confirmation:")


def describe(result: subprocess.CompletedProcess) -> str:
    command = " ".join(result.args[result.args.index("wsgi") + 1:])
    return (f"\n$ flask {command}\nexit status {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}--- stderr ---\n{result.stderr}")


def succeeded(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, describe(result)
    return result


def refused(result: subprocess.CompletedProcess) -> str:
    """The command failed as a command should: a non-zero exit and one line saying why, no traceback."""
    assert result.returncode != 0, describe(result)
    assert "Traceback" not in result.stderr + result.stdout, describe(result)
    lines = [line for line in result.stderr.splitlines()
             if line.strip() and not any(noise in line for noise in _PROMPT_NOISE)]
    assert len(lines) == 1, describe(result)
    return lines[0]


class Site:
    """One installation: a fresh database, the environment its commands run in, and an app of our
    own on the same database for preparing and inspecting data (a test client for pages)."""

    def __init__(self, backend: str, database_url: str, tmp_path: Path):
        self.backend = backend
        self.production = backend == "postgresql"
        self.database_url = database_url
        self.secret_key = secrets.token_hex(32)
        self.base_url = PRODUCTION_BASE_URL if self.production else DEVELOPMENT_BASE_URL
        # Never the repository's instance/uploads: `jobs run` sweeps the upload folder of files
        # that this (fresh, empty) database does not know.
        self.upload_folder = str(tmp_path / "uploads")
        env = {key: value for key, value in os.environ.items()
               if key not in _SETTINGS and not key.startswith(_SETTING_PREFIXES)}
        env.update(DATABASE_URL=database_url, SECRET_KEY=self.secret_key, BASE_URL=self.base_url,
                   UPLOAD_FOLDER=self.upload_folder, PYTHONUNBUFFERED="1")
        if self.production:
            env["RATELIMIT_STORAGE_URI"] = "memory://"
        else:
            env["IMPACT_ENV"] = "development"
        self.env = env
        self._app = None

    def flask(self, *args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                              env={**self.env, **env}, input=input, capture_output=True, text=True,
                              timeout=TIMEOUT)

    @property
    def demo_flags(self) -> tuple[str, ...]:
        return ("--allow-production",) if self.production else ()

    @property
    def app(self):
        if self._app is None:
            self._app = make_app(self.database_url, SECRET_KEY=self.secret_key, BASE_URL=self.base_url,
                                 UPLOAD_FOLDER=self.upload_folder)
        return self._app

    def count(self, model, *where) -> int:
        with self.app.app_context():
            try:
                return _db.session.scalar(select(func.count()).select_from(model).where(*where))
            finally:
                _db.session.remove()

    def close(self) -> None:
        if self._app is not None:
            with self._app.app_context():
                _db.session.remove()
                _db.engine.dispose()


def _postgresql_database(name: str, template: str | None = None) -> tuple[str, callable]:
    """A new, empty PostgreSQL database beside TEST_DATABASE_URL's (or a copy of ``template``), and its removal."""
    base = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"{base.database}_{name}" + (f"_{worker}" if worker else "")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        drop()  # left by a run that was killed half-way
        copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except BaseException:
        admin.dispose()
        raise

    def cleanup() -> None:
        try:
            drop()
        finally:
            admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), cleanup


@pytest.fixture(scope="module", params=BACKENDS)
def migrated(request, tmp_path_factory):
    """(backend, URL) of a database that ``flask db upgrade``, run as a process on an empty database, migrated.

    Once per backend: each test then gets a fresh copy (a file copy, or CREATE DATABASE ... TEMPLATE),
    which is what the migrations would build, without paying for them eleven times.
    """
    folder = tmp_path_factory.mktemp("migrated")
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{folder}/template.db", lambda: None
    else:
        url, cleanup = _postgresql_database("cli_template")
    try:
        result = succeeded(Site(request.param, url, folder).flask("db", "upgrade"))
        assert "Running upgrade" in result.stderr + result.stdout, describe(result)
        yield request.param, url
    finally:
        cleanup()


@pytest.fixture
def site(migrated, tmp_path):
    """An installation on a fresh, migrated database of its own."""
    from impact.extensions import limiter

    backend, template = migrated
    if backend == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path}/impact.db", lambda: None
        shutil.copyfile(template.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
    else:
        url, cleanup = _postgresql_database("cli", template)
    # Flask-Limiter keeps its on/off switch on the extension object, shared by every app.
    limiter_was_enabled = limiter.enabled
    installation = Site(backend, url, tmp_path)
    try:
        yield installation
    finally:
        installation.close()
        limiter.enabled = limiter_was_enabled
        cleanup()


# 1. Operator setup ------------------------------------------------------------------------------

def test_operator_creates_the_first_admin_who_can_then_log_in(site):
    from impact.auth.models import User

    created = succeeded(site.flask("users", "create", "admin@example.org", "--name", "Site Admin", "--admin",
                                   input=f"{PASSWORD}\n{PASSWORD}\n"))
    assert "admin@example.org" in created.stdout, describe(created)

    with site.app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "admin@example.org"))
        assert (user.name, user.is_admin, user.active) == ("Site Admin", True, True)
        _db.session.remove()
    browser = site.app.test_client()
    login = browser.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert login.status_code == 302, login.get_data(as_text=True)
    assert browser.get("/admin/users").status_code == 200  # logged in, and a site admin

    again = site.flask("users", "create", "admin@example.org", "--name", "Someone Else",
                       input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "admin@example.org" in refused(again)
    assert site.count(User, User.email == "admin@example.org") == 1


def test_an_operator_creates_an_api_token_printed_once_and_stored_hashed(site):
    from impact.api.models import ApiToken, token_hash
    from impact.auth.services import create_user

    with site.app.app_context():
        create_user("lead@uni.example.org", "Lead", PASSWORD)
        _db.session.commit()
        _db.session.remove()
    result = succeeded(site.flask("tokens", "create", "lead@uni.example.org", "--name", "Council case system"))
    raw = result.stdout.strip()  # stdout is the token alone, for a script to capture
    assert raw.startswith("imp_") and "\n" not in raw, describe(result)
    assert "not shown again" in result.stderr
    with site.app.app_context():
        token = _db.session.scalar(select(ApiToken))
        assert (token.name, token.token_hash) == ("Council case system", token_hash(raw))
        _db.session.remove()
    program = site.app.test_client(use_cookies=False)
    answer = program.get("/api/v1/projects", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200 and answer.get_json()["items"] == []

    assert "nobody@example.org" in refused(site.flask("tokens", "create", "nobody@example.org", "--name", "X"))
    assert "name" in refused(site.flask("tokens", "create", "lead@uni.example.org", "--name", " "))
    assert site.count(ApiToken) == 1


# 2. The demo --------------------------------------------------------------------------------------

def test_demo_load_is_refused_in_production_without_the_flag_and_loads_once(site):
    from impact.auth.models import User
    from impact.auth.services import create_user
    from impact.demo import seed_data
    from impact.projects.models import Project
    from impact.projects.services import create_project

    demo = Project.title == seed_data.PROJECT["title"]
    with site.app.app_context():
        create_project(creator=create_user("lead@council.example.org", "Lead", PASSWORD), title="Our real project")
        _db.session.commit()
        _db.session.remove()

    # A database that already has a project: --if-empty leaves it alone.
    succeeded(site.flask("demo", "load", "--if-empty", *site.demo_flags))
    assert (site.count(Project), site.count(User)) == (1, 1)

    if site.production:
        reason = refused(site.flask("demo", "load"))
        assert "--allow-production" in reason
        assert (site.count(Project), site.count(User)) == (1, 1)

    loaded = succeeded(site.flask("demo", "load", *site.demo_flags))
    assert site.count(Project, demo) == 1, describe(loaded)
    users = site.count(User)
    assert users > 1

    succeeded(site.flask("demo", "load", *site.demo_flags))
    assert (site.count(Project, demo), site.count(Project), site.count(User)) == (1, 2, users)


# 3. The report ------------------------------------------------------------------------------------

def test_report_prints_the_projects_report_as_json_and_refuses_an_unknown_project(site):
    from impact.demo.loader import load_demo

    with site.app.test_request_context():
        project, _ = load_demo()
        _db.session.commit()
        project_id, title = project.id, project.title
        _db.session.remove()

    result = succeeded(site.flask("report", str(project_id)))
    try:
        report = json.loads(result.stdout)  # all of stdout, as a script piping it on would read it
    except json.JSONDecodeError as error:
        pytest.fail(f"stdout is not JSON ({error}){describe(result)}")
    assert {"project", "action_cards", "steps", "factors", "claims"} <= set(report), describe(result)
    assert (report["project"]["id"], report["project"]["title"]) == (project_id, title)
    assert report["steps"] and report["action_cards"]["cards"] > 0

    assert "999999" in refused(site.flask("report", "999999"))


# 4. Card import ----------------------------------------------------------------------------------

CARD_COLUMNS = ["email", "name", "organisation", "partner_group", "action_1", "action_2", "action_3"]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(CARD_COLUMNS)
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(CARD_COLUMNS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    workbook.close()
    return path


def _an_event(site: Site, title: str) -> int:
    from impact.auth.services import create_user
    from impact.events.models import EventKind
    from impact.events.services import save_event
    from impact.projects.services import create_project

    with site.app.test_request_context():
        project = create_project(creator=create_user("lead@uni.example.org", "Lead", PASSWORD),
                                 title="Involuntary clients", question="Did the seminars change practice?")
        event = save_event(project, None, kind=EventKind.SEMINAR, title=title, event_date=dt.date(2024, 3, 15),
                           place="Glasgow", notes="", attendance={})
        _db.session.commit()
        event_id = event.id
        _db.session.remove()
    return event_id


def test_cards_import_from_csv_and_xlsx_and_a_bad_row_stores_nothing(site, tmp_path):
    from impact.cards.models import ActionCard

    event_id = _an_event(site, "Spring seminar")
    csv_file = _write_csv(tmp_path / "cards.csv", [
        ["ann@council-a.gov.uk", "Ann", "Council A", "practitioner", "Write reports for the family", "", ""],
        ["bob@council-b.gov.uk", "Bob", "Council B", "manager", "Give findings time in team meetings",
         "Share the guide", ""],
    ])
    xlsx_file = _write_xlsx(tmp_path / "cards.xlsx", [
        ["cat@council-c.gov.uk", "Cat", "Council C", "practitioner", "Ask families what helps", None, None],
        ["dan@uni.ac.uk", "Dan", "University", "academic", "Run a follow-up seminar", None, None],
    ])

    from_csv = succeeded(site.flask("cards", "import", str(event_id), str(csv_file)))
    assert "Spring seminar" in from_csv.stdout and "2 cards added" in from_csv.stdout, describe(from_csv)
    from_xlsx = succeeded(site.flask("cards", "import", str(event_id), str(xlsx_file)))
    assert "2 cards added" in from_xlsx.stdout, describe(from_xlsx)
    assert site.count(ActionCard, ActionCard.event_id == event_id) == 4

    bad_file = _write_csv(tmp_path / "bad.csv", [
        ["eve@council-a.gov.uk", "Eve", "Council A", "practitioner", "Try motivational interviewing", "", ""],
        ["", "Nobody", "Council B", "practitioner", "An action without an email", "", ""],  # spreadsheet row 3
        ["ann@council-a.gov.uk", "Ann Renamed", "Council A", "practitioner", "Write reports for the family", "", ""],
    ])
    bad = site.flask("cards", "import", str(event_id), str(bad_file))
    assert bad.returncode != 0, describe(bad)
    assert "Traceback" not in bad.stderr, describe(bad)
    assert re.search(r"^Row 3\b", bad.stderr, re.MULTILINE), describe(bad)
    assert not re.search(r"^Row [24]\b", bad.stderr, re.MULTILINE), describe(bad)
    assert "Nothing was stored" in bad.stderr, describe(bad)
    # Neither the good new row nor the good update was kept.
    assert site.count(ActionCard, ActionCard.event_id == event_id) == 4
    assert site.count(ActionCard, ActionCard.email == "eve@council-a.gov.uk") == 0
    assert site.count(ActionCard, ActionCard.name == "Ann Renamed") == 0


# 5. What cron finds: follow-ups and reminders due --------------------------------------------------

CRON_CARDS = [
    ("ann@council-a.gov.uk", "Ann", ["Write reports for the family, not the file"]),
    ("bob@council-b.gov.uk", "Bob", ["Use the relationship-based practice checklist", "Share it"]),
    ("cat@council-c.gov.uk", "Cat", ["Give findings time in team meetings"]),
]
DUE_SUBJECT = "A year on: how did your actions go?"
EARLIER_SUBJECT = "Three months on: how did your actions go?"
UNANSWERED = "cat@council-c.gov.uk"


def _cron_state(site: Site) -> None:
    """An event with three cards; a campaign due an hour ago (never sent); an earlier campaign, sent
    and delivered weeks ago, answered by all but one, whose reminder was due an hour ago."""
    from impact.auth.services import create_user
    from impact.cards.models import CardSource
    from impact.cards.services import CardData, save_card
    from impact.events.models import EventKind
    from impact.events.services import save_event
    from impact.followups.emails import DEFAULT_MESSAGE
    from impact.followups.models import Campaign, FollowUp, Progress
    from impact.followups.services import save_campaign, save_response, send_campaign
    from impact.mail.models import OutboxMessage, OutboxStatus
    from impact.model_types import utcnow
    from impact.projects.services import create_project

    now = utcnow()
    # A request context only for queueing the earlier campaign's (long delivered) emails here.
    with site.app.test_request_context():
        project = create_project(creator=create_user("lead@uni.example.org", "Lead", PASSWORD),
                                 title="Involuntary clients", question="Did the seminars change practice?")
        event = save_event(project, None, kind=EventKind.SEMINAR, title="Spring seminar",
                           event_date=(now - dt.timedelta(days=400)).date(), place="Glasgow", notes="",
                           attendance={})
        for email, name, actions in CRON_CARDS:
            save_card(event, CardData(email=email, name=name, actions=actions), CardSource.PAPER)
        earlier = save_campaign(event, None, subject=EARLIER_SUBJECT, message=DEFAULT_MESSAGE, reminder_message="",
                                send_at=now - dt.timedelta(days=30), reminder_at=now - dt.timedelta(hours=1),
                                closes_at=now + dt.timedelta(days=60))
        assert send_campaign(earlier) == len(CRON_CARDS)
        _db.session.flush()
        for followup in _db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == earlier.id)):
            if followup.card.email != UNANSWERED:
                save_response(followup,
                              progress={action.id: (Progress.SOME, "", "") for action in followup.card.actions},
                              helped="My manager", hindered="", anything_else="", consent_to_quote=False,
                              pseudonym="")
        # As if it had all happened a month ago, and the outbox had delivered it then.
        month_ago = now - dt.timedelta(days=30)
        _db.session.execute(update(Campaign).where(Campaign.id == earlier.id).values(sent_at=month_ago))
        _db.session.execute(update(FollowUp).where(FollowUp.campaign_id == earlier.id).values(sent_at=month_ago))
        _db.session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT, sent_at=month_ago, attempts=1))
        save_campaign(event, None, subject=DUE_SUBJECT, message=DEFAULT_MESSAGE, reminder_message="",
                      send_at=now - dt.timedelta(hours=1), reminder_at=now + dt.timedelta(days=14),
                      closes_at=now + dt.timedelta(days=60))
        _db.session.commit()
        _db.session.remove()


def _personal_links(site: Site, message) -> list[str]:
    """The personal links in a message's plain-text body (its reply link and its opt-out link) all
    start with BASE_URL; returns the reply link."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = [link for link in re.findall(r"https?://\S+", body) if "/followup/" in link]
    assert links, body
    assert all(link.startswith(site.base_url + "/followup/") for link in links), (site.base_url, links)
    respond = [link for link in links if re.fullmatch(re.escape(site.base_url) + r"/followup/[^/\s]+", link)]
    assert len(respond) == 1, body
    return respond


@pytest.mark.smtp
def test_jobs_run_from_cron_sends_due_followups_and_reminders_once(site):
    from impact.mail.models import OutboxMessage, OutboxStatus

    _cron_state(site)
    inbox = ScriptedInbox()
    controller, port = start_smtp(inbox)
    try:
        mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}
        first = succeeded(site.flask("jobs", "run", **mail))
        received = Counter((str(message["To"]), str(message["Subject"])) for message in inbox.messages)
        expected = Counter({(email, DUE_SUBJECT): 1 for email, *_ in CRON_CARDS})
        expected[(UNANSWERED, f"Reminder: {EARLIER_SUBJECT}")] = 1
        assert received == expected, describe(first)

        respondent = site.app.test_client()  # no login: the link is all a respondent needs
        for message in inbox.messages:
            (link,) = _personal_links(site, message)
            page = respondent.get(link[len(site.base_url):])
            assert page.status_code == 200, (message["To"], link, page.status_code)
            assert 'name="progress_' in page.get_data(as_text=True), (message["To"], link)

        second = succeeded(site.flask("jobs", "run", **mail))
        assert len(inbox.messages) == sum(expected.values()), describe(second)
    finally:
        controller.stop()
    not_sent = OutboxMessage.status != OutboxStatus.SENT
    assert site.count(OutboxMessage, not_sent) == 0, describe(second)


# 6. A failing piece of work shows -------------------------------------------------------------------

def test_jobs_run_exits_1_and_says_what_failed_when_the_database_refuses(site):
    """Cron mails a job's output when it exits non-zero, so a piece of work that fails must show in
    the exit status and the output. Here the database cannot be read in time. On PostgreSQL another
    session holds a lock on the follow-up campaigns only (the run has a short lock_timeout), so the
    work that does not need them still runs."""
    if site.backend == "sqlite":
        # There every statement of every piece (and of its record) waits out the 5 s busy timeout: over a
        # minute of a ten-minute suite to show what the PostgreSQL run shows in eight seconds.
        pytest.skip("a locked SQLite file fails every piece of work alike; shown on PostgreSQL")
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as holder:
            holder.execute(text("LOCK TABLE followup_campaigns IN ACCESS EXCLUSIVE MODE"))
            result = site.flask("jobs", "run", PGOPTIONS="-c lock_timeout=2000")
            holder.rollback()
    finally:
        engine.dispose()
    assert result.returncode == 1, describe(result)
    assert "failed" in result.stderr and "lock timeout" in result.stderr, describe(result)
    # One broken piece of work does not stop the others.
    assert "unused files removed" in result.stdout, describe(result)
    # Once the lock is gone, the next run is clean.
    succeeded(site.flask("jobs", "run"))
