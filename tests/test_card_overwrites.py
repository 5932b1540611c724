"""Cards are never overwritten behind the team's back: the online form, paper entry, edits,
re-imports and opting out (review-team #1, #4, #5, #12; review-partners #1, #4)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from impact.cards.models import Action, ActionCard, CardSource
from impact.cards.services import CardData, save_card, tag_actions
from impact.events.models import EventKind
from impact.events.services import save_event, set_card_form_open
from impact.extensions import db as _db
from impact.followups.models import ActionProgress, FollowUp, Progress, Response
from impact.followups.services import save_campaign, save_response, send_campaign
from impact.followups.tokens import OPT_OUT, make_token
from impact.mail.models import OutboxMessage
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.toc.services import load_chain
from tests import factories

ANSWERED = "This action has a follow-up answer; edit its wording instead of removing it."


# Building the situation -----------------------------------------------------------------

def new_event(project, title="Launch workshop", *, form_open=True):
    event = save_event(project, None, kind=EventKind.WORKSHOP, title=title, event_date=dt.date(2024, 9, 10),
                       place="Leeds", notes="", attendance={PartnerGroup.PRACTITIONER: 10})
    set_card_form_open(event, form_open)
    _db.session.commit()
    return event


@pytest.fixture
def event(db, project):
    return new_event(project)


@pytest.fixture
def team(login_as, project):
    return login_as("team_member", project)


def steps(project):
    return {step.title: step for step in load_chain(project.id).steps}


def card_of(event, email) -> ActionCard | None:
    _db.session.expire_all()  # the requests stored through their own sessions
    return _db.session.scalar(select(ActionCard).where(ActionCard.event_id == event.id, ActionCard.email == email)
                              .options(selectinload(ActionCard.actions).selectinload(Action.steps)))


def described(card) -> list[tuple[int, str, list[str]]]:
    """(position, text, step titles) of each action."""
    return [(action.position, action.text, [step.title for step in action.steps]) for action in card.actions]


def add_card(event, email, actions, source=CardSource.PAPER, **details):
    card, _ = save_card(event, CardData(email, actions, **details), source)
    _db.session.commit()
    return card


def send_followups(event):
    now = utcnow()
    campaign = save_campaign(event, None, subject="How did it go?", message="Tell us", reminder_message="",
                             send_at=now, reminder_at=None, closes_at=now + dt.timedelta(days=30))
    queued = send_campaign(campaign)
    _db.session.commit()
    return campaign, queued


def answer(card, level=Progress.A_LOT, helped="My manager supported it") -> Response:
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == card.id))
    response = save_response(followup, progress={action.id: (level, "", "") for action in card.actions},
                             helped=helped, hindered="", anything_else="", consent_to_quote=True,
                             pseudonym="Practitioner 1")
    _db.session.commit()
    return response


def answered_person4(project, event):
    """review-team #1: a paper card with 3 actions (2 tagged), followed up and answered."""
    chain = steps(project)
    card = add_card(event, "person4@council.gov.uk", ["Action A of 4", "Action B of 4", "Action C of 4"],
                    name="Person 4", organisation="Council 4", partner_group=PartnerGroup.PRACTITIONER)
    tag_actions(project, event, [card.actions[0].id], chain["Attendees from six councils"])
    tag_actions(project, event, [card.actions[1].id], chain["Reports written for the client"])
    _db.session.commit()
    campaign, _ = send_followups(event)
    response = answer(card_of(event, "person4@council.gov.uk"))
    return card, campaign, response


PERSON4 = [(1, "Action A of 4", ["Attendees from six councils"]),
           (2, "Action B of 4", ["Reports written for the client"]),
           (3, "Action C of 4", [])]


def progress_rows() -> int:
    return _db.session.scalar(select(func.count()).select_from(ActionProgress))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page)
    return found.group(1) if found else ""


def card_form(email, name="", organisation="", group="practitioner", actions=("",), **extra):
    data = {"email": email, "name": name, "organisation": organisation, "partner_group": group, **extra}
    data.update({f"action_{n}": text for n, text in enumerate(actions, start=1)})
    return data


def public_url(event) -> str:
    return f"/cards/{event.card_link_key}"


def cards_url(event, *parts) -> str:
    return "/".join([f"/projects/{event.project_id}/events/{event.id}/cards", *map(str, parts)])


# 1. The public online form ---------------------------------------------------------------
# Anyone with the event's link can type any email. A card for a new email is saved; for an email that
# has a card, nothing changes until that address confirms, and the page never tells which it was.

def thanks(client, event, email, **form) -> str:
    sent = client.post(public_url(event), data=card_form(email, **form))
    assert sent.status_code == 200, text(sent)
    return text(sent)


