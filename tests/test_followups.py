"""Action cards to follow-up answers, end to end, through a real SMTP server."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from impact.cards.models import ActionCard
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance
from impact.extensions import db as _db
from impact.followups import tracking
from impact.followups.models import Campaign, Response
from impact.followups.services import queue_due
from impact.mail.outbox import deliver_due
from impact.toc.services import load_chain

CARDS = [
    ("ann@council-a.gov.uk", "Ann", "practitioner",
     ["Write reports for the family, not the file", "Ask families what helps"]),
    ("bob@council-b.gov.uk", "Bob", "practitioner", ["Use the relationship-based practice checklist"]),
    ("cat@council-c.gov.uk", "", "manager",
     ["Give PRP findings time in team meetings", "Share the guide", "Champion it"]),
    ("dan@uni.ac.uk", "Dan", "academic", ["Run a follow-up seminar"]),
    ("eve@council-a.gov.uk", "Eve", "practitioner", ["Try motivational interviewing"]),
]


def _url(project, *parts):
    return "/".join([f"/projects/{project.id}/events", *map(str, parts)])


def _create_event(client, project):
    response = client.post(_url(project, "new"), data={
        "kind": "seminar", "title": "First seminar", "event_date": "2011-03-15", "place": "Glasgow",
        "attend_practitioner": "20", "attend_manager": "4", "attend_academic": "2",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/events/(\d+)", response.headers["Location"]).group(1))


def _enter_cards(client, project, event_id):
    for email, name, group, actions in CARDS:
        data = {"email": email, "name": name, "partner_group": group, "save_and_add": "y"}
        data.update({f"action_{n}": text for n, text in enumerate(actions, start=1)})
        response = client.post(_url(project, event_id, "cards/new"), data=data)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"cards/new?group={group}")  # straight on to the next card


def _links(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    respond = re.search(r"(http://\S+/followup/[^\s/]+)\s", text).group(1)
    opt_out = re.search(r"(http://\S+/followup/\S+/opt-out)", text).group(1)
    return text, respond.replace("http://localhost", ""), opt_out.replace("http://localhost", "")


def _answer(client, path, progress: list[str], *, consent=False, helped="", hindered=""):
    page = client.get(path).get_data(as_text=True)
    action_ids = re.findall(r'name="progress_(\d+)"', page)
    data = {f"progress_{action_id}": level
            for action_id, level in zip(dict.fromkeys(action_ids), progress, strict=False)}
    data.update(helped=helped, hindered=hindered)
    if consent:
        data["consent_to_quote"] = "y"
    return client.post(path, data=data)


@pytest.fixture
def campaign_sent(client, project, login_as, smtp_server, app):
    login_as("team_member", project)
    event_id = _create_event(client, project)
    _enter_cards(client, project, event_id)
    chain = load_chain(project.id)
    practice = next(step for step in chain.steps if step.title == "Reports written for the client")
    page = client.get(_url(project, event_id, "cards/tags")).get_data(as_text=True)
    action_ids = re.findall(r'name="action_ids" value="(\d+)"', page)
    assert len(action_ids) == 8
    response = client.post(_url(project, event_id, "cards/tags"),
                           data={"action_ids": action_ids, "step_id": practice.id, "add": "y"})
    assert response.status_code == 302
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    response = client.post(_url(project, event_id, "followups/new"), data={
        "subject": "How did your actions go?", "message": "At {event} you wrote down some actions.",
        "send_at": (now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "reminder_at": (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert queue_due() == {"follow-ups queued": 5, "reminders queued": 0}
    assert queue_due() == {"follow-ups queued": 0, "reminders queued": 0}  # running again sends nothing twice
    assert deliver_due()["sent"] == 5
    return {"event_id": event_id, "inbox": smtp_server, "step": practice}


def test_followup_campaign_end_to_end(app, client, project, campaign_sent):
    inbox, event_id = campaign_sent["inbox"], campaign_sent["event_id"]
    assert sorted(m["To"] for m in inbox.messages) == sorted(email for email, *_ in CARDS)
    by_to = {m["To"]: m for m in inbox.messages}
    text, respond, _ = _links(by_to["ann@council-a.gov.uk"])
    assert "Write reports for the family, not the file" in text and "At First seminar you wrote" in text
    assert by_to["ann@council-a.gov.uk"].get_body(preferencelist=("html",)) is not None

    respondent = app.test_client()  # no login: the link is all a respondent needs
    answers = {
        "ann@council-a.gov.uk": (["a_lot", "some"], True),
        "bob@council-b.gov.uk": (["none"], False),
        "cat@council-c.gov.uk": (["done", "a_little", "some"], False),
    }
    for email, (progress, consent) in answers.items():
        _, respond, _ = _links(by_to[email])
        response = _answer(respondent, respond, progress, consent=consent, helped="My manager backed it",
                           hindered="Caseloads")
        assert response.status_code == 200
        assert "your answers are saved" in response.get_data(as_text=True)

    _db.session.expire_all()
    page = client.get(_url(project, event_id)).get_data(as_text=True)
    assert "<dt>Response rate</dt><dd>60%</dd>" in page
    assert "<dt>Responded</dt><dd>3</dd>" in page
    assert "Eve &lt;eve@council-a.gov.uk&gt;" in page and "Dan &lt;dan@uni.ac.uk&gt;" in page  # still to answer

    report = client.get(f"/projects/{project.id}/report.json").get_json()
    cards = report["action_cards"]
    assert (cards["cards"], cards["actions"], cards["followups_sent"], cards["respondents"]) == (5, 8, 5, 3)
    assert cards["response_rate"] == 0.6
    assert cards["by_partner_group"]["practitioner"] == {"cards": 3, "followups_sent": 3, "respondents": 2,
                                                         "response_rate": 0.6667}
    assert cards["progress"] == {"none": 1, "a_little": 1, "some": 2, "a_lot": 1, "done": 1}

    items = _db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)).all()
    assert len(items) == 3 and all(item.kind == EvidenceKind.ACTION_CARD_RESPONSE for item in items)
    stances = {item.partner_group.value + ("+quote" if item.consent_to_quote else ""): item.links[0].stance
               for item in items}
    assert stances == {"practitioner+quote": Stance.SUPPORTS, "practitioner": Stance.CHALLENGES,
                       "manager": Stance.SUPPORTS}
    step_entry = next(s for s in report["steps"] if s["id"] == campaign_sent["step"].id)
    assert step_entry["evidence_count"] == 3
    quoted = next(item for item in items if item.consent_to_quote)
    assert quoted.pseudonym == "Practitioner 1" and quoted.quote


def test_answers_can_be_amended_without_duplicating_evidence(app, project, campaign_sent):
    by_to = {m["To"]: m for m in campaign_sent["inbox"].messages}
    _, respond, _ = _links(by_to["bob@council-b.gov.uk"])
    respondent = app.test_client()
    _answer(respondent, respond, ["none"])
    page = respondent.get(respond).get_data(as_text=True)
    assert "You have already answered" in page and re.search(r'<input checked[^>]*value="none"', page)
    _answer(respondent, respond, ["a_lot"])
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count()).select_from(Response)) == 1
    item = _db.session.scalar(select(EvidenceItem))
    assert [link.stance for link in item.links] == [Stance.SUPPORTS]


def test_team_judgement_on_a_link_survives_later_amendments(app, client, project, campaign_sent):
    by_to = {m["To"]: m for m in campaign_sent["inbox"].messages}
    _, respond, _ = _links(by_to["bob@council-b.gov.uk"])
    respondent = app.test_client()
    _answer(respondent, respond, ["none"])
    link = _db.session.scalar(select(EvidenceLink))
    response = client.post(f"/projects/{project.id}/evidence-links/{link.id}",
                           data={"stance": "mixed", "strength": "weak", "note": "Blocked by IT, not by the idea"})
    assert response.status_code == 302
    _answer(respondent, respond, ["done"])
    _db.session.expire_all()
    link = _db.session.scalar(select(EvidenceLink))
    assert (link.stance, link.note) == (Stance.MIXED, "Blocked by IT, not by the idea")


def test_reminder_goes_only_to_those_who_have_not_answered_or_opted_out(app, client, project, campaign_sent):
    inbox = campaign_sent["inbox"]
    by_to = {m["To"]: m for m in inbox.messages}
    respondent = app.test_client()
    _answer(respondent, _links(by_to["ann@council-a.gov.uk"])[1], ["done", "done"])
    opt_out = _links(by_to["dan@uni.ac.uk"])[2]
    assert "Stop these emails" in respondent.get(opt_out).get_data(as_text=True)
    assert "you will not get any more" in respondent.post(opt_out).get_data(as_text=True)
    campaign = _db.session.scalar(select(Campaign))
    response = client.post(_url(project, campaign_sent["event_id"], f"followups/{campaign.id}/send"),
                           data={"what": "reminder"})
    assert response.status_code == 302
    inbox.messages.clear()
    assert deliver_due()["sent"] == 3
    assert sorted(m["To"] for m in inbox.messages) == ["bob@council-b.gov.uk", "cat@council-c.gov.uk",
                                                       "eve@council-a.gov.uk"]
    assert all(m["Subject"].startswith("Reminder: ") for m in inbox.messages)


def test_tampered_expired_and_closed_links_get_a_clear_page(app, client, project, campaign_sent):
    by_to = {m["To"]: m for m in campaign_sent["inbox"].messages}
    respond = _links(by_to["ann@council-a.gov.uk"])[1]
    respondent = app.test_client()
    tampered = respondent.get(respond[:-3] + ("abc" if not respond.endswith("abc") else "xyz"))
    assert tampered.status_code == 404 and "This link does not work" in tampered.get_data(as_text=True)
    assert respondent.get("/followup/not-a-token").status_code == 404

    app.config["FOLLOWUP_LINK_MAX_AGE_DAYS"] = -1
    try:
        expired = respondent.get(respond)
    finally:
        app.config.pop("FOLLOWUP_LINK_MAX_AGE_DAYS")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)

    campaign = _db.session.scalar(select(Campaign))
    client.post(_url(project, campaign_sent["event_id"], f"followups/{campaign.id}/close"))
    for attempt in (respondent.get(respond), _answer_blind(respondent, respond)):
        assert attempt.status_code == 410 and "This follow-up has closed" in attempt.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(Response)) == 0


def _answer_blind(client, path):
    return client.post(path, data={"helped": "late answer"})


def test_a_response_form_error_is_shown_next_to_the_action(app, project, campaign_sent):
    by_to = {m["To"]: m for m in campaign_sent["inbox"].messages}
    respond = _links(by_to["cat@council-c.gov.uk"])[1]
    response = app.test_client().post(respond, data={"helped": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("Choose how much progress you made.") >= 3
    assert _db.session.scalar(select(func.count()).select_from(ActionCard)) == 5


def test_respondents_pages_offer_no_log_in(app, project, campaign_sent):
    """Someone answering from an email or a QR code has no account: a "Log in" link only confuses them."""
    from impact.events.models import Event

    by_to = {m["To"]: m for m in campaign_sent["inbox"].messages}
    _, respond, opt_out = _links(by_to["cat@council-c.gov.uk"])
    event = _db.session.get(Event, campaign_sent["event_id"])
    visitor = app.test_client()
    for path in (respond, opt_out, "/followup/not-a-real-link", f"/cards/{event.card_link_key}"):
        response = visitor.get(path)
        assert response.status_code in (200, 400, 404, 410), path
        assert ">Log in</a>" not in response.get_data(as_text=True), path
    assert ">Log in</a>" in visitor.get("/projects/", follow_redirects=True).get_data(as_text=True)


def test_the_next_paper_card_keeps_the_partner_group_and_the_organisation(client, project, login_as):
    login_as("team_member", project)
    event_id = _create_event(client, project)
    response = client.post(_url(project, event_id, "cards/new"), data={
        "email": "ann@council-a.gov.uk", "partner_group": "manager", "organisation": "Council A & Partners",
        "action_1": "Share the guide", "save_and_add": "y"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<option selected value="manager">|value="manager"[^>]*selected|selected[^>]*value="manager"',
                     page), "the partner group carried over"
    assert re.search(r'id="organisation"[^>]*value="Council A &amp; Partners"|value="Council A &amp; Partners"[^>]*'
                     r'id="organisation"', page), "the organisation carried over"
    assert 'value="ann@council-a.gov.uk"' not in page  # the person is new on every card


def test_the_event_page_lists_the_first_still_to_answer_and_counts_them_all(client, project, campaign_sent,
                                                                            monkeypatch):
    monkeypatch.setattr(tracking, "STILL_TO_ANSWER_SHOWN", 2)  # as with thousands of cards, at a smaller size
    page = client.get(_url(project, campaign_sent["event_id"])).get_data(as_text=True)
    still = page[page.index("Still to answer"):page.index("</ul>", page.index("Still to answer"))]
    assert "Still to answer (5)" in still and "The first 2 by email" in still
    assert re.findall(r"<li>(\w+)", still) == ["Ann", "Bob"]  # by email: ann@, bob@


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_the_answer_form_checks_a_csrf_token_bound_to_its_link_and_sets_no_cookie(app, project, campaign_sent):
    """Respondents arrive without a cookie: the form's token needs no session, yet a post without it, with a
    changed one or with another respondent's is refused with the same clear page as every other form's."""
    by_to = {m["To"]: m for m in campaign_sent["inbox"].messages}
    ann = _links(by_to["ann@council-a.gov.uk"])[1]
    bob = _links(by_to["bob@council-b.gov.uk"])[1]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        respondent = app.test_client()
        opened = respondent.get(ann)
        assert opened.status_code == 200 and "Set-Cookie" not in opened.headers
        page = opened.get_data(as_text=True)
        token = TOKEN.search(page).group(1)
        action_ids = list(dict.fromkeys(re.findall(r'name="progress_(\d+)"', page)))
        answers = {f"progress_{action_id}": "some" for action_id in action_ids} | {"helped": "My manager"}
        bobs_token = TOKEN.search(app.test_client().get(bob).get_data(as_text=True)).group(1)
        changed = token[:-1] + ("0" if token[-1] != "0" else "1")
        for refused in (answers, answers | {"csrf_token": ""}, answers | {"csrf_token": changed},
                        answers | {"csrf_token": bobs_token}):
            response = app.test_client().post(ann, data=refused)
            assert response.status_code == 400 and "Form expired" in response.get_data(as_text=True)
        assert _db.session.scalar(select(func.count()).select_from(Response)) == 0

        sent = app.test_client().post(ann, data=answers | {"csrf_token": token})
        assert sent.status_code == 200 and "Set-Cookie" not in sent.headers
        assert "your answers are saved" in sent.get_data(as_text=True)
        assert _db.session.scalar(select(Response.helped)) == "My manager"
        # The page after sending carries the token again: an amendment goes through as well.
        amended = app.test_client().post(ann, data=answers | {"helped": "Time", "csrf_token": TOKEN.search(
            sent.get_data(as_text=True)).group(1)})
        assert amended.status_code == 200
        _db.session.expire_all()
        assert _db.session.scalar(select(Response.helped)) == "Time"

        # Every other form keeps the session's token: the opt-out link's, for one.
        opt_out = _links(by_to["ann@council-a.gov.uk"])[2]
        refused = app.test_client().post(opt_out)
        assert refused.status_code == 400 and "Form expired" in refused.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
