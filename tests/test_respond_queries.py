"""The public follow-up form, which every respondent opens from their email, reads what it shows in a fixed
number of statements (issue 15: it lazily loaded the follow-up's campaign, event, project and card one by one)."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.test_followups import _create_event, _enter_cards
from tests.test_followups_campaigns import personal_link, plan_campaign, send_now


def _a_respondents_link(client, project, login_as) -> str:
    """The personal link of a card holder of an event whose follow-ups were sent, opened signed out."""
    login_as("lead", project)
    event_id = _create_event(client, project)
    _enter_cards(client, project, event_id)
    campaign = plan_campaign(client, project, event_id)
    send_now(client, project, event_id, campaign)
    client.post("/logout")
    return personal_link("ann@council-a.gov.uk", campaign)


def test_the_respondents_form_reads_in_few_statements(client, project, login_as, query_counter):
    link = _a_respondents_link(client, project, login_as)
    with query_counter() as statements:
        page = client.get(link)
    assert page.status_code == 200 and "Write reports for the family, not the file" in page.get_data(as_text=True)
    # The follow-up with all it shows: its campaign, event, card and actions, and the pseudonym to offer.
    assert len(statements) == 1, "\n".join(statements)
    action_ids = list(dict.fromkeys(re.findall(r'name="progress_(\d+)"', page.get_data(as_text=True))))
    answers = {f"progress_{action_id}": "some" for action_id in action_ids} | {"helped": "Supervision time"}
    assert "Thank you" in client.post(link, data=answers).get_data(as_text=True)
    with query_counter() as statements:
        page = client.get(link)
    shown = page.get_data(as_text=True)
    checked = re.findall(r'<input checked id="[^"]+" name="progress_\d+"[^>]* value="some"', shown)
    assert "Supervision time" in shown and len(checked) == len(action_ids)
    assert len(statements) == 1, "\n".join(statements)  # the earlier answers on the actions' own rows
    with query_counter() as statements:
        amended = client.post(link, data=answers | {"helped": "Supervision time, and a quiet room"})
    assert "Thank you" in amended.get_data(as_text=True)
    # Read: the follow-up with its answers and evidence item, the item's links, the actions' steps; then written:
    # the evidence item's summary, the response, and the project's change stamp.
    assert len(statements) == 6, "\n".join(statements)


def test_an_answer_sent_twice_at_once_is_saved_not_refused(app, client, project, login_as):
    """Two tabs of one link sending at the same moment: the second finds the evidence item changed under it
    (its version moved) and writes its answers on top, where it answered 500."""
    from sqlalchemy import event, text

    from impact.extensions import db as _db
    from impact.followups.models import Response

    link = _a_respondents_link(client, project, login_as)
    page = client.get(link).get_data(as_text=True)
    action_ids = list(dict.fromkeys(re.findall(r'name="progress_(\d+)"', page)))
    answers = {f"progress_{action_id}": "some" for action_id in action_ids}
    assert "Thank you" in client.post(link, data=answers | {"helped": "Supervision time"}).get_data(as_text=True)
    item_id = _db.session.scalars(select(Response.evidence_item_id)).one()
    engine = _db.engine
    raced = []

    def the_other_tab(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE evidence_items") and not raced:
            raced.append(True)
            with engine.connect() as other:  # committed before this request's own UPDATE runs
                other.execute(text("UPDATE evidence_items SET version = version + 1 WHERE id = :id"), {"id": item_id})
                other.commit()

    event.listen(engine, "before_cursor_execute", the_other_tab)
    try:
        amended = client.post(link, data=answers | {"helped": "Supervision time, and a quiet room"})
    finally:
        event.remove(engine, "before_cursor_execute", the_other_tab)
    assert raced and amended.status_code == 200 and "Thank you" in amended.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.scalars(select(Response.helped)).one() == "Supervision time, and a quiet room"
