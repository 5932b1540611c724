"""Event, card and follow-up pages run a fixed number of SQL queries whatever the number of cards."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card, tag_actions
from impact.coding.models import FactorTheme
from impact.coding.services import add_default_themes, set_codes
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.extensions import db as _db
from impact.followups.models import FollowUp, Progress, Response
from impact.followups.services import save_campaign, save_response, send_campaign
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.toc.models import FactorDirection
from impact.toc.services import load_chain

GROUPS = [PartnerGroup.PRACTITIONER, PartnerGroup.MANAGER, PartnerGroup.ACADEMIC, PartnerGroup.CARER]


def _event_with_cards(project, cards: int):
    """An event with `cards` cards of three tagged actions, a sent follow-up, and half of them answered."""
    event = save_event(project, None, kind=EventKind.SEMINAR, title="Seminar", event_date=dt.date(2011, 3, 1),
                       place="", notes="", attendance={PartnerGroup.PRACTITIONER: cards})
    steps = load_chain(project.id).steps
    for n in range(cards):
        card, _ = save_card(event, CardData(f"person{n}@council.gov.uk", [f"Action {n}.{k}" for k in range(3)],
                                            partner_group=GROUPS[n % len(GROUPS)]), CardSource.PAPER)
        for action in card.actions:
            tag_actions(project, event, [action.id], steps[n % len(steps)])
    now = utcnow()
    campaign = save_campaign(event, None, subject="How did it go?", message="Tell us", reminder_message="",
                             send_at=now, reminder_at=None, closes_at=now + dt.timedelta(days=30))
    send_campaign(campaign)
    add_default_themes(project)
    theme_ids = _db.session.scalars(select(FactorTheme.id).where(FactorTheme.project_id == project.id)
                                    .order_by(FactorTheme.id)).all()
    followups = _db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign.id)
                                    .order_by(FollowUp.id)).all()
    for followup in followups[::2]:
        response = save_response(followup, progress={a.id: (Progress.SOME, "ok", "") for a in followup.card.actions},
                                 helped="Time", hindered="Caseload", anything_else="", consent_to_quote=True,
                                 pseudonym="P")
        set_codes(project, response,
                  {(theme_ids[0], FactorDirection.HELPING), (theme_ids[1], FactorDirection.HINDERING)})
    _db.session.commit()
    return event, campaign


PAGES = [
    "/projects/{p}/events/",
    "/projects/{p}/events/{e}",
    "/projects/{p}/events/{e}/cards/",
    "/projects/{p}/events/{e}/cards/tags",
    "/projects/{p}/events/{e}/followups/{c}",
    "/projects/{p}/events/{e}/followups/{c}/responses/{r}",
    "/projects/{p}/codebook",
    "/projects/{p}/report.json",
]


@pytest.mark.parametrize("template", PAGES)
def test_query_count_does_not_grow_with_the_cards(client, project, login_as, query_counter, template):
    login_as("lead", project)
    counts = []
    for size in (2, 30):
        event, campaign = _event_with_cards(project, size)
        response_id = _db.session.scalar(
            select(Response.id).join(FollowUp).where(FollowUp.campaign_id == campaign.id).limit(1))
        url = template.format(p=project.id, e=event.id, c=campaign.id, r=response_id)
        with query_counter() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries with 2 cards, {counts[1]} with 30"
    assert counts[1] <= 20, counts
