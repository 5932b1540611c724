"""Contribution tracing through its pages: claims, evidence tests, each Bayes update and the prior table."""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db as _db
from impact.model_types import utcnow
from impact.toc.services import load_chain
from impact.tracing.models import Claim, ClaimTest, TestType
from impact.tracing.services import claims_with_posteriors
from tests import factories


class Tables(HTMLParser):
    """Every table's body rows as lists of cell texts, keyed by the table's caption."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._rows = self._cell = None
        self._in_caption = self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption.strip()] = self._rows

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def evidence_rows(response) -> list[list[str]]:
    return Tables(response.get_data(as_text=True)).tables["Evidence tests in order, with the update each makes"]


def prior_table(response) -> list[list[str]]:
    return Tables(response.get_data(as_text=True)).tables["Posterior confidence for each prior"]


def turn_on(project) -> None:
    project.contribution_tracing = True
    _db.session.commit()


def make_claim(project, prior=0.5, tests=()) -> Claim:
    claim = Claim(project_id=project.id, statement="The seminars changed practice", prior=prior)
    claim.tests = [ClaimTest(description=f"Test {n}", test_type=TestType.CUSTOM, sensitivity=s, type_one_error=a,
                             found=found, position=n) for n, (s, a, found) in enumerate(tests)]
    _db.session.add(claim)
    _db.session.commit()
    return claim


def claim_url(project, claim, suffix=""):
    return f"/projects/{project.id}/tracing/claims/{claim.id}{suffix}"


def version_of(claim) -> str:
    """The claim's version as stored now: what a form opened at this moment carries."""
    return str(_db.session.scalar(select(Claim.version).where(Claim.id == claim.id)))


def add_test(client, project, claim, **fields):
    data = {"description": "Practitioners quote the seminar", "test_type": "custom", "sensitivity": "",
            "type_one_error": "", "found": "found", "item_id": "", "version": version_of(claim)}
    data.update(fields)
    return client.post(claim_url(project, claim, "/tests"), data=data)


def stored_tests(claim) -> list[tuple]:
    _db.session.expire_all()
    return list(_db.session.execute(
        select(ClaimTest.test_type, ClaimTest.sensitivity, ClaimTest.type_one_error, ClaimTest.found)
        .where(ClaimTest.claim_id == claim.id).order_by(ClaimTest.position, ClaimTest.id)))


def test_the_lead_turns_tracing_on_from_the_explanation(client, project, login_as):
    login_as("lead", project)
    page = text(client.get(f"/projects/{project.id}/tracing/"))
    assert "weighs each contribution claim with Bayes' rule" in page
    assert "New claim" not in page
    response = client.post(f"/projects/{project.id}/tracing/settings", data={"enabled": "y"})
    assert response.status_code == 302
    page = text(client.get(f"/projects/{project.id}/tracing/"))
    assert "New claim" in page and "No claims yet" in page
    client.post(f"/projects/{project.id}/tracing/settings", data={})
    _db.session.expire_all()
    assert project.contribution_tracing is False


def test_only_the_lead_sees_the_switch_and_only_editors_the_new_claim_link(client, project, login_as):
    turn_on(project)
    login_as("practitioner_researcher", project)
    page = text(client.get(f"/projects/{project.id}/tracing/"))
    assert "Use contribution tracing" not in page and "New claim" not in page
    assert client.post(f"/projects/{project.id}/tracing/settings", data={}).status_code == 403


def test_claim_pages_answer_404_while_tracing_is_off(client, project, login_as):
    claim = make_claim(project, tests=[(0.9, 0.1, True)])
    login_as("lead", project)
    for url in (f"/projects/{project.id}/tracing/claims/new", claim_url(project, claim),
                claim_url(project, claim, "/edit"), claim_url(project, claim, "/delete")):
        assert client.get(url).status_code == 404, url
    assert add_test(client, project, claim, sensitivity="0.9", type_one_error="0.1").status_code == 404
    assert len(stored_tests(claim)) == 1


