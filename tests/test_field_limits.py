"""Every form of the app, walked with long, odd and hostile input: no 500s, and what is accepted is kept.

SQLite forgives what PostgreSQL refuses (a string longer than its String(n) column, a NUL byte
in text), so a form can pass every other test on SQLite and still fail in production. This
module does not list the forms by hand: it finds them.

The walk. While the module is collected, a scratch app (SQLite in a temporary directory) gets a
project furnished as for the permission matrix (tests/test_permissions.py), and every GET page
of CASES is rendered: project pages as the lead (or a site admin, where the lead is refused),
admin pages as a site admin, public pages anonymously. Each POST <form> found is matched to the
POST case whose formatted path is its action. Which walks apply to a case (below) follows from
the fields its form showed, so a new form, or a new field with a Length validator, is walked
without touching this file.

Each test, one per form, furnishes its own project on the backend under test, renders the
form's page again and reads the form from it. It then runs, in turn, the walks that apply, each
starting from the case's valid data:

  limit   every text field with a maxlength filled with exactly that many characters,
          multi-byte ones among them (one submission): the case's success answer, and each
          value stored exactly as sent;
  over    every text field one character past its maxlength, or 10,000 characters where it has
          none (one submission, then each field without a message of its own alone): no 5xx;
          a 4xx with a message, or the value stored as sent;
  nul     a NUL byte inside every text value (one submission for the text, one for email
          fields): no 5xx, and either the success answer with each value stored without its
          NUL, or a 4xx refusal;
  email   each email field given, one submission each, addresses that a mail library would read
          as someone else's or as more headers: a 400 with a message, and nothing stored;
  number  every number field given at once, one submission per value, numbers that overflow a
          float or are not finite: a 4xx with a message next to each field.

The walks share the project, limit first on it as furnished. After an accepted submission the
next one is made from the page as then rendered (its version and based-on hidden fields), as
a person would, instead of from the world's values, which are out of date by then; a public
form is sent from a fresh browser, and one whose page no longer shows it (a one-time link was
used) gets a newly furnished project for the rest of its walks.

test_nul_in_public_paths puts NUL bytes in the tokens and keys of the public links, and
test_the_walk_found_the_forms checks that the walk found what it should, so that a change to
the pages or to CASES cannot make this module quietly walk nothing.

A request that raises is reported with the exception and the line of impact/ that raised it
(TESTING propagates exceptions out of the test client instead of answering 500).
"""
from __future__ import annotations

import functools
import io
import itertools
import re
import tempfile
import traceback
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import Enum, String, select, union_all
from werkzeug.exceptions import HTTPException
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField

from impact.extensions import db as _db
from impact.forms import BaseForm
from impact.tracing.forms import ProbabilityField
from tests import factories
from tests.conftest import IsolatedClient, make_app
from tests.form_walk import Control, Form, error_messages, field_errors, parse_forms
from tests.permission_cases import ADMIN, GUEST, PUBLIC, PUBLIC_FORM, UPLOAD, Case
from tests.test_permissions import CASES, expected_status, furnish, world

KINDS = ("limit", "over", "nul", "email", "number")

# Past the limit: one character more than the maxlength, or, for a field without one, this long
# (an address: EMAIL_PAST_LIMIT, past the 254 characters an address can have).
TEXT_PAST_LIMIT = 10_000
EMAIL_PAST_LIMIT = 300

# --- Exceptions, each with its reason -------------------------------------------------------

# POST cases whose data has text fields but whose form is on no page of CASES.
UNMATCHED = {
    # The Undo button shown on the claim page right after a test was removed; the removed test's
    # values travel in hidden fields, so there is nothing a person types.
    "tracing.restore_test-POST",
}

# Text fields whose value is not meant to be stored as typed; their storage is not checked.
NOT_STORED = {
    # Logging in and asking for a reset link look the address up; they store nothing.
    ("auth.login", "email"),
    ("auth.forgot_password", "email"),
}

# Hostile addresses: a display name, a comment, two addresses, an RFC 2047 encoded word (which a
# mail library may decode to the victim's address) and a header injection.
BAD_EMAILS = [
    "Victim <victim@example.org>",
    "(c)victim@example.org",
    "a,b@example.org",
    "=?utf-8?q?victim=40example.org?=@example.org",
    "victim@example.org\r\nBcc: x@example.org",
]
BAD_NUMBERS = ["1e309", "NaN", "inf", "-1e309"]