def mail_to(email):
    _db.session.expire_all()
    return _db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)
                               .order_by(OutboxMessage.id)).all()


def confirm_path(message) -> str:
    return re.search(r"http://localhost(/cards/confirm/\S+)", factories.email_text(message)).group(1)


def test_the_online_form_cannot_overwrite_an_answered_paper_card(client, project, event, team):
    """review-team #1, exactly: Mallory sends the online form with person4's email."""
    card, campaign, response = answered_person4(project, event)
    assert progress_rows() == 3
    client.post("/logout")  # anyone with the event link, no login
    client.get("/login")  # shows (and so clears) the "logged out" message

    page = thanks(client, event, "person4@council.gov.uk", name="Mallory", actions=["Completely different thing"])

    # The same page a stranger's new email gets: it does not reveal that person4 attended.
    assert page == thanks(client, event, "stranger@council.gov.uk", actions=["Completely different thing"])
    kept = card_of(event, "person4@council.gov.uk")
    assert (kept.name, kept.organisation, kept.source) == ("Person 4", "Council 4", CardSource.PAPER)
    assert described(kept) == PERSON4
    assert progress_rows() == 3
    # person4 is told, and is given no link that could change the card.
    [told] = [m for m in mail_to("person4@council.gov.uk") if m.kind == "card_confirmation"]
    assert "already with the project team, so it was not changed" in told.body_text and not told.links
    # The saved response still reads as the respondent wrote it.
    lead = factories.user_with_role("lead", project)
    client.post("/login", data={"email": lead.email, "password": factories.PASSWORD})
    followups = f"/projects/{project.id}/events/{event.id}/followups"
    shown = text(client.get(f"{followups}/{campaign.id}/responses/{response.id}"))
    assert "Response from Person 4" in shown and "Mallory" not in shown
    assert "Action A of 4" in shown and "Action C of 4" in shown and "Completely different thing" not in shown


def test_the_online_form_cannot_blank_an_answered_card_of_its_details(client, project, event):
    """review-partners #1: name and organisation left empty, group Other, one action."""
    card, _, _ = answered_person4(project, event)
    thanks(client, event, "Person4@Council.gov.uk ", group="other", actions=["Something completely different"])
    kept = card_of(event, "person4@council.gov.uk")
    assert (kept.name, kept.organisation, kept.partner_group) == ("Person 4", "Council 4", PartnerGroup.PRACTITIONER)
    assert described(kept) == PERSON4


@pytest.mark.parametrize("source", [CardSource.PAPER, CardSource.IMPORT])
def test_the_online_form_cannot_change_a_card_the_team_entered(client, event, source):
    add_card(event, "ann@council.gov.uk", ["Write for the family"], source, name="Ann")
    thanks(client, event, "ann@council.gov.uk", name="Someone", actions=["Something else"])
    kept = card_of(event, "ann@council.gov.uk")
    assert (kept.name, [a.text for a in kept.actions], kept.source) == ("Ann", ["Write for the family"], source)
    assert not any(message.links for message in mail_to("ann@council.gov.uk"))


def test_the_online_form_cannot_change_an_online_card_once_it_was_followed_up(client, event):
    thanks(client, event, "sam@example.org", name="Sam", group="service_user",
           actions=["Ask for a second opinion", "Join the panel"])
    send_followups(event)  # sent, not answered yet
    thanks(client, event, "sam@example.org", name="Sam", actions=["Ask for a second opinion"])
    assert [a.text for a in card_of(event, "sam@example.org").actions] == ["Ask for a second opinion", "Join the panel"]


def test_sending_the_online_form_again_changes_the_card_once_its_email_confirms(client, app, event):
    thanks(client, event, "Sam.Tester@Example.org", name="Sam", group="service_user",
           actions=["Ask for a second opinion", "Join the panel"])
    thanks(client, event, "sam.tester@example.org ", name="Sam T", group="service_user",
           actions=["Ask for a second opinion"])
    # Nothing changes until the address confirms.
    card = card_of(event, "sam.tester@example.org")
    assert (card.name, [a.text for a in card.actions]) == ("Sam", ["Ask for a second opinion", "Join the panel"])
    [confirmation] = mail_to("sam.tester@example.org")
    path = confirm_path(confirmation)
    person = app.test_client()
    shown = text(person.get(path))
    assert "Replace your action card for <strong>Launch workshop</strong>" in shown and "Join the panel" in shown
    done = person.post(path)
    assert done.status_code == 200 and "Your card is updated" in text(done)
    assert len(_db.session.scalars(select(ActionCard).where(ActionCard.event_id == event.id)).all()) == 1
    card = card_of(event, "sam.tester@example.org")
    assert (card.name, card.source, [a.text for a in card.actions]) == ("Sam T", CardSource.ONLINE,
                                                                        ["Ask for a second opinion"])
    # The link works once.
    again = person.post(path)
    assert again.status_code == 400 and "confirmed already" in text(again)