def test_a_claim_with_preset_tests_shows_each_update_and_the_posterior_in_words(client, project, login_as):
    turn_on(project)
    login_as("team_member", project)
    seminars = next(step for step in project.steps if step.title == "Seminars")
    response = client.post(f"/projects/{project.id}/tracing/claims/new", data={
        "statement": "The seminars changed how practitioners engage carers", "description": "",
        "about": f"step-{seminars.id}", "prior": "50%"})
    assert response.status_code == 302
    claim = _db.session.scalar(select(Claim).where(Claim.project_id == project.id))
    assert (claim.prior, claim.step_id) == (0.5, seminars.id)

    # A smoking gun found, numbers left blank: the preset's (0.3, 0.02) are used.
    assert add_test(client, project, claim, test_type="smoking_gun").status_code == 302
    # A hoop test sought but not found.
    assert add_test(client, project, claim, test_type="hoop", found="not_found",
                    description="Managers mention it").status_code == 302
    assert stored_tests(claim) == [(TestType.SMOKING_GUN, 0.3, 0.02, True), (TestType.HOOP, 0.95, 0.6, False)]

    response = client.get(claim_url(project, claim))
    rows = evidence_rows(response)
    assert rows[0][2:9] == ["Smoking gun", "0.3", "0.02", "Found", "15", "50% → 94%", "+44 points"]
    # odds 15 × 0.05/0.4 = 1.875, so 1.875/2.875 = 65%
    assert rows[1][2:9] == ["Hoop test", "0.95", "0.6", "Sought but not found", "0.125", "94% → 65%", "−29 points"]
    page = text(response)
    assert "moved confidence in the claim from 50% to 65%" in page
    assert re.search(r"Step: <a [^>]*>Seminars</a>", page)


def test_the_prior_table_shows_what_other_priors_give_with_the_claims_own_highlighted(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, prior=0.25, tests=[(0.9, 0.1, True)])
    login_as("co_researcher", project)
    response = client.get(claim_url(project, claim))
    rows = prior_table(response)
    assert len(rows) == 10  # 0.1 … 0.9 and the claim's own 0.25
    assert ["50%", "90%"] in rows  # the worked result: 0.5 with (0.9, 0.1) found
    assert ["10%", "50%"] in rows  # odds 1/9 × 9 = 1
    assert ["25% (this claim's prior)", "75%"] in rows  # odds 1/3 × 9 = 3
    assert "<strong>25% (this claim's prior)</strong>" in response.get_data(as_text=True)