# Multi-byte text: two-byte letters, a three-byte dash and tick, a four-byte emoji (which counts
# twice in a browser's maxlength, UTF-16, but once in WTForms and in PostgreSQL).
PATTERN = "Ünïcödé–✓🙂 "


# --- Which fields the routes read as numbers --------------------------------------------------

def _form_classes(cls=BaseForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


@functools.cache
def number_field_names() -> frozenset[str]:
    """Names of the form fields parsed as numbers: IntegerField, FloatField, DecimalField, probabilities."""
    numeric = (IntegerField, FloatField, DecimalField, ProbabilityField)
    names = set()
    for cls in _form_classes():
        for name in dir(cls):
            attribute = getattr(cls, name, None)
            if isinstance(attribute, UnboundField) and issubclass(attribute.field_class, numeric):
                names.add(name)
    return frozenset(names)


def is_number(control: Control) -> bool:
    return control.is_number or (control.is_text and control.name in number_field_names())


def is_plain_text(control: Control) -> bool:
    """Typed text that is stored as text (not an email address, not a number)."""
    return control.is_text and not control.is_email and not is_number(control)


# --- The walk -------------------------------------------------------------------------------

def page_roles(case: Case) -> tuple[str, ...]:
    """Who the walk renders a page as: admin pages as a site admin, public ones anonymously, the rest
    as the project's lead, or a site admin if the lead may not (creating projects can be the admins')."""
    if case.need == ADMIN:
        return ("admin",)
    if case.need in (PUBLIC, PUBLIC_FORM, GUEST):
        return ("anonymous",)
    return ("lead", "admin")


def log_in(client, role: str, ids: dict) -> None:
    if role == "anonymous":
        return
    email = ids["lead_email"] if role == "lead" else factories.user_with_role("admin", None).email
    _db.session.commit()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, f"could not log in as {role}"


def post_path(case: Case, ids: dict) -> str:
    return urlsplit(case.path.format(**ids)).path


@dataclass(frozen=True)
class Found:
    """Where the walk found a POST case's form, and what the form holds."""

    case: Case
    page: Case  # the GET case whose page shows the form
    role: str  # whom the page was rendered for, who submits the form
    form: Form

    def kinds(self) -> list[str]:
        return kinds_of(self.form)


def kinds_of(form: Form) -> list[str]:
    fields = form.text_fields() + [c for c in form.controls if c.is_number]
    kinds = []
    if any(c.is_text and c.maxlength for c in fields):
        kinds.append("limit")
    if any(c.is_text and not is_number(c) for c in fields):
        kinds.append("over")
    if any(c.is_text for c in fields):
        kinds.append("nul")
    if any(c.is_email for c in fields):
        kinds.append("email")
    if any(is_number(c) for c in fields):
        kinds.append("number")
    return kinds


@dataclass
class Walk:
    found: dict[str, Found]  # by POST case id
    post_forms: list[tuple[str, str | None, Form]]  # every POST form seen: its page, the endpoint it posts to
    pages: int
    problems: list[str]  # pages that did not render (reported by test_the_walk_found_the_forms)


def walk(app, ids: dict) -> Walk:
    """Render every GET page of CASES and match the POST forms to the POST cases."""
    clients = {}
    for role in ("lead", "admin", "anonymous"):
        clients[role] = app.test_client()
        log_in(clients[role], role, ids)
    # The API's JSON bodies are held to their limits by tests/test_api.py (and schemathesis), not by page forms.
    posts = {post_path(case, ids): case for case in CASES if case.method == "POST" and not case.api}
    adapter = app.url_map.bind("localhost")
    found: dict[str, Found] = {}
    post_forms = []
    pages, problems = 0, []
    for page in (case for case in CASES if case.method == "GET" and not case.api):
        path = page.path.format(**ids)
        _db.session.commit()
        for role in page_roles(page):
            try:
                response = clients[role].get(path)
            except Exception as exc:  # noqa: BLE001 - one broken page must not hide the others' forms
                response = exc
            if isinstance(response, Exception) or response.status_code != 403:
                break  # (a 403 may be the lead's alone: then the next role)
        if isinstance(response, Exception):
            problems.append(f"GET {path} ({page.endpoint}) as {role}: 500: {raised_where(response)}")
            continue
        if response.status_code != 200:
            problems.append(f"GET {path} ({page.endpoint}) as {role}: {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        pages += 1
        for form in parse_forms(response.get_data(as_text=True), urlsplit(path).path):
            if form.method != "POST":
                continue
            try:
                endpoint, _ = adapter.match(form.action, method="POST")
            except HTTPException:
                endpoint = None
            post_forms.append((page.endpoint, endpoint, form))
            case = posts.get(form.action)
            if case is None:
                continue
            # The page of the case's own endpoint wins (new_step's form is also on the chain page...).
            if case.id not in found or (page.endpoint == case.endpoint != found[case.id].page.endpoint):
                found[case.id] = Found(case, page, role, form)
    return Walk(found, post_forms, pages, problems)


@functools.cache
def scratch_walk() -> Walk:
    """The walk on a scratch SQLite app, when the module is collected: it decides the parameters.

    The forms a page shows do not depend on the database, so SQLite (and create_all rather than
    the migrations) is enough here; each test renders its form again on the backend under test.
    """
    with tempfile.TemporaryDirectory() as tmp_dir:
        app = make_app(f"sqlite:///{tmp_dir}/walk.db", UPLOAD_FOLDER=f"{tmp_dir}/uploads")
        app.test_client_class = IsolatedClient
        with app.app_context():
            try:
                _db.create_all()  # the forms do not depend on how the schema was made
                with app.test_request_context():
                    project = factories.chain_project()
                    furnish(project)
                    return walk(app, world(project))
            finally:
                _db.session.remove()
                _db.engine.dispose()


# --- Values ---------------------------------------------------------------------------------

def long_text(length: int, tag: str) -> str:
    """Exactly `length` characters, multi-byte ones among them, starting with `tag`, no outer spaces."""
    text = "".join(itertools.islice(itertools.chain(tag, itertools.cycle(PATTERN)), length))
    return text[:-1] + "✓" if text.endswith(" ") else text


def long_email(length: int, tag: str) -> str:
    """A valid address of exactly `length` characters (local part at most 64, labels at most 63)."""
    local = (tag + "x" * 64)[:min(64, length - 6)]
    domain_length = length - len(local) - 1 - len(".org")
    labels, rest = [], domain_length
    while rest > 0:
        label = min(63, rest if rest <= 63 else rest - 2 if rest == 64 else 63)
        labels.append("d" * label)
        rest -= label + 1
    domain = ".".join(labels)
    address = f"{local}@{domain}.org"
    assert len(address) == length, (len(address), length)
    return address


def organisation_lines(length: int, tag: str) -> str:
    """Partner organisations, one per line of at most 200 characters, `length` characters in all."""
    lines, rest = [], length
    while rest > 0:
        size = rest if rest <= 200 else 199  # 199 and a newline
        lines.append(long_text(size, f"{tag}-{len(lines) + 1} "))
        rest -= size + 1
    return "\n".join(lines)


def with_nul(value: str) -> str:
    cut = max(1, len(value) // 2)
    return value[:cut] + "\x00" + value[cut:]


# --- Submitting and checking -----------------------------------------------------------------

@dataclass
class Outcome:
    status: int
    html: str = ""
    raised: BaseException | None = None

    def describe(self) -> str:
        if self.raised is not None:
            return f"500: {raised_where(self.raised)}"
        messages = error_messages(self.html)
        return f"{self.status}" + (f" with {messages}" if messages else "")


def raised_where(exc: BaseException) -> str:
    """The exception's class and message, and the deepest line of impact/ in its traceback."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if "/impact/" in frame.filename]
    where = ""
    if frames:
        frame = frames[-1]
        where = f" raised at {frame.filename[frame.filename.rindex('/impact/') + 1:]}:{frame.lineno} ({frame.name})"
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    original = getattr(exc, "orig", None)  # the driver's own exception, under SQLAlchemy's
    if original is not None:
        name += f" ({type(original).__module__}.{type(original).__qualname__})"
    text = str(original if original is not None else exc).strip()
    message = text.splitlines()[0] if text else ""
    return f"{name}: {message[:300]}{where}"


def submit(client, path: str, data: dict[str, str]) -> Outcome:
    payload: dict[str, object] = {}
    for key, value in data.items():
        if value.startswith(UPLOAD):  # a file upload: "@upload:name.csv:content", as in Case.request
            name, _, content = value[len(UPLOAD):].partition(":")
            payload[key] = (io.BytesIO(content.encode()), name)
        else:
            payload[key] = value
    _db.session.commit()  # end the test's own read transaction (see Case.request)
    try:
        response = client.post(path, data=payload)
    except Exception as exc:  # noqa: BLE001 - any exception is the 500 a user would get
        return Outcome(500, raised=exc)
    return Outcome(response.status_code, response.get_data(as_text=True))


def string_columns():
    """Every String or Text column (enums aside) of every table."""
    return [column for table in _db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, String) and not isinstance(column.type, Enum)]


def stored(values) -> set[str]:
    """Which of the values are in some String or Text column of some table, exactly (one query)."""
    values = set(values)
    if not values:
        return set()
    query = union_all(*(select(column.label("value")).where(column.in_(values)) for column in string_columns()))
    found = set(_db.session.scalars(query)) & values
    _db.session.commit()
    return found


def short(value: str) -> str:
    return repr(value) if len(value) <= 40 else f"{value[:24]!r}…({len(value)} chars)"


class Setup:
    """A furnished project, the client of the form's role, and the form read from its page."""

    def __init__(self, client, project, case_id: str):
        self.found = scratch_walk().found[case_id]
        self.case = self.found.case
        self.success = expected_status(self.case, self.found.role)
        self.start(client, project)

    def start(self, client, project) -> None:
        furnish(project)
        self.ids = world(project)
        self.client = client
        log_in(client, self.found.role, self.ids)
        self.path = post_path(self.case, self.ids)
        problem = self.read_form()
        assert problem is None, problem
        self.stale = False

    def read_form(self) -> str | None:
        """Render the form's page (again) and read the form from it; what went wrong, if it did."""
        page_path = self.found.page.path.format(**self.ids)
        _db.session.commit()
        response = self.client.get(page_path)
        if response.status_code != 200:
            return f"{self.found.page.id} answered {response.status_code}"
        forms = [form for form in parse_forms(response.get_data(as_text=True), urlsplit(page_path).path)
                 if form.method == "POST" and form.action == self.path]
        if not forms:
            return f"the form posting to {self.path} is no longer on {page_path}"
        self.form = forms[0]
        assert kinds_of(self.form) == self.found.kinds(), "the form differs from the one the walk found"
        # The hidden fields the case fills from the world (a version, the assessment it is based on),
        # as the page now gives them: after an accepted submission the world's values are out of date.
        templated = {key.format(**self.ids) for key, value in self.case.data.items()
                     if re.fullmatch(r"\{\w+\}", value)}
        self.page_values = {control.name: control.value for control in self.form.controls
                            if control.type == "hidden" and control.name in templated}
        return None

    def data(self, **changes: str) -> dict[str, str]:
        """The case's valid data, with the hidden values of the page as now rendered, and the changes."""
        base = {key.format(**self.ids): value.format(**self.ids) for key, value in self.case.data.items()}
        return {**base, **self.page_values, **changes}

    def submit(self, changes: dict[str, str]) -> Outcome:
        if self.stale:
            self.catch_up()
        outcome = submit(self.client, self.path, self.data(**changes))
        self.stale = outcome.raised is None and outcome.status < 400
        return outcome

    def catch_up(self) -> None:
        """After an accepted submission, submit from the page as it is now, as a person would.

        A public form may log its sender in (the login, accepting an invitation): the next one comes
        from a fresh browser. If the form has gone from its page (a one-time link was used), the rest
        of the walk gets a project of its own.
        """
        anonymous = self.found.role == "anonymous"
        if anonymous:
            self.client = self.client.application.test_client()
        if (anonymous or self.page_values) and self.read_form() is not None:
            self.start(self.client.application.test_client(), factories.chain_project())

    def not_stored(self, control: Control) -> bool:
        return (self.case.endpoint, control.name) in NOT_STORED


def _walk_params():
    try:
        walked = scratch_walk()
    except Exception as exc:  # noqa: BLE001 - reported by the test, rather than stopping the whole collection
        return [pytest.param(f"{exc!r}", id="the-walk-failed")]
    return [pytest.param(found.case.id, id=walk_id(found)) for found in walked.found.values() if found.kinds()]


def walk_id(found: Found) -> str:
    return f"{found.case.endpoint}-{'+'.join(found.kinds())}"


@pytest.mark.parametrize("case_id", _walk_params())
def test_form_walk(client, project, case_id):
    """Each walk that applies to the form, in turn, on one furnished project (limit first, on it as furnished)."""
    scratch_walk()  # raises again if the walk failed when the module was collected
    setup = Setup(client, project, case_id)
    failures = [f"[{kind}] {failure}" for kind in setup.found.kinds() for failure in WALKS[kind](setup)]
    assert not failures, f"{setup.case.endpoint}:\n  " + "\n  ".join(failures)


def walk_limit(setup: Setup) -> list[str]:
    changes, expected = {}, {}
    for number, control in enumerate(setup.form.text_fields()):
        # A lookup (logging in) succeeds only with the real address; its limit is walked by "over".
        if not control.maxlength or is_number(control) or setup.not_stored(control):
            continue
        tag = f"L{number}"
        if control.is_email:
            value = long_email(control.maxlength, tag.lower())
        elif (setup.case.endpoint, control.name) == ("projects.new_project", "organisations"):
            value = organisation_lines(control.maxlength, tag)  # one organisation a line, each at most 200
        else:
            value = long_text(control.maxlength, tag)
        assert len(value) == control.maxlength
        changes[control.name] = value
        if not setup.not_stored(control):
            expected[control.name] = value.split("\n")
    outcome = setup.submit(changes)
    sent = ", ".join(f"{name} ({len(value)} chars)" for name, value in changes.items())
    if outcome.status != setup.success or outcome.raised is not None:
        return [f"{sent}: expected {setup.success}, got {outcome.describe()}"]
    found = stored(value for values in expected.values() for value in values)
    return [f"{name} ({len(changes[name])} chars): accepted but not stored as sent"
            for name, values in expected.items() if not set(values) <= found]


def walk_over(setup: Setup) -> list[str]:
    """Every text field one character past its maxlength (as a client ignoring maxlength sends), or very
    long where it has none: no 5xx; a 4xx with a message next to each field, or the value stored as sent.

    One submission for the form; a field refused without a message of its own (so perhaps never
    checked) is then sent past its limit alone.
    """
    changes = {}
    for number, control in enumerate(setup.form.text_fields()):
        if is_number(control):
            continue  # the number walk's
        tag = f"P{number}"
        if control.is_email:
            value = long_email(control.maxlength + 1 if control.maxlength else EMAIL_PAST_LIMIT, tag.lower())
        elif (setup.case.endpoint, control.name) == ("projects.new_project", "organisations"):
            value = organisation_lines(control.maxlength + 1, tag)
        else:
            value = long_text(control.maxlength + 1 if control.maxlength else TEXT_PAST_LIMIT, tag)
        changes[control.name] = value
    outcome = setup.submit(changes)
    problem = past_limit_problem(setup, outcome, changes)
    if problem:
        return [f"{', '.join(f'{name} ({len(value)} chars)' for name, value in changes.items())}: {problem}"]
    if outcome.status < 400:
        return []  # accepted, and stored as sent
    failures = []
    messages = field_errors(outcome.html)
    for control in (setup.form.field(name) for name in changes):
        if control.attrs.get("id") in messages:
            continue
        alone = {control.name: changes[control.name]}
        problem = past_limit_problem(setup, setup.submit(alone), alone)
        if problem:
            failures.append(f"{control.name} ({len(changes[control.name])} chars) alone: {problem}")
    return failures


def past_limit_problem(setup: Setup, outcome: Outcome, changes: dict[str, str]) -> str | None:
    if outcome.raised is not None or outcome.status >= 500:
        return outcome.describe()
    if 400 <= outcome.status < 500:
        return None if error_messages(outcome.html) else f"{outcome.status} without an error message on the page"
    if outcome.status != setup.success:
        return f"expected a 4xx (or {setup.success}), got {outcome.describe()}"
    kept = [name for name, control in ((name, setup.form.field(name)) for name in changes)
            if not setup.not_stored(control)]
    found = stored(line for name in kept for line in changes[name].split("\n"))
    lost = [name for name in kept if not set(changes[name].split("\n")) <= found]
    return f"accepted, but not stored as sent: {', '.join(lost)}" if lost else None


def walk_nul(setup: Setup) -> list[str]:
    """A NUL in every plain text field at once; then, in a second submission, in every email field.

    Apart, so that a refused address (a fine answer) does not hide what happens to the text. Fields
    read as numbers keep the case's value: their odd values are the number walk's.
    """
    failures = []
    data = setup.data()
    controls = setup.form.text_fields()
    for group in ([c for c in controls if is_plain_text(c)], [c for c in controls if c.is_email]):
        changes, expected = {}, {}
        for control in group:
            number = controls.index(control)
            if control.is_email:
                # The login must still find the lead; elsewhere a fresh address shows whether it was stored.
                value = data.get(control.name) if setup.not_stored(control) else f"nul{number}@example.org"
            else:
                value = f"Nul{number} abcdef"
            changes[control.name] = with_nul(value)
            if not setup.not_stored(control):
                expected[control.name] = value
        if changes:
            failures += nul_problems(setup, changes, expected)
    return failures


def nul_problems(setup: Setup, changes: dict[str, str], expected: dict[str, str]) -> list[str]:
    outcome = setup.submit(changes)
    sent = ", ".join(f"{name}={short(value)}" for name, value in changes.items())
    if outcome.raised is not None or outcome.status >= 500:
        return [f"{sent}: {outcome.describe()}"]
    if 400 <= outcome.status < 500:
        return []  # refused: allowed
    if outcome.status != setup.success:
        return [f"{sent}: expected {setup.success} or a 4xx, got {outcome.describe()}"]
    found = stored(expected.values())
    return [f"{name}: accepted, but {short(value)} (the value without its NUL) is not stored"
            for name, value in expected.items() if value not in found]


def walk_emails(setup: Setup) -> list[str]:
    failures = []
    for control in (c for c in setup.form.text_fields() if c.is_email):
        for bad in BAD_EMAILS:
            outcome = setup.submit({control.name: bad})
            problem = refusal_problem(outcome, [control], want=400)
            if bad in stored([bad]):
                problem = f"{problem or 'refused'}, and the address is stored"
            if problem:
                failures.append(f"{control.name}={bad!r}: {problem}")
    return failures


def walk_numbers(setup: Setup) -> list[str]:
    """All number fields of the form at once, for each bad number: each must be refused with its own message."""
    failures = []
    controls = [c for c in setup.form.controls if is_number(c)]
    for bad in BAD_NUMBERS:
        outcome = setup.submit({control.name: bad for control in controls})
        problem = refusal_problem(outcome, controls)
        if problem:
            failures.append(f"{'+'.join(c.name for c in controls)}={bad!r}: {problem}")
    return failures


def refusal_problem(outcome: Outcome, controls: list[Control], want: int | None = None) -> str | None:
    """What is wrong with an answer that should refuse the controls' values: a 4xx (or `want`), a message each."""
    refused = outcome.raised is None and (outcome.status == want if want else 400 <= outcome.status < 500)
    if not refused:
        return f"expected {want or 'a 4xx'} with a message, got {outcome.describe()}"
    messages = field_errors(outcome.html)
    missing = [c.name for c in controls if c.attrs.get("id") not in messages]
    if not error_messages(outcome.html):
        return f"{outcome.status} without an error message on the page"
    if missing:
        return (f"{outcome.status}, but no message next to {', '.join(missing)} "
                f"(messages: {error_messages(outcome.html)})")
    return None


WALKS = {"limit": walk_limit, "over": walk_over, "nul": walk_nul, "email": walk_emails, "number": walk_numbers}


# --- NUL bytes in the public links ----------------------------------------------------------

PUBLIC_PAGES = [case for case in CASES if case.method == "GET" and case.need in (PUBLIC, PUBLIC_FORM, GUEST)
                and case.path_ids()]


def nul_paths(case: Case, ids: dict) -> list[str]:
    """The case's path with %00 inside, and at the end of, each segment that comes from the world."""
    paths = []
    segments = case.path.split("/")
    for index, segment in enumerate(segments):
        if "{" not in segment:
            continue
        value = quote(str(segment.format(**ids)), safe="")
        for broken in (value[:len(value) // 2] + "%00" + value[len(value) // 2:], value + "%00"):
            paths.append("/".join([*(s.format(**ids) for s in segments[:index]), broken,
                                   *(s.format(**ids) for s in segments[index + 1:])]))
    return paths


@pytest.mark.parametrize("case", PUBLIC_PAGES, ids=lambda case: f"{case.endpoint}-nul-path")
def test_nul_in_public_paths(app, project, case):
    furnish(project)
    ids = world(project)
    failures = []
    paths = nul_paths(case, ids)
    assert paths
    for path in paths:
        _db.session.commit()
        try:
            response = app.test_client().get(path)  # anonymous
        except Exception as exc:  # noqa: BLE001
            failures.append(f"GET {path}: 500: {raised_where(exc)}")
            continue
        if not 400 <= response.status_code < 500:
            failures.append(f"GET {path}: expected a 4xx, got {response.status_code}")
    assert not failures, "\n  ".join(["", *failures])


# --- The walk itself ------------------------------------------------------------------------

# What the walk found when this was written: fewer means pages or forms were lost to it. Raise
# these when forms are added; lower them only when forms are removed on purpose.
MIN_TEXT_FORMS = 42  # POST forms with a text field (text-like input or textarea)
MIN_TEXT_FIELDS = 107  # their text fields (most with a maxlength)
MIN_NUMBER_FIELDS = 20  # number inputs and probabilities (7 attendance fields on two event forms; tracing)
MIN_EMAIL_FIELDS = 7


def _text_like_cases(walked: Walk) -> list[Case]:
    """POST cases whose data holds typed text: a key named like a text field of some form, or a value
    with a space or an @ in it."""
    text_names = {control.name for _, _, form in walked.post_forms for control in form.text_fields()}
    return [case for case in CASES if case.method == "POST" and not case.api and any(
        re.sub(r"\{[^}]*\}", "", key) in text_names or key in text_names or " " in value or "@" in value
        for key, value in case.data.items() if not value.startswith(UPLOAD))]


def test_the_walk_found_the_forms():
    walked = scratch_walk()
    assert not walked.problems, "pages of CASES the walk could not render:\n" + "\n".join(walked.problems)
    assert walked.pages >= 60, f"only {walked.pages} pages rendered"
    with_text = [found for found in walked.found.values() if found.form.text_fields()]
    assert len(with_text) >= MIN_TEXT_FORMS, sorted(found.case.id for found in with_text)
    controls = [control for found in walked.found.values() for control in found.form.controls]
    assert sum(len(found.form.text_fields()) for found in walked.found.values()) >= MIN_TEXT_FIELDS
    assert sum(1 for control in controls if is_number(control)) >= MIN_NUMBER_FIELDS
    assert sum(1 for found in walked.found.values() for c in found.form.text_fields() if c.is_email) \
        >= MIN_EMAIL_FIELDS
    # Every POST case with typed text in its data was matched to its form, or is a listed exception.
    unmatched = {case.id for case in _text_like_cases(walked)} - set(walked.found)
    assert unmatched - UNMATCHED == set(), "POST cases with text data whose form the walk did not find"
    assert UNMATCHED & set(walked.found) == set(), "listed as unmatched, but the walk found their forms"
    fields = {(found.case.endpoint, c.name) for found in walked.found.values() for c in found.form.text_fields()}
    assert NOT_STORED <= fields, "NOT_STORED names a field no form has"
    # Every POST form on every page goes to a route with a POST case, so the walk can know every form.
    posted = {case.endpoint for case in CASES if case.method == "POST"}
    strays = {(page, form.action, endpoint) for page, endpoint, form in walked.post_forms if endpoint not in posted}
    assert strays == set(), "forms posting to routes without a POST case"
    assert {kind for found in walked.found.values() for kind in found.kinds()} == set(KINDS)
