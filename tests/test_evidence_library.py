"""The evidence library: adding, editing, finding, linking and trashing evidence items."""
from __future__ import annotations

import datetime as dt
import html
import random
import re

import pytest
from sqlalchemy import func, select

from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card, tag_actions
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence import services as library
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.evidence.queries import evidence_by_target
from impact.extensions import db as _db
from impact.followups.models import FollowUp, Progress
from impact.followups.services import save_campaign, save_response, send_campaign
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.toc.services import add_step, load_chain
from tests import factories


def _url(project, tail=""):
    return f"/projects/{project.id}/evidence{tail}"


def _item(project, user=None, title="Seminar questionnaires", **values):
    values = {"kind": EvidenceKind.QUESTIONNAIRE, "title": title, "evidence_date": dt.date(2011, 3, 15),
              "source": "Seminar 1", "partner_group": PartnerGroup.PRACTITIONER, "summary": "", "quote": "",
              "pseudonym": "", "consent_to_quote": False, **values}
    item = library.create_item(project, user, values)
    _db.session.commit()
    return item


def _link(item, *, step=None, link=None, stance=Stance.SUPPORTS, strength=Strength.MODERATE, note=""):
    made = EvidenceLink(item_id=item.id, step_id=step, link_id=link, stance=stance, strength=strength, note=note)
    _db.session.add(made)
    _db.session.commit()
    return made


def _steps(project):
    return {step.title: step for step in load_chain(project.id).steps}


def _version(item_id: int) -> str:
    """The item's version as saved, as the link forms carry it."""
    _db.session.expire_all()
    return str(_db.session.get(EvidenceItem, item_id).version)


FORM = {"kind": "meeting_record", "title": "Impact meeting", "evidence_date": "2011-09-20",
        "source": "Meeting three months after the PRPs", "partner_group": "practitioner",
        "summary": "Practitioners described changes.", "quote": "", "pseudonym": ""}