def test_numbers_typed_with_a_preset_type_win_and_the_test_becomes_custom(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    login_as("lead", project)
    response = add_test(client, project, claim, test_type="hoop", sensitivity="0.9", type_one_error="10%")
    assert response.status_code == 302
    assert "recorded as set by hand" in text(client.get(claim_url(project, claim)))
    # Typing the preset's own numbers keeps the type.
    add_test(client, project, claim, test_type="hoop", sensitivity="95%", type_one_error="0.6", found="not_found")
    assert stored_tests(claim) == [(TestType.CUSTOM, 0.9, 0.1, True), (TestType.HOOP, 0.95, 0.6, False)]
    # 0.5 → 0.9 → with LR 0.125: odds 9 × 0.125 = 1.125 → 53%
    assert "from 50% to 53%" in text(client.get(claim_url(project, claim)))


@pytest.mark.parametrize("fields, field, message", [
    ({"sensitivity": "1.5", "type_one_error": "0.1"}, "sensitivity", "1.5 is outside that"),
    ({"sensitivity": "0.5", "type_one_error": "-0.2"}, "type_one_error", "-0.2 is outside that"),
    ({"sensitivity": "120%", "type_one_error": "0.1"}, "sensitivity", "A percentage must be from 0% to 100%"),
    ({"sensitivity": "high", "type_one_error": "0.1"}, "sensitivity", "is not a number"),
    ({"sensitivity": "60", "type_one_error": "0.1"}, "sensitivity", "Did you mean 60%?"),
    ({"sensitivity": "", "type_one_error": "0.1"}, "sensitivity", "choose one of the four classic test types"),
    ({"sensitivity": "0.5", "type_one_error": "0.1", "found": ""}, "found", "Say whether it was found"),
    ({"sensitivity": "0.5", "type_one_error": "0.1", "description": ""}, "description", "This field is required"),
])
def test_invalid_test_input_gets_a_message_by_the_field_and_saves_nothing(client, project, login_as, fields, field,
                                                                           message):
    turn_on(project)
    claim = make_claim(project)
    login_as("lead", project)
    response = add_test(client, project, claim, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">(.*?)</p>', page, re.S)
    assert error and message in error.group(1), page
    assert stored_tests(claim) == []


@pytest.mark.parametrize("prior, fields, message", [
    (0.5, {"sensitivity": "0", "type_one_error": "0", "found": "found"}, "cannot have been found"),
    (0.5, {"sensitivity": "1", "type_one_error": "100%", "found": "not_found"},
     "cannot have been sought but not found"),
    (1.0, {"sensitivity": "0", "type_one_error": "0.3", "found": "found"}, "Confidence in the claim is 100%"),
    (0.0, {"sensitivity": "0.3", "type_one_error": "0", "found": "found"}, "Confidence in the claim is 0%"),
])
def test_a_test_that_would_leave_the_update_undefined_is_refused(client, project, login_as, prior, fields, message):
    turn_on(project)
    claim = make_claim(project, prior=prior)
    login_as("lead", project)
    response = add_test(client, project, claim, **fields)
    assert response.status_code == 400
    error = re.search(r'id="found-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in error.group(1)
    assert stored_tests(claim) == []


def test_a_test_contradicting_an_earlier_decisive_one_is_refused_naming_neither_wrongly(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.5, 0.0, True)])  # impossible if the claim is false: proves it
    login_as("lead", project)
    response = add_test(client, project, claim, sensitivity="0", type_one_error="0.4")
    assert response.status_code == 400
    assert "Confidence in the claim is 100% at this point" in text(response)
    assert len(stored_tests(claim)) == 1


def test_changing_the_prior_to_certainty_against_the_evidence_is_refused(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.0, 0.3, True)])  # found, yet impossible if the claim is true
    login_as("lead", project)
    assert "from 50% to 0%" in text(client.get(claim_url(project, claim)))
    response = client.post(claim_url(project, claim, "/edit"), data={
        "statement": claim.statement, "about": "", "prior": "100%", "version": str(claim.version)})
    assert response.status_code == 400
    assert re.search(r'id="prior-error">.*Test 1 \(“Test 0”\).*100%', response.get_data(as_text=True), re.S)
    _db.session.expire_all()
    assert claim.prior == 0.5


@pytest.mark.parametrize("prior, message", [
    ("1.5", "1.5 is outside that"), ("150%", "from 0% to 100%"), ("likely", "is not a number"),
    ("", "Enter a number from 0 to 1"), ("50", "Did you mean 50%?")])