def test_a_confirmation_opened_after_the_follow_up_went_out_changes_nothing(client, app, event):
    thanks(client, event, "sam@example.org", name="Sam", actions=["Ask for a second opinion"])
    thanks(client, event, "sam@example.org", name="Sam", actions=["Something else"])
    path = confirm_path(mail_to("sam@example.org")[0])
    send_followups(event)
    refused = app.test_client().post(path)
    assert refused.status_code == 409 and "already with the project team" in text(refused)
    assert [a.text for a in card_of(event, "sam@example.org").actions] == ["Ask for a second opinion"]


def test_a_forged_or_altered_confirmation_link_is_refused(client, app, event):
    thanks(client, event, "sam@example.org", name="Sam", actions=["Ask for a second opinion"])
    thanks(client, event, "sam@example.org", name="Sam", actions=["Something else"])
    path = confirm_path(mail_to("sam@example.org")[0])
    refused = app.test_client().post(path[:-2] + "xx")
    assert refused.status_code == 400 and "not valid" in text(refused)
    assert [a.text for a in card_of(event, "sam@example.org").actions] == ["Ask for a second opinion"]


# 2. Actions keep their slots -------------------------------------------------------------

def person2(project, event):
    chain = steps(project)
    card = add_card(event, "person2@council.gov.uk", ["Action A of 2", "Action B of 2"], name="Person 2")
    a, b = card.actions
    tag_actions(project, event, [a.id, b.id], chain["Attendees from six councils"])
    tag_actions(project, event, [a.id], chain["Reports written for the client"])
    _db.session.commit()
    return card


def test_clearing_action_1_on_the_edit_form_keeps_action_2_and_its_own_tags(client, project, event, team):
    """review-team #4, exactly."""
    card = person2(project, event)
    saved = client.post(cards_url(event, card.id, "edit"), data=card_form(
        "person2@council.gov.uk", name="Person 2", actions=["", "Action B of 2"], submit="y"))
    assert saved.status_code == 302
    kept = card_of(event, "person2@council.gov.uk")
    assert described(kept) == [(2, "Action B of 2", ["Attendees from six councils"])]
    # The tags page shows action B with its one tag only.
    tags_page = text(client.get(cards_url(event, "tags")))
    assert "Action A of 2" not in tags_page
    # The edit form shows the action where it was typed.
    form = client.get(cards_url(event, card.id, "edit")).get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="action_2"[^>]*>\s*Action B of 2</textarea>', form)


def test_a_new_action_goes_in_the_slot_it_was_typed_in(client, project, event, team):
    card = person2(project, event)
    saved = client.post(cards_url(event, card.id, "edit"), data=card_form(
        "person2@council.gov.uk", name="Person 2", actions=["Action A of 2", "", "Action C of 2"], submit="y"))
    assert saved.status_code == 302
    assert [(a.position, a.text) for a in card_of(event, "person2@council.gov.uk").actions] == [
        (1, "Action A of 2"), (3, "Action C of 2")]


def test_removing_an_answered_action_is_refused_next_to_it_and_nothing_is_saved(client, project, event, team):
    card, _, _ = answered_person4(project, event)
    sent = client.post(cards_url(event, card.id, "edit"), data=card_form(
        "person4@council.gov.uk", name="Person Four", actions=["Action A of 4", "", "Action C of 4"], submit="y"))
    assert sent.status_code == 400
    page = text(sent)
    assert field_error(page, "action_2").endswith(ANSWERED)
    assert not field_error(page, "action_1") and not field_error(page, "action_3")
    assert 'value="Person Four"' in page  # the typed changes are still in the form
    kept = card_of(event, "person4@council.gov.uk")
    assert kept.name == "Person 4"
    assert described(kept) == PERSON4
    assert progress_rows() == 3


def test_an_answered_action_can_be_reworded_and_keeps_its_answer_and_tags(client, project, event, team):
    card, _, response = answered_person4(project, event)
    sent = client.post(cards_url(event, card.id, "edit"), data=card_form(
        "person4@council.gov.uk", name="Person 4", organisation="Council 4",
        actions=["Action A of 4, reworded", "Action B of 4", "Action C of 4"], submit="y"))
    assert sent.status_code == 302
    kept = card_of(event, "person4@council.gov.uk")
    assert described(kept)[0] == (1, "Action A of 4, reworded", ["Attendees from six councils"])
    answers = _db.session.scalars(select(ActionProgress).where(ActionProgress.response_id == response.id)).all()
    assert sorted(answer.action_id for answer in answers) == sorted(action.id for action in kept.actions)


