"""The evidence item of a claim's test is picked from a bounded list: the items linked to the claim's step or
link, those a search finds, and the one already chosen; never the whole library (issue 15)."""
from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

from sqlalchemy import select

from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance
from impact.extensions import db as _db
from impact.model_types import utcnow
from impact.toc.services import load_chain
from impact.tracing.item_picker import CAP
from impact.tracing.models import ClaimTest
from tests import factories
from tests.test_tracing import add_test, claim_url, make_claim, text, turn_on, version_of


class Options(HTMLParser):
    """The options of the select named `name`: (optgroup label or None, value, text, selected)."""

    def __init__(self, html: str, name: str = "item_id"):
        super().__init__()
        self.name, self.options, self._inside, self._group, self._option = name, [], False, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._inside = attrs.get("name") == self.name
        elif tag == "optgroup" and self._inside:
            self._group = attrs["label"]
        elif tag == "option" and self._inside:
            self._option = [self._group, attrs["value"], "", "selected" in attrs]

    def handle_endtag(self, tag):
        if tag == "select":
            self._inside = False
        elif tag == "optgroup":
            self._group = None
        elif tag == "option" and self._option is not None:
            self.options.append(tuple(self._option))
            self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data

    def titles(self, group: str | None = ...) -> list[str]:
        return [title for in_group, _value, title, _selected in self.options if group is ... or in_group == group]


def said(response) -> str:
    """The page's text as a reader sees it: whitespace collapsed, entities (&#39;) read."""
    return html.unescape(text(response))


def options(response) -> Options:
    return Options(response.get_data(as_text=True))


def items(project, titles, *, step=None, deleted=False) -> list[EvidenceItem]:
    made = [EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=title,
                         evidence_date=dt.date(2013, 5, 1), deleted_at=utcnow() if deleted else None)
            for title in titles]
    _db.session.add_all(made)
    _db.session.flush()
    if step is not None:
        _db.session.add_all(EvidenceLink(item_id=item.id, step_id=step.id, stance=Stance.SUPPORTS) for item in made)
    _db.session.commit()
    return made


def claim_on_step(project, step):
    claim = make_claim(project)
    claim.step_id = step.id
    _db.session.commit()
    return claim