def test_a_bad_prior_gets_a_message_and_no_claim(client, project, login_as, prior, message):
    turn_on(project)
    login_as("lead", project)
    response = client.post(f"/projects/{project.id}/tracing/claims/new",
                           data={"statement": "It helped", "about": "", "prior": prior})
    assert response.status_code == 400
    error = re.search(r'id="prior-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in error.group(1)
    assert _db.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_a_claim_cannot_be_about_another_projects_step(client, project, login_as):
    turn_on(project)
    other = factories.chain_project()
    login_as("lead", project)
    response = client.post(f"/projects/{project.id}/tracing/claims/new", data={
        "statement": "It helped", "prior": "0.5", "about": f"step-{other.steps[0].id}"})
    assert response.status_code == 400
    assert "Choose a step or link of this project" in text(response)
    assert _db.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_evidence_with_no_probative_value_is_allowed_and_changes_nothing(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, prior=0.3)
    login_as("lead", project)
    assert add_test(client, project, claim, sensitivity="0.5", type_one_error="50%").status_code == 302
    rows = evidence_rows(client.get(claim_url(project, claim)))
    assert rows[0][6:9] == ["1: no probative value, changes nothing", "30% → 30%", "no change"]


def test_editing_a_test_switches_to_a_preset_and_moving_keeps_the_posterior(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, False)])
    first, second = claim.tests
    login_as("lead", project)
    form = client.get(claim_url(project, claim, f"/tests/{first.id}/edit"))
    assert 'value="0.9"' in form.get_data(as_text=True)
    # Without JavaScript the numbers stay as they were while the type changes: the preset is meant.
    response = client.post(claim_url(project, claim, f"/tests/{first.id}/edit"), data={
        "description": "Quotes", "item_id": "", "test_type": "smoking_gun", "sensitivity": "0.9",
        "type_one_error": "0.1", "found": "found", "version": version_of(claim)})
    assert response.status_code == 302
    assert stored_tests(claim)[0] == (TestType.SMOKING_GUN, 0.3, 0.02, True)
    before = text(client.get(claim_url(project, claim)))
    # odds 15 × 0.4/0.6 = 10 → 91%
    assert "from 50% to 91%" in before
    assert client.post(claim_url(project, claim, f"/tests/{second.id}/move"),
                       data={"direction": "up", "version": version_of(claim)}).status_code == 302
    rows = evidence_rows(client.get(claim_url(project, claim)))
    assert [row[1] for row in rows] == ["Test 1", "Quotes"]
    assert rows[0][7] == "50% → 40%"
    assert "from 50% to 91%" in text(client.get(claim_url(project, claim)))


def test_removing_a_test_and_deleting_a_claim(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, True)])
    login_as("lead", project)
    client.post(claim_url(project, claim, f"/tests/{claim.tests[0].id}/delete"),
                data={"confirm": "yes", "version": version_of(claim)})
    assert stored_tests(claim) == [(TestType.CUSTOM, 0.6, 0.4, True)]
    assert "1 evidence test" in text(client.get(claim_url(project, claim, "/delete")))
    assert client.post(claim_url(project, claim, "/delete")).status_code == 302
    assert _db.session.scalar(select(func.count()).select_from(ClaimTest)) == 0
    assert _db.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_a_conflicting_claim_edit_gets_409_with_the_other_version(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    login_as("lead", project)
    opened = str(claim.version)
    assert client.post(claim_url(project, claim, "/edit"), data={
        "statement": "Theirs", "about": "", "prior": "0.6", "version": opened}).status_code == 302
    response = client.post(claim_url(project, claim, "/edit"), data={
        "statement": "Mine", "about": "", "prior": "0.7", "version": opened})
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this claim" in page and "Theirs" in page and "60%" in page
    _db.session.expire_all()
    assert (claim.statement, claim.prior) == ("Theirs", 0.6)


def _item(project, title, deleted=False):
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=title,
                        evidence_date=dt.date(2012, 1, 1), deleted_at=utcnow() if deleted else None)
    _db.session.add(item)
    _db.session.commit()
    return item