def test_a_co_researcher_adds_an_item_linked_to_a_step(client, project, login_as):
    login_as("co_researcher", project)
    seminars = _steps(project)["Seminars"]
    response = client.post(_url(project, "/new"), data={**FORM, "link_step_ids": [str(seminars.id)],
                                                        "link_stance": "challenges"})
    assert response.status_code == 302
    item = _db.session.scalar(select(EvidenceItem).where(EvidenceItem.project_id == project.id))
    assert item.title == "Impact meeting" and item.kind == EvidenceKind.MEETING_RECORD
    assert [(link.step_id, link.stance) for link in item.links] == [(seminars.id, Stance.CHALLENGES)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Impact meeting" in page and "Meeting three months after the PRPs" in page
    assert "Seminars" in page and f"/chain/steps/{seminars.id}" in page
    # Their own item: they may link it further, choosing from the project's chain by kind of target.
    assert '<optgroup label="Steps">' in page and '<optgroup label="Influencing factors">' in page


def test_quote_shown_with_pseudonym_only_with_consent(client, project, login_as):
    login_as("team_member", project)
    consented = _item(project, title="Quoted", quote="It changed how I write reports", pseudonym="Practitioner A",
                      consent_to_quote=True)
    withheld = _item(project, title="Not quoted", quote="My manager never listens", pseudonym="Practitioner B")
    page = client.get(_url(project, f"/{consented.id}")).get_data(as_text=True)
    assert "It changed how I write reports" in page and "Practitioner A" in page
    page = client.get(_url(project, f"/{withheld.id}")).get_data(as_text=True)
    assert "Quote withheld: no consent" in page
    assert "My manager never listens" not in page and "Practitioner B" not in page
    # Searching for the words of a withheld quote must not reveal it either.
    listing = client.get(_url(project, "/?q=manager+never")).get_data(as_text=True)
    assert "Not quoted" not in listing


def test_quoting_with_consent_needs_a_pseudonym(client, project, login_as):
    login_as("lead", project)
    response = client.post(_url(project, "/new"), data={**FORM, "quote": "Very useful", "consent_to_quote": "y"})
    assert response.status_code == 400
    assert "Give a pseudonym for the person quoted" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_bad_date_gets_a_message_next_to_the_field(client, project, login_as):
    login_as("lead", project)
    response = client.post(_url(project, "/new"), data={**FORM, "evidence_date": "2024-13-01"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="evidence_date-error"' in page and "Enter a real date as YYYY-MM-DD" in page
    assert 'value="Impact meeting"' in page  # what was typed is kept


def test_edit_item(client, project, login_as):
    lead = login_as("lead", project)
    item = _item(project, lead)
    form = client.get(_url(project, f"/{item.id}/edit")).get_data(as_text=True)
    assert 'value="Seminar questionnaires"' in form
    response = client.post(_url(project, f"/{item.id}/edit"),
                           data={**FORM, "title": "Seminar questionnaires (all 3)", "version": str(item.version)})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(EvidenceItem, item.id).title == "Seminar questionnaires (all 3)"


def test_contributor_cannot_change_someone_elses_item_but_can_change_their_own(client, project, login_as):
    lead = factories.user_with_role("team_member", project)
    others = _item(project, lead, title="Team's item")
    researcher = login_as("practitioner_researcher", project)
    own = _item(project, researcher, title="My notes")
    step = _steps(project)["Seminars"]
    data = {**FORM, "title": "Changed", "version": "1"}
    assert client.post(_url(project, f"/{others.id}/edit"), data=data).status_code == 403
    assert client.get(_url(project, f"/{others.id}/edit")).status_code == 403
    assert client.post(_url(project, f"/{others.id}/links"),
                       data={"target": f"step:{step.id}", "stance": "supports", "strength": "weak"}).status_code == 403
    assert client.post(_url(project, f"/{others.id}/delete")).status_code == 403
    others_page = client.get(_url(project, f"/{others.id}")).get_data(as_text=True)
    assert "Edit evidence" not in others_page and "Add link" not in others_page
    assert client.post(_url(project, f"/{own.id}/edit"), data=data).status_code == 302
    assert client.post(_url(project, f"/{own.id}/links"),
                       data={"target": f"step:{step.id}", "stance": "supports", "strength": "weak",
                             "version": _version(own.id)}).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(EvidenceItem, others.id).title == "Team's item"
    assert _db.session.get(EvidenceItem, own.id).title == "Changed"
    assert [link.step_id for link in _db.session.get(EvidenceItem, own.id).links] == [step.id]


def test_second_save_of_the_same_version_is_refused_with_the_other_version_shown(client, project, login_as):
    login_as("lead", project)
    item = _item(project)
    version = str(item.version)
    first = client.post(_url(project, f"/{item.id}/edit"), data={**FORM, "title": "First title", "version": version})
    assert first.status_code == 302
    second = client.post(_url(project, f"/{item.id}/edit"), data={**FORM, "title": "Second title", "version": version})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this evidence" in page and "First title" in page
    assert 'value="Second title"' in page  # your version is still in the form
    _db.session.expire_all()
    assert _db.session.get(EvidenceItem, item.id).title == "First title"
    # Saving again from the conflict page (now based on their version) goes through.
    retry = client.post(_url(project, f"/{item.id}/edit"),
                        data={**FORM, "title": "Second title", "version": str(int(version) + 1)})
    assert retry.status_code == 302


def _titles(response) -> set[str]:
    page = response.get_data(as_text=True)
    return {title for title in ("Questionnaires", "Flipchart", "Guide", "Attendance") if f">{title}</a>" in page}


@pytest.fixture
def library_items(project):
    steps = _steps(project)
    questionnaires = _item(project, title="Questionnaires", evidence_date=dt.date(2011, 3, 15),
                           summary="18 of 20 found it USEFUL")
    flipchart = _item(project, title="Flipchart", kind=EvidenceKind.WORKSHOP_NOTES, evidence_date=dt.date(2011, 6, 1),
                      partner_group=PartnerGroup.MANAGER, quote="we will try it", consent_to_quote=True,
                      pseudonym="Manager C")
    guide = _item(project, title="Guide", kind=EvidenceKind.DOCUMENT, evidence_date=dt.date(2012, 1, 31),
                  partner_group=PartnerGroup.ACADEMIC, source="Good practice guide 50%")
    _item(project, title="Attendance", kind=EvidenceKind.FIGURE, evidence_date=dt.date(2011, 3, 16))
    _link(questionnaires, step=steps["Seminars"].id)
    _link(flipchart, step=steps["Seminars"].id, stance=Stance.CHALLENGES)
    _link(guide, step=steps["Reports written for the client"].id, stance=Stance.MIXED)
    return steps


def test_library_lists_newest_first_and_filters(client, project, login_as, library_items):
    steps = library_items
    login_as("practitioner_researcher", project)
    response = client.get(_url(project, "/"))
    page = response.get_data(as_text=True)
    order = [page.index(f">{title}<") for title in ("Guide", "Flipchart", "Attendance", "Questionnaires")]
    assert order == sorted(order)
    assert "Supports: 1" in page and "Challenges: 1" in page and "Mixed: 1" in page
    assert _titles(client.get(_url(project, "/?q=useful"))) == {"Questionnaires"}
    assert _titles(client.get(_url(project, "/?q=we+will+try"))) == {"Flipchart"}  # a consented quote
    assert _titles(client.get(_url(project, "/?q=50%25"))) == {"Guide"}  # % is a character, not a wildcard
    assert _titles(client.get(_url(project, "/?kind=figure"))) == {"Attendance"}
    assert _titles(client.get(_url(project, f"/?step={steps['Seminars'].id}"))) == {"Questionnaires", "Flipchart"}
    assert _titles(client.get(_url(project, "/?partner_group=academic"))) == {"Guide"}
    dated = client.get(_url(project, "/?date_from=2011-03-16&date_to=2011-12-31"))
    assert _titles(dated) == {"Flipchart", "Attendance"}
    assert _titles(client.get(_url(project, "/?stance=challenges"))) == {"Flipchart"}
    assert _titles(client.get(_url(project, "/?stance=supports&kind=workshop_notes"))) == set()


def test_bad_filter_values_get_a_message_not_an_error(client, project, login_as, library_items):
    login_as("lead", project)
    response = client.get(_url(project, "/?date_from=2024-13-01&kind=figure"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="date_from-error"' in page and "Enter a real date as YYYY-MM-DD" in page
    assert _titles(response) == {"Attendance"}  # the valid filter still applies
    response = client.get(_url(project, "/?kind=nonsense&step=abc&date_from=2012-01-01&date_to=2011-01-01"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="kind-error"' in page and 'id="step-error"' in page and "The end date is before the start date" in page


def test_links_add_duplicate_edit_and_remove(client, project, login_as):
    login_as("team_member", project)
    item = _item(project)
    chain = load_chain(project.id)
    link = chain.links[0]
    assumption = chain.assumptions_by_link[link.id][0]
    factor = next(f for fs in chain.factors_by_step.values() for f in fs)
    for target in (f"link:{link.id}", f"assumption:{assumption.id}", f"factor:{factor.id}"):
        response = client.post(_url(project, f"/{item.id}/links"),
                               data={"target": target, "stance": "supports", "strength": "strong", "note": "Clear",
                                     "version": _version(item.id)})
        assert response.status_code == 302
    page = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    steps = chain.step_by_id
    assert f"{steps[link.source_step_id].title} → {steps[link.target_step_id].title}" in page
    assert f"/chain/links/{link.id}" in page and "Managers release staff to attend" in page
    assert "Heavy caseloads" in page

    duplicate = client.post(_url(project, f"/{item.id}/links"),
                            data={"target": f"link:{link.id}", "stance": "challenges", "strength": "weak",
                                  "version": _version(item.id)})
    assert duplicate.status_code == 400
    assert "already linked" in duplicate.get_data(as_text=True)
    other = factories.chain_project()
    foreign = client.post(_url(project, f"/{item.id}/links"),
                          data={"target": f"step:{load_chain(other.id).steps[0].id}", "stance": "supports",
                                "strength": "weak", "version": _version(item.id)})
    assert foreign.status_code == 400 and "Choose a step, link, assumption or factor of this project" in \
        foreign.get_data(as_text=True)

    made = _db.session.scalar(select(EvidenceLink).where(EvidenceLink.item_id == item.id,
                                                         EvidenceLink.link_id == link.id))
    made.origin = LinkOrigin.ACTION_MAPPING  # as if derived automatically: the team's edit takes it over
    _db.session.commit()
    prefix = f"link{made.id}-"
    response = client.post(_url(project, f"/{item.id}/links/{made.id}"),
                           data={prefix + "stance": "mixed", prefix + "strength": "weak", prefix + "note": "Partly",
                                 prefix + "version": _version(item.id)})
    assert response.status_code == 302
    _db.session.expire_all()
    made = _db.session.get(EvidenceLink, made.id)
    assert (made.stance, made.strength, made.note, made.origin) == (Stance.MIXED, Strength.WEAK, "Partly",
                                                                   LinkOrigin.MANUAL)
    made_id = made.id
    assert client.post(_url(project, f"/{item.id}/links/{made_id}/remove"),
                       data={"confirm": "yes", "version": _version(item.id)}).status_code == 302
    _db.session.expire_all()
    assert _db.session.scalar(select(EvidenceLink).where(EvidenceLink.id == made_id)) is None
    assert _db.session.scalar(select(func.count()).select_from(EvidenceLink)
                              .where(EvidenceLink.item_id == item.id)) == 2


def test_trash_delete_and_restore(client, project, login_as):
    login_as("lead", project)
    seminars = _steps(project)["Seminars"]
    item = _item(project, title="Doomed item")
    _link(item, step=seminars.id)
    confirm = client.get(_url(project, f"/{item.id}/delete")).get_data(as_text=True)
    assert "This item has 1 link to the chain" in confirm
    assert client.post(_url(project, f"/{item.id}/delete")).status_code == 302
    assert "moved to the evidence trash" in client.get(_url(project, "/")).get_data(as_text=True)  # the flash
    assert "Doomed item" not in client.get(_url(project, "/")).get_data(as_text=True)
    assert client.get(_url(project, f"/{item.id}")).status_code == 404
    assert evidence_by_target(project.id, EvidenceLink.step_id).get(seminars.id) is None
    trash = client.get(_url(project, "/trash")).get_data(as_text=True)
    assert "Doomed item" in trash and "Restore" in trash
    assert client.post(_url(project, f"/{item.id}/restore")).status_code == 302
    assert client.get(_url(project, f"/{item.id}")).status_code == 200
    assert "Doomed item" in client.get(_url(project, "/")).get_data(as_text=True)
    assert evidence_by_target(project.id, EvidenceLink.step_id)[seminars.id].count == 1
    assert "Doomed item" not in client.get(_url(project, "/trash")).get_data(as_text=True)


def _fill(project, count: int) -> EvidenceItem:
    """`count` items, each linked to every step, and one item with `count` links."""
    chain = load_chain(project.id)
    groups = list(PartnerGroup)
    first = None
    for n in range(count):
        item = EvidenceItem(project_id=project.id, kind=list(EvidenceKind)[n % len(EvidenceKind)], title=f"Item {n}",
                            evidence_date=dt.date(2011, 1, 1) + dt.timedelta(days=n),
                            partner_group=groups[n % len(groups)], quote="Quoted", pseudonym="P",
                            consent_to_quote=bool(n % 2))
        for index, step in enumerate(chain.steps):
            item.links.append(EvidenceLink(step_id=step.id, stance=list(Stance)[(n + index) % 3]))
        _db.session.add(item)
        first = first or item
    targets = [("link_id", link.id) for link in chain.links] + [
        ("assumption_id", a.id) for assumptions in chain.assumptions_by_link.values() for a in assumptions] + [
        ("factor_id", f.id) for factors in chain.factors_by_step.values() for f in factors]
    # More links on the first item: `count` extra steps to link it to.
    for n in range(count):
        extra = add_step(project, chain.levels[0], f"Extra step {n}")
        _db.session.flush()
        first.links.append(EvidenceLink(step_id=extra.id, stance=Stance.SUPPORTS, note=f"Note {n}"))
    for column, target_id in targets:
        first.links.append(EvidenceLink(stance=Stance.MIXED, **{column: target_id}))
    _db.session.commit()
    return first


@pytest.mark.parametrize("page", ["/", "/?q=item&stance=supports&date_from=2011-01-01", "/{item}", "/{item}/edit"])
def test_pages_run_a_fixed_number_of_queries(app, db, query_counter, page):
    counts = []
    for size in (3, 30):
        project = factories.chain_project()
        user = factories.user_with_role("lead", project)
        client = app.test_client()  # a fresh client per size: a logged-in client cannot log in again
        assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
        item = _fill(project, size)
        path = _url(project, page.format(item=item.id))
        _db.session.commit()
        with query_counter() as statements:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_evidence_for_partial_lists_for_against_and_mixed(app, project):
    """The macro other pages (the step page, the story) include to show a target's evidence."""
    from flask import render_template_string

    seminars = _steps(project)["Seminars"]
    quoted = _item(project, title="Quoted notes", quote="We now ask families first", pseudonym="Practitioner A",
                   consent_to_quote=True)
    withheld = _item(project, title="Private notes", quote="Secret words", pseudonym="Practitioner B")
    _link(quoted, step=seminars.id, strength=Strength.STRONG, note="Direct account")
    _link(withheld, step=seminars.id, stance=Stance.CHALLENGES)
    ev = evidence_by_target(project.id, EvidenceLink.step_id)[seminars.id]
    html = render_template_string(
        '{% from "evidence/_evidence_for.html" import evidence_for %}{{ evidence_for(ev, project) }}',
        ev=ev, project=project)
    assert html.index(">For ") < html.index("Quoted notes") < html.index(">Against ") < html.index("Private notes")
    assert html.index("Private notes") < html.index(">Mixed ")
    assert f"/evidence/{quoted.id}" in html and "strong evidence" in html and "Direct account" in html
    assert "We now ask families first" in html and "Practitioner A" in html
    assert "Secret words" not in html and "Practitioner B" not in html and "Quote withheld: no consent" in html
    assert "No mixed evidence yet." in html


# Review fixes ----------------------------------------------------------------------------------

def _second_client(app, role, project):
    """Another person, in their own browser."""
    other = app.test_client()
    user = factories.user_with_role(role, project)
    assert other.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return other


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def _links(item_id: int) -> list[tuple]:
    _db.session.expire_all()
    return list(_db.session.execute(
        select(EvidenceLink.step_id, EvidenceLink.stance, EvidenceLink.strength, EvidenceLink.note,
               EvidenceLink.origin, EvidenceLink.created_by_id).where(EvidenceLink.item_id == item_id)
        .order_by(EvidenceLink.id)))


def test_step_and_stance_filters_need_one_link_matching_both(client, project, login_as):
    login_as("practitioner_researcher", project)
    steps = _steps(project)
    s1, s2 = steps["Seminars"].id, steps["Reports written for the client"].id
    both = _item(project, title="Questionnaires")  # supports S1, challenges S2
    _link(both, step=s1, stance=Stance.SUPPORTS)
    _link(both, step=s2, stance=Stance.CHALLENGES)
    against = _item(project, title="Flipchart")  # challenges S1
    _link(against, step=s1, stance=Stance.CHALLENGES)
    assert _titles(client.get(_url(project, f"/?step={s1}&stance=challenges"))) == {"Flipchart"}
    assert _titles(client.get(_url(project, f"/?step={s1}&stance=supports"))) == {"Questionnaires"}
    assert _titles(client.get(_url(project, f"/?step={s2}&stance=challenges"))) == {"Questionnaires"}
    assert _titles(client.get(_url(project, f"/?step={s2}&stance=supports"))) == set()
    assert _titles(client.get(_url(project, "/?stance=challenges"))) == {"Questionnaires", "Flipchart"}


def test_removing_a_link_asks_first_and_can_be_undone(client, project, login_as):
    login_as("team_member", project)
    author = factories.user_with_role("lead", project)
    seminars = _steps(project)["Seminars"]
    item = _item(project, title="Seminar questionnaires")
    link = _link(item, step=seminars.id, stance=Stance.CHALLENGES, strength=Strength.STRONG, note="Only 2 of 20")
    link.origin, link.created_by_id = LinkOrigin.ACTION_MAPPING, author.id
    _db.session.commit()
    before = _links(item.id)
    path = _url(project, f"/{item.id}/links/{link.id}/remove")

    page = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    assert f'href="{path}"' in page and f'action="{path}"' not in page  # a link to the question, not a button

    confirm = client.get(path)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Remove this link?" in text and "Seminars" in text and "Challenges" in text and "Strong" in text
    assert "Only 2 of 20" in text and "the item itself stays in the library" in text
    assert _links(item.id) == before  # asking changed nothing
    # A POST without the confirmation only leads to the question.
    unconfirmed = client.post(path, data={"version": _version(item.id)})
    assert unconfirmed.status_code == 302 and unconfirmed.headers["Location"].endswith(path)
    assert _links(item.id) == before

    version = _version(item.id)
    removed = client.post(path, data={"confirm": "yes", "version": _hidden(text, "version")})
    assert removed.status_code == 302
    assert _links(item.id) == [] and int(_version(item.id)) > int(version)
    assert _db.session.get(EvidenceItem, item.id).deleted_at is None  # the item stays

    page = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    assert "Link removed" in page and ">Undo</button>" in page
    token = _hidden(page, "token")
    assert ">Undo</button>" not in client.get(_url(project, f"/{item.id}")).get_data(as_text=True)  # offered once

    undone = client.post(_url(project, f"/{item.id}/links/restore"), data={"token": token})
    assert undone.status_code == 302
    assert _links(item.id) == before  # same target, stance, strength, note, origin and creator
    assert "Link restored" in client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    # Undoing twice does not duplicate the link; a forged token is refused with a message.
    twice = client.post(_url(project, f"/{item.id}/links/restore"), data={"token": token}, follow_redirects=True)
    assert "already linked" in twice.get_data(as_text=True) and _links(item.id) == before
    forged = client.post(_url(project, f"/{item.id}/links/restore"), data={"token": token[:-3] + "abc"},
                         follow_redirects=True)
    assert "This undo could not be read" in forged.get_data(as_text=True) and _links(item.id) == before


def test_undo_of_another_items_link_is_refused(client, project, login_as):
    login_as("lead", project)
    seminars = _steps(project)["Seminars"]
    first, second = _item(project, title="First"), _item(project, title="Second")
    link = _link(first, step=seminars.id, note="From the first")
    client.post(_url(project, f"/{first.id}/links/{link.id}/remove"), data={"confirm": "yes",
                                                                            "version": _version(first.id)})
    token = _hidden(client.get(_url(project, f"/{first.id}")).get_data(as_text=True), "token")
    refused = client.post(_url(project, f"/{second.id}/links/restore"), data={"token": token}, follow_redirects=True)
    assert "This undo belongs to another evidence item" in refused.get_data(as_text=True)
    assert _links(second.id) == [] and _links(first.id) == []


def test_two_people_editing_the_same_link_the_second_is_told_and_the_first_kept(app, client, project, login_as):
    login_as("team_member", project)
    other = _second_client(app, "lead", project)
    seminars = _steps(project)["Seminars"]
    item = _item(project)
    link = _link(item, step=seminars.id, note="Original note")
    prefix = f"link{link.id}-"
    mine = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    theirs = other.get(_url(project, f"/{item.id}")).get_data(as_text=True)

    first = other.post(_url(project, f"/{item.id}/links/{link.id}"), data={
        prefix + "stance": "mixed", prefix + "strength": "strong", prefix + "note": "Their note",
        prefix + "version": _hidden(theirs, prefix + "version")})
    assert first.status_code == 302
    second = client.post(_url(project, f"/{item.id}/links/{link.id}"), data={
        prefix + "stance": "challenges", prefix + "strength": "weak", prefix + "note": "My note",
        prefix + "version": _hidden(mine, prefix + "version")})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else changed this item’s links" in page
    assert "Their note" in page and "Mixed" in page  # the link as it is now
    assert "\nMy note</textarea>" in page  # your entries are kept in the form
    assert _links(item.id)[0][1:4] == (Stance.MIXED, Strength.STRONG, "Their note")
    # Saving again from the conflict page (now based on their version) goes through.
    retry = client.post(_url(project, f"/{item.id}/links/{link.id}"), data={
        prefix + "stance": "challenges", prefix + "strength": "weak", prefix + "note": "My note",
        prefix + "version": _hidden(page, prefix + "version")})
    assert retry.status_code == 302
    assert _links(item.id)[0][1:4] == (Stance.CHALLENGES, Strength.WEAK, "My note")


def test_adding_or_removing_a_link_on_an_outdated_page_is_refused(client, project, login_as):
    login_as("team_member", project)
    steps = _steps(project)
    item = _item(project)
    link = _link(item, step=steps["Seminars"].id, note="Kept")
    stale = _version(item.id)
    # Someone else changes the links (the version moves on).
    library.update_link(_db.session.get(EvidenceItem, item.id), _db.session.get(EvidenceLink, link.id),
                        Stance.MIXED, Strength.WEAK, "Changed by someone else")
    _db.session.commit()
    assert int(_version(item.id)) == int(stale) + 1

    target = f"step:{steps['Reports written for the client'].id}"
    added = client.post(_url(project, f"/{item.id}/links"), data={
        "target": target, "stance": "challenges", "strength": "strong", "note": "New evidence", "version": stale})
    assert added.status_code == 409
    page = added.get_data(as_text=True)
    assert "Your new link was not added" in page and "Changed by someone else" in page
    assert "\nNew evidence</textarea>" in page and f'<option selected value="{target}">' in page
    assert len(_links(item.id)) == 1

    removed = client.post(_url(project, f"/{item.id}/links/{link.id}/remove"), data={"confirm": "yes",
                                                                                    "version": stale})
    assert removed.status_code == 409
    page = removed.get_data(as_text=True)
    assert "Nothing was removed" in page and "Changed by someone else" in page
    assert len(_links(item.id)) == 1
    assert client.post(_url(project, f"/{item.id}/links/{link.id}/remove"), data={
        "confirm": "yes", "version": _hidden(page, "version")}).status_code == 302
    assert _links(item.id) == []


def _response_item(project, *, consent: bool, helped: str) -> EvidenceItem:
    """A real follow-up response and the evidence item it writes."""
    seminars = _steps(project)["Seminars"]
    event = save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2011, 3, 15),
                       place="", notes="", attendance={PartnerGroup.PRACTITIONER: 20})
    card, _ = save_card(event, CardData(f"ann{''.join(c for c in helped[:3] if c.isalnum())}@council.gov.uk",
                                        ["Write for the family"],
                                        partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)
    tag_actions(project, event, [card.actions[0].id], seminars)
    now = utcnow()
    campaign = save_campaign(event, None, subject="How did it go?", message="Tell us", reminder_message="",
                             send_at=now, reminder_at=None, closes_at=now + dt.timedelta(days=30))
    send_campaign(campaign)
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == card.id))
    response = save_response(followup, progress={card.actions[0].id: (Progress.SOME, "", "")}, helped=helped,
                             hindered="", anything_else="", consent_to_quote=consent,
                             pseudonym="Practitioner A" if consent else "")
    _db.session.commit()
    return response.evidence_item


def test_items_mirroring_a_response_cannot_be_edited_in_the_library(client, project, login_as):
    login_as("team_member", project)
    item = _response_item(project, consent=False, helped="My manager gave me time")
    title, version = item.title, item.version
    form = client.get(_url(project, f"/{item.id}/edit"))
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "This evidence comes from a follow-up response" in page and 'name="title"' not in page
    assert "add, edit and remove its links" in page
    refused = client.post(_url(project, f"/{item.id}/edit"), data={
        **FORM, "title": "Edited", "quote": "My manager gave me time", "pseudonym": "Practitioner A",
        "consent_to_quote": "y", "version": str(version)})
    assert refused.status_code == 409
    assert "Not saved" in refused.get_data(as_text=True)
    _db.session.expire_all()
    item = _db.session.get(EvidenceItem, item.id)
    assert (item.title, item.consent_to_quote, item.quote, item.version) == (title, False, "", version)
    page = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    assert "mirrors a follow-up response" in page and "Edit evidence" not in page
    # Its links stay the team's to judge.
    link = item.links[0]
    prefix = f"link{link.id}-"
    assert client.post(_url(project, f"/{item.id}/links/{link.id}"), data={
        prefix + "stance": "mixed", prefix + "strength": "weak", prefix + "note": "Team's view",
        prefix + "version": _version(item.id)}).status_code == 302
    assert _links(item.id)[0][3] == "Team's view"
    # An item of the same kind typed in by hand is not a mirror: it stays editable.
    typed = _item(project, title="Typed-up response", kind=EvidenceKind.ACTION_CARD_RESPONSE)
    assert 'name="title"' in client.get(_url(project, f"/{typed.id}/edit")).get_data(as_text=True)


def test_unquotable_response_words_are_for_the_team_only(app, client, project, login_as):
    login_as("practitioner_researcher", project)
    team = _second_client(app, "team_member", project)
    private = _response_item(project, consent=False, helped="My manager blocks everything")
    public = _response_item(project, consent=True, helped="Supervision made room for it")
    seminars = _steps(project)["Seminars"]

    page = client.get(_url(project, f"/{private.id}")).get_data(as_text=True)
    assert "Summary visible to the project team only (the respondent did not agree to be quoted)" in page
    assert "manager blocks" not in page
    page = client.get(_url(project, f"/{public.id}")).get_data(as_text=True)
    assert "Supervision made room for it" in page and "visible to the project team only" not in page
    search = client.get(_url(project, "/?q=manager+blocks")).get_data(as_text=True)
    assert private.title not in search and "0 items found" in search
    assert public.title in client.get(_url(project, "/?q=supervision")).get_data(as_text=True)
    step_page = client.get(f"/projects/{project.id}/chain/steps/{seminars.id}").get_data(as_text=True)
    assert private.title in step_page and "manager blocks" not in step_page  # the evidence_for partial

    page = team.get(_url(project, f"/{private.id}")).get_data(as_text=True)
    assert "My manager blocks everything" in page and "visible to the project team only" not in page
    assert private.title in team.get(_url(project, "/?q=manager+blocks")).get_data(as_text=True)


@pytest.mark.parametrize(("role", "message"), [
    ("co_researcher", "A team member can restore it from the evidence trash."),
    ("lead", "You can restore it from the evidence trash."),
])
def test_delete_message_says_who_can_restore(client, project, login_as, role, message):
    user = login_as(role, project)
    item = _item(project, user, title="My own notes")
    response = client.post(_url(project, f"/{item.id}/delete"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "moved to the evidence trash" in page and message in page
    assert ("You can restore" in page) == (role == "lead")


def test_a_link_removed_by_someone_else_meanwhile(app, client, project, login_as):
    login_as("team_member", project)
    other = _second_client(app, "lead", project)
    item = _item(project)
    link_id = _link(item, step=_steps(project)["Seminars"].id, note="Original").id
    prefix = f"link{link_id}-"
    mine = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    confirm = client.get(_url(project, f"/{item.id}/links/{link_id}/remove")).get_data(as_text=True)
    assert other.post(_url(project, f"/{item.id}/links/{link_id}/remove"),
                      data={"confirm": "yes", "version": _version(item.id)}).status_code == 302
    # Editing it: refused, and what I typed comes back in the add form, aimed at the same step.
    edited = client.post(_url(project, f"/{item.id}/links/{link_id}"), data={
        prefix + "stance": "challenges", prefix + "strength": "weak", prefix + "note": "My judgement",
        prefix + "target": _hidden(mine, prefix + "target"), prefix + "version": _hidden(mine, prefix + "version")})
    assert edited.status_code == 409
    page = edited.get_data(as_text=True)
    assert "the link had been removed meanwhile" in page and "\nMy judgement</textarea>" in page
    assert f'<option selected value="step:{_steps(project)["Seminars"].id}">' in page
    # Removing it too: nothing to do, and said so.
    again = client.post(_url(project, f"/{item.id}/links/{link_id}/remove"),
                        data={"confirm": "yes", "version": _hidden(confirm, "version")}, follow_redirects=True)
    assert again.status_code == 200 and "someone else has already removed it" in again.get_data(as_text=True)
    assert client.get(_url(project, f"/{item.id}/links/{link_id}/remove")).status_code == 302
    assert _links(item.id) == []


def test_removing_a_link_with_a_huge_note_can_be_undone_with_its_note_whole(client, project, login_as):
    """The Undo once carried the link in the session cookie, which a long note could not fit; it now names the
    trash record, so even 2,000 characters that barely compress come back."""
    login_as("lead", project)
    item = _item(project)
    chance = random.Random(1)
    note = "".join(chr(chance.randint(0x400, 0x4ff)) for _ in range(2000))  # 2,000 characters that barely compress
    link = _link(item, step=_steps(project)["Seminars"].id, note=note)
    response = client.post(_url(project, f"/{item.id}/links/{link.id}/remove"),
                           data={"confirm": "yes", "version": _version(item.id)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Link removed" in page and ">Undo</button>" in page
    assert _links(item.id) == []
    undone = client.post(_url(project, f"/{item.id}/links/restore"), data={"token": _hidden(page, "token")})
    assert undone.status_code == 302
    assert [row[3] for row in _links(item.id)] == [note]


def test_a_judgement_from_the_response_page_also_outdates_the_library_forms(client, project, login_as):
    login_as("team_member", project)
    item = _item(project)
    link_id = _link(item, step=_steps(project)["Seminars"].id, note="Original").id
    prefix = f"link{link_id}-"
    page = client.get(_url(project, f"/{item.id}")).get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/evidence-links/{link_id}",
                       data={"stance": "challenges", "strength": "strong", "note": "Judged"}).status_code == 302
    stale = client.post(_url(project, f"/{item.id}/links/{link_id}"), data={
        prefix + "stance": "supports", prefix + "strength": "weak", prefix + "note": "Mine",
        prefix + "version": _hidden(page, prefix + "version")})
    assert stale.status_code == 409 and "Judged" in stale.get_data(as_text=True)
    assert _links(item.id)[0][3] == "Judged"


def test_deleting_an_item_cited_by_a_tracing_test_says_the_test_stays_in_the_posterior(client, project, login_as):
    from impact.tracing.models import Claim, ClaimTest, TestType

    project.contribution_tracing = True
    item = _item(project, title="Attendance figure")
    claim = Claim(project_id=project.id, statement="The seminars reached the staff", prior=0.5)
    claim.tests = [ClaimTest(description="Most staff attended", test_type=TestType.HOOP, sensitivity=0.95,
                             type_one_error=0.6, found=True, item_id=item.id, position=0)]
    _db.session.add(claim)
    _db.session.commit()
    login_as("lead", project)
    confirm = client.get(_url(project, f"/{item.id}/delete")).get_data(as_text=True)
    assert "1 contribution-tracing test cites this item" in confirm and "still counts in the posterior" in confirm
    assert f'/tracing/claims/{claim.id}#tests">The seminars reached the staff</a>: Most staff attended' in confirm
    other = _item(project, title="Flipchart")
    assert "contribution-tracing" not in client.get(_url(project, f"/{other.id}/delete")).get_data(as_text=True)


def test_a_link_to_an_assumption_names_its_kind_once(client, project, login_as):
    chain = load_chain(project.id)
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    assumption = chain.assumptions_by_link[link.id][0]
    item = _item(project)
    made = EvidenceLink(item_id=item.id, assumption_id=assumption.id, stance=Stance.SUPPORTS,
                        strength=Strength.MODERATE)
    _db.session.add(made)
    _db.session.commit()
    login_as("lead", project)
    page = html.unescape(client.get(_url(project, f"/{item.id}")).get_data(as_text=True))
    label = f"{assumption.kind.label}: {assumption.text}"
    assert label in page and f"{assumption.kind.label.capitalize()}:</span>" not in page


def test_a_new_item_has_no_kind_chosen_for_it(client, project, login_as):
    login_as("practitioner_researcher", project)
    page = client.get(_url(project, "/new")).get_data(as_text=True)
    kind = re.search(r'<select id="kind"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert kind.startswith('<option value="">Choose a kind</option>') and "selected" not in kind
    response = client.post(_url(project, "/new"), data={"title": "Team meeting notes", "evidence_date": "2011-06-17",
                                                        "partner_group": "practitioner"})
    assert response.status_code == 400 and "Choose the kind of evidence." in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0