def test_a_search_finds_items_by_title_whatever_the_case_and_the_chosen_one_is_saved(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    wanted, _other = items(project, ["Carers' survey 2013", "Minutes of the board"])
    login_as("team_member", project)
    page = client.get(claim_url(project, claim))
    assert options(page).titles() == ["None"]  # no search, and the claim is about no step: nothing but "None"
    assert 'role="search"' in page.get_data(as_text=True) and "Find an evidence item by its title" in text(page)
    found = client.get(claim_url(project, claim, "?item_q=  CARERS'  "))
    assert options(found).titles("Matching “CARERS'”") == ["Carers' survey 2013"]
    assert "Minutes of the board" not in found.get_data(as_text=True)
    assert 'value="CARERS&#39;"' in found.get_data(as_text=True)  # the search box keeps what was searched
    assert add_test(client, project, claim, sensitivity="0.9", type_one_error="0.1",
                    item_id=str(wanted.id)).status_code == 302
    assert _db.session.scalar(select(ClaimTest.item_id).where(ClaimTest.claim_id == claim.id)) == wanted.id


def test_like_wildcards_in_a_search_are_plain_characters(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    items(project, ["Attendance 100% at seminar 3", "Attendance at seminar 4"])
    login_as("team_member", project)
    assert options(client.get(claim_url(project, claim, "?item_q=100%"))).titles(
        "Matching “100%”") == ["Attendance 100% at seminar 3"]
    missing = client.get(claim_url(project, claim, "?item_q=_"))
    assert options(missing).titles() == ["None"]
    assert "No evidence item's title contains “_”." in said(missing)


def test_more_matches_than_the_list_holds_say_how_many_and_ask_to_refine(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    items(project, [f"Survey {n:02}" for n in range(CAP + 5)] + ["Interview"])
    login_as("team_member", project)
    response = client.get(claim_url(project, claim, "?item_q=survey"))
    offered = options(response).titles("Matching “survey”")
    assert offered == [f"Survey {n:02}" for n in range(CAP)]  # in title order
    page = text(response)
    assert f"Showing {CAP} of {CAP + 5} items matching “survey”; refine the search." in page
    # The note is tied to the search box and to the select, for screen readers.
    html = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*id="item-search"[^>]*aria-describedby="[^"]*item-picker-note', html)
    assert re.search(r'<select[^>]*aria-describedby="[^"]*item-picker-note[^"]*"[^>]*id="item_id"', html)
    few = text(client.get(claim_url(project, claim, "?item_q=survey 0")))
    assert "refine the search" not in few and "Showing" not in few


def test_the_items_linked_to_the_claims_step_are_offered_without_a_search(client, project, login_as):
    turn_on(project)
    seminars, attendees = project.steps[0], project.steps[1]
    claim = claim_on_step(project, seminars)
    items(project, ["Seminar feedback", "Seminar register"], step=seminars)
    items(project, ["Binned seminar notes"], step=seminars, deleted=True)
    items(project, ["Attendance list"], step=attendees)
    login_as("team_member", project)
    listed = options(client.get(claim_url(project, claim)))
    assert listed.titles() == ["None", "Seminar feedback", "Seminar register"]
    assert listed.titles("Linked to the claim's step") == ["Seminar feedback", "Seminar register"]
    # A search adds its matches; an item in both lists is offered once, with the step's.
    both = options(client.get(claim_url(project, claim, "?item_q=seminar feedback")))
    assert both.titles() == ["None", "Seminar feedback", "Seminar register"]
    link = load_chain(project.id).links[0]
    claim.step_id, claim.link_id = None, link.id
    _db.session.add(EvidenceLink(item_id=items(project, ["Link evidence"])[0].id, link_id=link.id,
                                 stance=Stance.MIXED))
    _db.session.commit()
    assert options(client.get(claim_url(project, claim))).titles("Linked to the claim's link") == ["Link evidence"]


def test_a_step_with_more_items_than_the_list_holds_says_so(client, project, login_as):
    turn_on(project)
    seminars = project.steps[0]
    claim = claim_on_step(project, seminars)
    items(project, [f"Feedback form {n:02}" for n in range(CAP + 1)], step=seminars)
    login_as("team_member", project)
    response = client.get(claim_url(project, claim))
    assert len(options(response).titles("Linked to the claim's step")) == CAP
    assert (f"Showing {CAP} of {CAP + 1} items linked to the claim's step; search to find the others."
            in said(response))


def test_an_item_id_of_another_project_the_trash_or_nowhere_is_refused_by_the_field(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    foreign = items(factories.chain_project(), ["Someone else's notes"])[0]
    binned = items(project, ["Old draft"], deleted=True)[0]
    login_as("lead", project)
    for bad in (str(foreign.id), str(binned.id), "12abc", "99999999999999999999", "-1"):
        response = add_test(client, project, claim, sensitivity="0.9", type_one_error="0.1", item_id=bad)
        assert response.status_code == 400, bad
        page = response.get_data(as_text=True)
        assert re.search(r'id="item_id-error">.*Choose an evidence item of this project \(not one in the trash\)',
                         page, re.S), bad
        assert "Someone else's notes" not in page and "Old draft" not in page
    assert _db.session.scalar(select(ClaimTest.id).where(ClaimTest.claim_id == claim.id)) is None


def test_a_refused_save_offers_the_chosen_item_and_the_search_again(client, project, login_as):
    turn_on(project)
    claim = make_claim(project)
    chosen, _ = items(project, ["Carers' survey 2013", "Carers' survey 2014"])
    login_as("team_member", project)
    searched = client.get(claim_url(project, claim, "?item_q=carers")).get_data(as_text=True)
    action = re.search(r'<form method="post" novalidate class="form" action="([^"]+)"', searched).group(1)
    assert action.endswith("/tests?item_q=carers")
    response = client.post(action, data={"description": "", "item_id": str(chosen.id), "test_type": "hoop",
                                         "found": "found", "version": version_of(claim)})
    assert response.status_code == 400
    listed = options(response)
    assert listed.titles("Matching “carers”") == ["Carers' survey 2013", "Carers' survey 2014"]
    assert [title for _group, _value, title, selected in listed.options if selected] == ["Carers' survey 2013"]
    # Without the search, the chosen item still stays chosen.
    response = add_test(client, project, claim, description="", item_id=str(chosen.id))
    listed = options(response)
    assert listed.titles("Chosen") == ["Carers' survey 2013"] and listed.options[-1][3]


def test_the_edit_page_offers_the_tests_item_and_has_its_own_search(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True)])
    cited, other = items(project, ["Managers' emails", "Staff rota"])
    claim.tests[0].item_id = cited.id
    _db.session.commit()
    login_as("team_member", project)
    edit = claim_url(project, claim, f"/tests/{claim.tests[0].id}/edit")
    listed = options(client.get(edit))
    assert listed.titles() == ["None", "Managers' emails"] and listed.options[1][3]
    searched = options(client.get(edit + "?item_q=rota"))
    assert searched.titles() == ["None", "Staff rota", "Managers' emails"]
    assert client.post(edit + "?item_q=rota", data={
        "description": "Quotes", "item_id": str(other.id), "test_type": "custom", "sensitivity": "0.9",
        "type_one_error": "0.1", "found": "found", "version": version_of(claim)}).status_code == 302
    _db.session.expire_all()
    assert claim.tests[0].item_id == other.id
    # An item put in the trash since is not offered: saving then leaves the test without it, as the select shows.
    other.deleted_at = utcnow()
    _db.session.commit()
    assert options(client.get(edit)).titles() == ["None"]


def test_the_claim_pages_statements_do_not_grow_with_the_library(client, project, login_as, query_counter):
    turn_on(project)
    seminars = project.steps[0]
    claim = claim_on_step(project, seminars)
    login_as("lead", project)
    page, tests = claim_url(project, claim), claim_url(project, claim, "/tests")
    counts = []
    for size in (10, 100):
        items(project, [f"Report {size}-{n}" for n in range(size)], step=seminars)
        items(project, [f"Unlinked report {size}-{n}" for n in range(size)])
        refused = {"description": "", "item_id": str(items(project, [f"Chosen {size}"])[0].id),
                   "test_type": "hoop", "found": "found", "version": version_of(claim)}
        measured = []
        for send in (lambda: client.get(page), lambda: client.get(page + "?item_q=report"),
                     lambda: client.post(tests, data=refused)):  # noqa: B023 (called at once, in the loop)
            with query_counter() as statements:
                assert send().status_code in (200, 400)
            measured.append(len(statements))
        checks = [sql for sql in statements if "FROM evidence_items" in sql and "OVER" not in sql]
        assert len(checks) == 1, checks  # the refused POST checked its item with one statement, not a list
        counts.append(measured)
    assert counts[0] == counts[1], counts
    plain, searched, refused = counts[1]
    # The step's items and the search's are one statement each, cut at the cap and counted in the same
    # statement; the refused save adds the chosen item's check to the page (a GET reads the claim with the
    # user and project before asking the cache: kept pages, impact/projects/kept.py).
    assert searched == plain + 1 and refused == plain + 1, counts
    assert plain <= 8, counts
    with query_counter() as statements:
        assert client.get(page).status_code == 200  # kept: nothing changed since
    assert len(statements) == 1, statements  # the user, the project and role, and the claim, in one