def test_only_live_items_of_the_project_can_back_a_test(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    live, trashed = _item(project, "Good practice guide"), _item(project, "Old draft", deleted=True)
    foreign = _item(factories.chain_project(), "Someone else's notes")
    login_as("lead", project)
    # The select offers what a search finds: never another project's items nor those in the trash.
    for search in ("o", "guide", "draft", "notes"):
        page = client.get(claim_url(project, claim, f"?item_q={search}")).get_data(as_text=True)
        assert "Old draft" not in page and "Someone else" not in page
    assert "Good practice guide" in client.get(claim_url(project, claim, "?item_q=GUIDE")).get_data(as_text=True)
    # An id typed in by hand is checked all the same, with the message by the field.
    for bad in (trashed, foreign):
        response = add_test(client, project, claim, sensitivity="0.9", type_one_error="0.1", item_id=str(bad.id))
        assert response.status_code == 400
        assert re.search(r'id="item_id-error">.*Choose an evidence item of this project', text(response))
        assert bad.title not in text(response)
    assert stored_tests(claim) == []
    assert add_test(client, project, claim, sensitivity="0.9", type_one_error="0.1",
                    item_id=str(live.id)).status_code == 302
    page = client.get(claim_url(project, claim)).get_data(as_text=True)
    assert f'/projects/{project.id}/evidence/' in page and "Item: " in page


def test_claims_with_posteriors_summarises_every_claim(project, query_counter):
    seminars = project.steps[0]
    make_claim(project, tests=[(0.3, 0.02, True)])
    broken = make_claim(project, prior=0.2, tests=[(0.0, 0.0, True)])
    broken.step_id = seminars.id
    _db.session.commit()
    project_id = project.id
    with query_counter() as queries:
        summaries = claims_with_posteriors(project_id)
    assert len(queries) == 2
    assert [(s.prior, s.tests, s.step_id) for s in summaries] == [(0.5, 1, None), (0.2, 1, seminars.id)]
    assert summaries[0].posterior == pytest.approx(0.9375)
    assert summaries[1].posterior is None


@pytest.mark.parametrize("page", ["index", "claim"])
def test_query_count_does_not_grow_with_the_tests(client, project, login_as, query_counter, page):
    turn_on(project)
    login_as("lead", project)
    counts = []
    for size in (2, 20):
        item = _item(project, f"Item {size}")
        claims = [make_claim(project, tests=[(0.6, 0.4, n % 2 == 0) for n in range(size)]) for _ in range(size)]
        for claim in claims:
            claim.step_id, claim.link_id = project.steps[0].id, None
            claim.tests[0].item_id = item.id
        claims[1].step_id, claims[1].link_id = None, load_chain(project.id).links[0].id
        _db.session.commit()
        url = f"/projects/{project.id}/tracing/" if page == "index" else claim_url(project, claims[0])
        with query_counter() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts


def test_tracing_forms_are_protected_against_cross_site_posts(app_with, project):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, True)])
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    lead = factories.user_with_role("lead", project)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": lead.email, "password": factories.PASSWORD, "csrf_token": token})
    page = client.get(claim_url(project, claim)).get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 4  # the add form and each move / remove button
    for url, data in ((claim_url(project, claim, "/tests"), {"description": "x", "test_type": "hoop",
                                                             "found": "found"}),
                      (claim_url(project, claim, f"/tests/{claim.tests[1].id}/move"), {"direction": "up"}),
                      (claim_url(project, claim, "/delete"), {})):
        assert client.post(url, data=data).status_code == 400, url
    assert stored_tests(claim) == [(TestType.CUSTOM, 0.9, 0.1, True), (TestType.CUSTOM, 0.6, 0.4, True)]


