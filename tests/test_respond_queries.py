"""The public follow-up form, which every respondent opens from their email, reads what it shows in a fixed
number of statements (issue 15: it lazily loaded the follow-up's campaign, event, project and card one by one)."""
from __future__ import annotations

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
    assert len(statements) <= 5, "\n".join(statements)  # the follow-up with all it shows, its actions, any
    # earlier answer, and the pseudonym to offer (the register, then the names in use)
