"""The public follow-up form, which every respondent opens from their email, reads what it shows in a fixed
number of statements (issue 15: it lazily loaded the follow-up's campaign, event, project and card one by one)."""
from __future__ import annotations

import re

from tests.test_followups import _create_event, _enter_cards
from tests.test_followups_campaigns import personal_link, plan_campaign, send_now


def test_the_respondents_form_reads_in_few_statements(client, project, login_as, query_counter):
    login_as("lead", project)
    event = _create_event(client, project)
    _enter_cards(client, project, event)
    campaign = plan_campaign(client, project, event)
    send_now(client, project, event, campaign)
    link = personal_link("ann@council-a.gov.uk", campaign)
    client.post("/logout")
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
    assert "Supervision time" in shown and len(re.findall(r'<input checked id="[^"]+" name="progress_\d+"[^>]* value="some"', shown)) == len(action_ids)
    assert len(statements) == 1, "\n".join(statements)  # the earlier answers on the actions' own rows
    with query_counter() as statements:
        amended = client.post(link, data=answers | {"helped": "Supervision time, and a quiet room"})
    assert "Thank you" in amended.get_data(as_text=True)
    # Read: the follow-up with its answers and evidence item, the item's links, the actions' steps; then written:
    # the evidence item's summary, the response, and the project's change stamp.
    assert len(statements) == 6, "\n".join(statements)