def test_the_claim_page_uses_only_the_local_preset_script_and_works_without_it(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    login_as("lead", project)
    page = client.get(claim_url(project, claim)).get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    # The presets, and the site-wide table helper; no charts without tests to chart.
    assert scripts == ['<script src="/static/js/tables.js" defer>', '<script src="/static/js/tracing.js" defer>']
    assert 'data-preset="hoop" data-sensitivity="0.95" data-type-one-error="0.6"' in page
    served = client.get("/static/js/tracing.js")
    assert served.status_code == 200 and b"data-preset" in served.data
    served.close()


# Removing a test: ask first, then offer to undo ------------------------------------------------

class HiddenInputs(HTMLParser):
    """The hidden inputs of the form posting to `action` (what the browser would send)."""

    def __init__(self, html: str, action: str):
        super().__init__()
        self.action, self.fields, self._inside, self.found = action, {}, False, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("action") == self.action
            self.found = self.found or self._inside
        elif tag == "input" and self._inside and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def test_removing_a_test_asks_first_showing_the_posterior_without_it(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, True)])
    first = claim.tests[0]
    login_as("team_member", project)
    page = text(client.get(claim_url(project, claim)))
    assert f'href="{claim_url(project, claim, f"/tests/{first.id}/delete")}"' in page  # a link, not a button
    confirm = client.get(claim_url(project, claim, f"/tests/{first.id}/delete"))
    assert confirm.status_code == 200
    page = text(confirm)
    assert "Remove test 1 (“Test 0”)?" in page
    assert "<dd>0.9</dd>" in page and "<dd>0.1</dd>" in page and "<dd>Found</dd>" in page
    # odds 9 × 1.5 = 13.5 → 93%; without the first test only 1.5 → 60%.
    assert "is now <strong>93%</strong>. Without this test it would be <strong>60%</strong>" in page
    # A POST that does not confirm (an old page's button) removes nothing and asks.
    response = client.post(claim_url(project, claim, f"/tests/{first.id}/delete"), data={"version": version_of(claim)})
    assert response.status_code == 200 and "Remove test 1" in text(response)
    assert len(stored_tests(claim)) == 2


def test_a_removed_test_can_be_put_back_in_its_place_with_its_values(client, project, login_as):
    turn_on(project)
    item = _item(project, "Seminar questionnaires")
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.123456789, 0.4, False), (0.6, 0.4, True)])
    middle = claim.tests[1]
    middle.item_id, middle.description = item.id, "Managers' “emails” & <notes>"
    _db.session.commit()
    before = stored_tests(claim)
    login_as("lead", project)
    response = client.post(claim_url(project, claim, f"/tests/{middle.id}/delete"),
                           data={"confirm": "yes", "version": version_of(claim)})
    assert response.status_code == 302
    assert len(stored_tests(claim)) == 2
    page = client.get(claim_url(project, claim)).get_data(as_text=True)
    assert "Test 2 (“Managers&#39; “emails” &amp; &lt;notes&gt;”) removed." in page
    restore = claim_url(project, claim, "/tests/restore")
    form = HiddenInputs(page, restore)
    assert form.found and form.fields["position"] == "1" and form.fields["item_id"] == str(item.id)
    # The offer is made once: it is not there when the page is opened again.
    assert not HiddenInputs(client.get(claim_url(project, claim)).get_data(as_text=True), restore).found

    assert client.post(restore, data=form.fields).status_code == 302
    assert stored_tests(claim) == before  # same values, same place
    _db.session.expire_all()
    assert [(t.description, t.item_id) for t in claim.tests][1] == ("Managers' “emails” & <notes>", item.id)
    rows = evidence_rows(client.get(claim_url(project, claim)))
    assert [row[1].split("Item:")[0] for row in rows] == ["Test 0", "Managers' “emails” & <notes>", "Test 2"]