def test_the_edit_form_refuses_another_cards_email_and_links_to_that_card(client, event, team):
    ann = add_card(event, "ann@council.gov.uk", ["Write for the family"], name="Ann")
    bob = add_card(event, "bob@council.gov.uk", ["Ask what helps"], name="Bob")
    sent = client.post(cards_url(event, bob.id, "edit"), data=card_form(
        "ANN@council.gov.uk", name="Bob", actions=["Ask what helps"], submit="y"))
    assert sent.status_code == 400
    page = text(sent)
    assert "Another card at this event already has this email." in field_error(page, "email")
    assert f'href="{cards_url(event, ann.id, "edit")}"' in page
    assert card_of(event, "bob@council.gov.uk") is not None


# 3. Typing in paper cards ----------------------------------------------------------------

def test_a_paper_card_with_an_email_already_used_is_refused_with_a_link_to_the_card(client, event, team):
    """review-team #5, exactly."""
    first = client.post(cards_url(event, "new"), data=card_form(
        "person1@council.gov.uk", name="Person 1", actions=["Action A of 1"], save_and_add="y"))
    assert first.status_code == 302
    existing = card_of(event, "person1@council.gov.uk")

    second = client.post(cards_url(event, "new"), data=card_form(
        "PERSON1@council.gov.uk ", actions=["Overwritten action"], save_and_add="y"))

    assert second.status_code == 400
    page = text(second)
    assert "This email already has a card at this event, so this card was not saved." in field_error(page, "email")
    link = re.search(r'<p class="hint" id="email-hint"><a href="([^"]+)">([^<]+)</a>', page)
    assert link and link.group(1) == cards_url(event, existing.id, "edit")
    assert "person1@council.gov.uk (Person 1)" in link.group(2)
    assert "Overwritten action" in page  # the typed card is not lost
    kept = card_of(event, "person1@council.gov.uk")
    assert (kept.name, [a.text for a in kept.actions]) == ("Person 1", ["Action A of 1"])
    assert "updated (this email already had a card)" not in page
    # The link opens the existing card.
    assert client.get(link.group(1)).status_code == 200


# 4. Opting out ---------------------------------------------------------------------------

def opt_out(client, card):
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == card.id))
    url = f"/followup/{make_token(followup.id, OPT_OUT)}/opt-out"
    assert "Stop these emails" in text(client.get(url))
    done = text(client.post(url))
    assert "you will not get any more follow-up emails or reminders from this project" in done


def test_opting_out_stops_follow_ups_about_every_card_of_the_email_in_the_project(client, project, event):
    """review-partners #4: the opt-out covers the project, and cards made later start opted out."""
    sam = add_card(event, "sam.tester@example.org", ["Ask for a second opinion"])
    second = new_event(project, "2nd seminar")
    add_card(second, "sam.tester@example.org", ["Join the panel"])
    other_project = factories.chain_project()
    elsewhere = add_card(new_event(other_project, "Elsewhere"), "sam.tester@example.org", ["Something"])
    send_followups(event)

    opt_out(client, sam)

    assert card_of(event, "sam.tester@example.org").opted_out_at is not None
    assert card_of(second, "sam.tester@example.org").opted_out_at is not None
    assert _db.session.get(ActionCard, elsewhere.id).opted_out_at is None  # another project's card
    _, queued = send_followups(second)
    assert queued == 0


def test_cards_made_after_opting_out_start_opted_out(client, project, event, login_as):
    sam = add_card(event, "sam.tester@example.org", ["Ask for a second opinion"])
    send_followups(event)
    opt_out(client, sam)
    later = new_event(project, "2nd seminar")
    login_as("team_member", project)
    # Typed in from paper, sent online and imported: each starts opted out.
    assert client.post(cards_url(later, "new"), data=card_form(
        "Sam.Tester@example.org", actions=["Join the panel"], submit="y")).status_code == 302
    assert client.post(public_url(later), data=card_form(
        "SAM.TESTER@example.org", actions=["Join the panel"])).status_code == 200  # with the team: unchanged
    online = new_event(project, "3rd seminar")
    assert client.post(public_url(online), data=card_form(
        "sam.tester@example.org", actions=["Share the guide"])).status_code == 200
    imported = new_event(project, "4th seminar")
    assert upload(client, imported, [["sam.tester@example.org", "Sam", "", "", "Tell my story", "", ""],
                                     ["ann@council.gov.uk", "Ann", "", "", "Write for the family", "", ""]]
                  ).status_code == 302
    for each in (later, online, imported):
        assert card_of(each, "sam.tester@example.org").opted_out_at is not None, each.title
    assert card_of(imported, "ann@council.gov.uk").opted_out_at is None
    _, queued = send_followups(imported)
    assert queued == 1  # Ann only