def test_putting_a_test_back_is_checked_as_when_adding_one(client, project, login_as):
    turn_on(project)
    item = _item(project, "Seminar questionnaires")
    claim = make_claim(project, tests=[(0.9, 0.1, True)])
    claim.tests[0].item_id = item.id
    _db.session.commit()
    login_as("lead", project)
    client.post(claim_url(project, claim, f"/tests/{claim.tests[0].id}/delete"),
                data={"confirm": "yes", "version": version_of(claim)})
    restore = claim_url(project, claim, "/tests/restore")
    fields = HiddenInputs(client.get(claim_url(project, claim)).get_data(as_text=True), restore).fields
    # Tampered numbers get the message the add form gives, by the (visible) field.
    response = client.post(restore, data={**fields, "sensitivity": "2"})
    assert response.status_code == 400
    assert re.search(r'id="sensitivity-error">.*2 is outside that', response.get_data(as_text=True), re.S)
    # Its item went to the trash meanwhile: said by the item field, the rest of the values kept.
    item.deleted_at = utcnow()
    _db.session.commit()
    response = client.post(restore, data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="item_id-error">.*Choose an evidence item of this project', page, re.S)
    assert re.search(r">\s*Test 0</textarea>", page) and 'value="0.9"' in page
    assert stored_tests(claim) == []
    # Without the item it goes back.
    assert client.post(restore, data={**fields, "item_id": ""}).status_code == 302
    assert stored_tests(claim) == [(TestType.CUSTOM, 0.9, 0.1, True)]


# Two people changing the same claim's tests ----------------------------------------------------

def second_client(app, project, role="team_member"):
    other = app.test_client()
    user = factories.user_with_role(role, project)
    assert other.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return other


def form_version(response) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', response.get_data(as_text=True)).group(1)


def test_every_change_to_the_tests_bumps_the_claims_version(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True)])
    login_as("lead", project)
    versions = [version_of(claim)]
    assert add_test(client, project, claim, sensitivity="0.6", type_one_error="0.4").status_code == 302
    versions.append(version_of(claim))
    _db.session.expire_all()
    second = claim.tests[1].id
    assert client.post(claim_url(project, claim, f"/tests/{second}/edit"), data={
        "description": "Edited", "test_type": "custom", "sensitivity": "0.7", "type_one_error": "0.4",
        "found": "found", "version": versions[-1]}).status_code == 302
    versions.append(version_of(claim))
    assert client.post(claim_url(project, claim, f"/tests/{second}/move"),
                       data={"direction": "up", "version": versions[-1]}).status_code == 302
    versions.append(version_of(claim))
    assert client.post(claim_url(project, claim, f"/tests/{second}/delete"),
                       data={"confirm": "yes", "version": versions[-1]}).status_code == 302
    versions.append(version_of(claim))
    assert [int(v) for v in versions] == list(range(int(versions[0]), int(versions[0]) + 5))


def test_two_people_editing_the_same_test_the_second_gets_409_with_theirs_and_keeps_hers(app, client, project,
                                                                                        login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, True)])
    test = claim.tests[1]
    url = claim_url(project, claim, f"/tests/{test.id}/edit")
    login_as("lead", project)
    other = second_client(app, project)
    opened = form_version(client.get(url))
    assert form_version(other.get(url)) == opened

    assert other.post(url, data={"description": "Their reading", "test_type": "custom", "sensitivity": "0.8",
                                 "type_one_error": "0.3", "found": "not_found", "version": opened}).status_code == 302
    mine = {"description": "My reading", "test_type": "custom", "sensitivity": "0.55", "type_one_error": "0.45",
            "found": "found", "version": opened}
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this claim’s evidence tests while you were editing" in page
    assert "<dd>Their reading</dd>" in page and "<dd>0.8</dd>" in page and "<dd>Sought but not found</dd>" in page
    assert re.search(r">\s*My reading</textarea>", page) and 'value="0.55"' in page  # mine is kept in the form
    assert stored_tests(claim)[1] == (TestType.CUSTOM, 0.8, 0.3, False)
    # Saving again, knowingly, replaces theirs.
    assert client.post(url, data={**mine, "version": form_version(response)}).status_code == 302
    assert stored_tests(claim)[1] == (TestType.CUSTOM, 0.55, 0.45, True)


def test_stale_add_move_and_remove_are_refused_with_the_tests_as_they_are_now(app, client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, True)])
    first, second = claim.tests
    login_as("lead", project)
    opened = form_version(client.get(claim_url(project, claim)))
    other = second_client(app, project)
    assert other.post(claim_url(project, claim, f"/tests/{first.id}/edit"), data={
        "description": "Reworded by someone else", "test_type": "custom", "sensitivity": "0.9",
        "type_one_error": "0.1", "found": "found", "version": opened}).status_code == 302
    before = stored_tests(claim)

    response = add_test(client, project, claim, description="My new test", sensitivity="0.7",
                        type_one_error="0.2", version=opened)
    assert response.status_code == 409
    page = text(response)
    assert "Your test was not added" in page and "Reworded by someone else" in page
    assert re.search(r">\s*My new test</textarea>", page) and 'value="0.7"' in page
    assert form_version(response) == version_of(claim)  # saving again adds it

    response = client.post(claim_url(project, claim, f"/tests/{second.id}/move"),
                           data={"direction": "up", "version": opened})
    assert response.status_code == 409 and "Nothing was moved" in text(response)

    response = client.post(claim_url(project, claim, f"/tests/{second.id}/delete"),
                           data={"confirm": "yes", "version": opened})
    assert response.status_code == 409 and "Nothing was removed" in text(response)
    assert stored_tests(claim) == before
    assert client.post(claim_url(project, claim, f"/tests/{second.id}/delete"),
                       data={"confirm": "yes", "version": form_version(response)}).status_code == 302
    assert len(stored_tests(claim)) == 1


def test_a_save_landing_between_the_check_and_the_write_is_refused(client, project, login_as):
    """Someone else's save commits after our version check but before our UPDATE: 409, not a lost update."""
    from sqlalchemy import event, update

    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True)])
    url = claim_url(project, claim, f"/tests/{claim.tests[0].id}/edit")
    login_as("lead", project)
    engine, fired = _db.engine, []

    def someone_else_saves(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith("UPDATE CLAIMS"):
            fired.append(True)
            with engine.connect() as other:
                other.execute(update(Claim).where(Claim.id == claim.id).values(version=Claim.version + 1))
                other.commit()

    event.listen(engine, "before_cursor_execute", someone_else_saves)
    try:
        response = client.post(url, data={"description": "Mine", "test_type": "custom", "sensitivity": "0.7",
                                          "type_one_error": "0.2", "found": "found", "version": version_of(claim)})
    finally:
        event.remove(engine, "before_cursor_execute", someone_else_saves)
    assert fired and response.status_code == 409
    assert re.search(r">\s*Mine</textarea>", response.get_data(as_text=True))
    assert stored_tests(claim) == [(TestType.CUSTOM, 0.9, 0.1, True)]


def test_a_test_resting_on_a_trashed_item_says_so_without_a_link(client, project, login_as):
    turn_on(project)
    binned = _item(project, "Old draft")
    claim = make_claim(project, tests=[(0.9, 0.1, True)])
    claim.tests[0].item_id = binned.id
    _db.session.commit()
    login_as("co_researcher", project)
    link = f'/projects/{project.id}/evidence/{binned.id}'
    assert link in client.get(claim_url(project, claim)).get_data(as_text=True)
    binned.deleted_at = utcnow()
    _db.session.commit()
    page = text(client.get(claim_url(project, claim)))
    assert "Item: Old draft (in the evidence trash)" in page and link not in page


def test_a_huge_page_number_of_claims_is_not_an_error(client, project, login_as):
    turn_on(project)
    login_as("lead", project)
    assert client.get(f"/projects/{project.id}/tracing/?page=99999999999999999999").status_code == 404


@pytest.mark.parametrize("prior, shown", [(0.0, "0%"), (1.0, "100%")])
def test_a_certain_prior_is_flagged_as_one_no_evidence_can_move(client, project, login_as, prior, shown):
    turn_on(project)
    claim = make_claim(project, prior=prior)
    login_as("team_member", project)
    page = text(client.get(claim_url(project, claim)))
    assert f"A prior of {shown} is certainty: Bayes' rule cannot move it" in page and "Choose a prior" in page
    settled = make_claim(project, prior=0.5)
    assert "is certainty" not in text(client.get(claim_url(project, settled)))