def test_an_opt_out_outlives_the_cards_of_the_email(client, project, event, login_as):
    """Deleting every card of the email (the team tidying up) does not forget that it opted out."""
    sam = add_card(event, "sam.tester@example.org", ["Ask for a second opinion"])
    send_followups(event)
    opt_out(client, sam)
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == sam.id))
    again = client.post(f"/followup/{make_token(followup.id, OPT_OUT)}/opt-out")  # the link used again
    assert again.status_code == 200 and "any more follow-up emails" in text(again)
    login_as("team_member", project)
    assert client.post(cards_url(event, sam.id, "delete"), data={"confirm": "yes"}).status_code == 302
    assert card_of(event, "sam.tester@example.org") is None

    later = new_event(project, "2nd seminar")
    assert upload(client, later, [["sam.tester@example.org", "Sam", "", "", "Tell my story", "", ""]]
                  ).status_code == 302
    assert card_of(later, "sam.tester@example.org").opted_out_at is not None
    _, queued = send_followups(later)
    assert queued == 0


# 5. Re-importing a spreadsheet -----------------------------------------------------------

HEADER = ["email", "name", "organisation", "partner_group", "action_1", "action_2", "action_3"]


def upload(client, event, rows, header=HEADER):
    content = io.StringIO(newline="")
    writer = csv.writer(content)
    writer.writerow(header)
    writer.writerows(rows)
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content.getvalue().encode()),
                                                           filename="cards.csv")})
    return client.post(cards_url(event, "import"), data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_an_empty_name_cell_keeps_the_stored_name_like_an_empty_group(client, event, team):
    """review-team #12, exactly."""
    add_card(event, "person0@council.gov.uk", ["Action A of 0", "Action B of 0"], name="Person 0",
             organisation="Council 0", partner_group=PartnerGroup.MANAGER)
    sent = upload(client, event, [["person0@council.gov.uk", "", "", "", "Only one action now", "", ""]])
    assert sent.status_code == 302
    assert "0 cards added, 1 updated, 0 unchanged" in text(client.get(sent.headers["Location"]))
    card = card_of(event, "person0@council.gov.uk")
    assert (card.name, card.organisation, card.partner_group) == ("Person 0", "Council 0", PartnerGroup.MANAGER)
    assert [(a.position, a.text) for a in card.actions] == [(1, "Only one action now")]


def test_the_import_page_says_empty_cells_keep_what_is_stored(client, event, team):
    page = text(client.get(cards_url(event, "import")))
    assert ("an empty <code>name</code>, <code>organisation</code> or <code>partner_group</code> cell keeps what "
            "the card already has") in page
    assert "Left blank: an existing card keeps its name." in page
    assert "Left blank: an existing card keeps its organisation." in page
    assert "An existing card keeps its name or organisation when the file has no such column." not in page


def test_an_action_column_left_out_of_the_file_keeps_those_actions(client, project, event, team):
    card = person2(project, event)
    sent = upload(client, event, [["person2@council.gov.uk", "Action A of 2, reworded"]], header=["email", "action_1"])
    assert sent.status_code == 302
    assert described(card_of(event, card.email)) == [
        (1, "Action A of 2, reworded", ["Attendees from six councils", "Reports written for the client"]),
        (2, "Action B of 2", ["Attendees from six councils"])]


def test_a_reimport_cannot_remove_an_answered_action_and_stores_nothing(client, project, event, team):
    answered_person4(project, event)
    sent = upload(client, event, [["new@council.gov.uk", "New", "", "", "A new card", "", ""],
                                  ["person4@council.gov.uk", "Person 4", "", "", "Action A of 4", "", "Action C of 4"]])
    assert sent.status_code == 400
    page = text(sent)
    assert "Nothing was stored" in page
    refusal = ("<tr><td>3</td><td>action_2 is empty, but this action of person4@council.gov.uk's card "
               "has a follow-up answer: change its wording instead of removing it.</td></tr>")
    assert refusal in page.replace("&#39;", "'")
    assert described(card_of(event, "person4@council.gov.uk")) == PERSON4
    assert card_of(event, "new@council.gov.uk") is None
    assert progress_rows() == 3
