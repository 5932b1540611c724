"""Times are stored in UTC and read on the project's clock: its pages, its emails and the times typed into it."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from impact.assessment.models import Assessment, Confidence, ProgressRating
from impact.assessment.services import AssessmentValues, save_assessment
from impact.auth.models import User
from impact.extensions import db as _db
from impact.followups.models import Campaign
from impact.local_time import format_local
from impact.mail.models import OutboxMessage
from impact.projects.models import Project
from tests import factories
from tests.test_api import api_as
from tests.test_followups import _create_event, _enter_cards, _url
from tests.test_followups_campaigns import plan_campaign, send_now

STORED = dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)  # 14:05 in London (summer time), 22:05 in Tokyo


def _in_zone(project, zone: str) -> None:
    _db.session.execute(update(Project).where(Project.id == project.id).values(time_zone=zone))
    _db.session.commit()


def _campaign_at(client, project, when: dt.datetime) -> tuple[int, int]:
    event_id = _create_event(client, project)
    campaign_id = plan_campaign(client, project, event_id)
    _db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(send_at=when))
    _db.session.commit()
    return event_id, campaign_id


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.mark.parametrize(("zone", "shown"), [("Europe/London", "1 Jul 2026 14:05 BST"),
                                             ("Asia/Tokyo", "1 Jul 2026 22:05 JST")])
def test_a_stored_time_reads_on_the_projects_clock_with_the_zone_named(client, project, login_as, zone, shown):
    lead = login_as("lead", project)
    event_id, campaign_id = _campaign_at(client, project, STORED)
    step = next(step for step in project.steps if step.title == "Seminars")
    save_assessment(project, step, 0, AssessmentValues(ProgressRating.SOME, Confidence.LOW, "Why", ""),
                    _db.session.get(User, lead.id))
    _db.session.execute(update(Assessment).where(Assessment.step_id == step.id).values(created_at=STORED))
    _db.session.commit()
    _in_zone(project, zone)

    assert shown in _text(client.get(f"/projects/{project.id}/followups/"))  # the project in the page
    campaign_page = _text(client.get(_url(project, event_id, f"followups/{campaign_id}")))
    assert f"it was due {shown}" in campaign_page and "UTC" not in campaign_page
    # A macro imported without the page's context still reads the request's project.
    history = _text(client.get(f"/projects/{project.id}/assessment/steps/{step.id}/history"))
    assert f"{lead.name}, {shown}" in history


def test_pages_about_no_project_read_the_sites_zone(app_with, client, project, login_as, db):
    login_as("lead", project)
    _in_zone(project, "Asia/Tokyo")
    admin = factories.user("Site admin", admin=True)
    other = factories.user("Someone")
    _db.session.execute(update(User).where(User.id == other.id).values(last_login_at=STORED))
    _db.session.commit()
    assert client.get(f"/projects/{project.id}/followups/").status_code == 200  # a Tokyo page first
    client.post("/logout")
    client.post("/login", data={"email": admin.email, "password": factories.PASSWORD})
    assert "2026-07-01 14:05 BST" in _text(client.get("/admin/users"))

    tokyo_site = app_with(DEFAULT_TIME_ZONE="America/New_York").test_client()
    tokyo_site.post("/login", data={"email": admin.email, "password": factories.PASSWORD})
    assert "2026-07-01 09:05 EDT" in _text(tokyo_site.get("/admin/users"))


def test_the_site_refuses_to_start_with_a_time_zone_it_does_not_know(app_with):
    with pytest.raises(RuntimeError, match="DEFAULT_TIME_ZONE 'Mars/Olympus' is not an IANA time zone"):
        app_with(DEFAULT_TIME_ZONE="Mars/Olympus")


def _plan(client, project, event_id, **times):
    data = {"subject": "How did it go?", "message": "At {event} you wrote down some actions.", **times}
    return client.post(_url(project, event_id, "followups/new"), data=data)


def _stored(campaign_id: int) -> tuple:
    _db.session.expire_all()
    campaign = _db.session.get(Campaign, campaign_id)
    return campaign.send_at, campaign.reminder_at, campaign.closes_at


@pytest.mark.parametrize(("zone", "typed", "stored"), [
    ("Europe/London", "2026-07-01T09:00", dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)),  # BST, UTC+1
    ("Europe/London", "2026-01-15T09:00", dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)),  # GMT
    ("Asia/Tokyo", "2026-07-01T09:00", dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)),
])
def test_a_send_time_typed_on_the_projects_clock_is_stored_in_utc(client, project, login_as, zone, typed, stored):
    login_as("lead", project)
    _in_zone(project, zone)
    event_id = _create_event(client, project)
    form = client.get(_url(project, event_id, "followups/new")).get_data(as_text=True)
    assert f"Date and time in the project&#39;s time zone, {zone.replace('_', ' ')}." in form
    day = typed[:10]
    response = _plan(client, project, event_id, send_at=typed, reminder_at=f"{day}T12:00", closes_at=f"{day}T18:00")
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign_id = int(re.search(r"/followups/(\d+)", response.headers["Location"]).group(1))
    send_at, reminder_at, closes_at = _stored(campaign_id)
    assert send_at == stored
    assert reminder_at == stored + dt.timedelta(hours=3) and closes_at == stored + dt.timedelta(hours=9)
    # The edit form shows what was typed, not the UTC stored.
    edit = client.get(_url(project, event_id, f"followups/{campaign_id}/edit")).get_data(as_text=True)
    assert f'value="{typed}"' in edit


def test_a_time_the_clocks_skip_is_refused_beside_the_field(client, project, login_as):
    login_as("lead", project)
    event_id = _create_event(client, project)
    response = _plan(client, project, event_id, send_at="2026-03-29T01:30", closes_at="2026-04-30T12:00")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'id="send_at-error">.*?</span>(.*?)</p>', page, re.S).group(1)
    assert "01:30 on 29 March 2026 does not exist in Europe/London" in error
    assert _db.session.scalar(select(Campaign.id)) is None


def test_the_email_to_respondents_reads_on_the_projects_clock(client, project, login_as):
    login_as("lead", project)
    _in_zone(project, "Asia/Tokyo")
    event_id = _create_event(client, project)
    _enter_cards(client, project, event_id)
    campaign_id = plan_campaign(client, project, event_id)
    _db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                        .values(closes_at=dt.datetime(2027, 8, 1, 15, 0, tzinfo=dt.UTC)))
    _db.session.commit()
    send_now(client, project, event_id, campaign_id)
    message = _db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "followup"))
    expected = "change your answers until 2 August 2027 at 00:00 JST."
    assert expected in factories.email_text(message)
    assert expected in re.sub(r"\s+", " ", message.body_html)


def test_the_settings_form_offers_the_zones_and_refuses_an_unknown_one(client, project, login_as):
    login_as("lead", project)
    url = f"/projects/{project.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert '<option selected value="Europe/London">Europe/London</option>' in page
    assert '<option value="America/New_York">America/New York</option>' in page
    fields = {"title": project.title, "question": project.question, "version": str(project.version)}

    refused = client.post(url, data={**fields, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    error = re.search(r'id="time_zone-error">.*?</span>(.*?)</p>', page, re.S).group(1)
    assert "Choose a time zone from the list" in error
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*id="time_zone"|<select[^>]*id="time_zone"[^>]*'
                     r'aria-invalid="true"', page)
    _db.session.expire_all()
    assert _db.session.get(Project, project.id).time_zone == "Europe/London"

    assert client.post(url, data={**fields, "time_zone": "Asia/Tokyo"}).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Project, project.id).time_zone == "Asia/Tokyo"


def test_a_new_project_starts_in_the_sites_zone_or_the_one_chosen(client, login_as, db):
    login_as("creator")
    form = client.get("/projects/new").get_data(as_text=True)
    assert '<option selected value="Europe/London">' in form
    response = client.post("/projects/new", data={"title": "Overseas project", "time_zone": "Pacific/Auckland"})
    assert response.status_code == 302
    assert _db.session.scalar(select(Project.time_zone).where(Project.title == "Overseas project")) \
        == "Pacific/Auckland"
    assert client.post("/projects/new", data={"title": "Home project"}).status_code == 302
    assert _db.session.scalar(select(Project.time_zone).where(Project.title == "Home project")) == "Europe/London"


def test_the_api_shows_the_projects_time_zone(app, project, db):
    _in_zone(project, "Asia/Tokyo")
    response = api_as(app, "funder", project).get(f"/projects/{project.id}")
    assert response.status_code == 200 and response.json["time_zone"] == "Asia/Tokyo"


def test_a_date_is_only_formatted_and_a_time_always_names_its_zone(app, db):
    assert format_local(dt.date(2026, 7, 1), "long_date", "Asia/Tokyo") == "1 July 2026"
    assert format_local(dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), "date", "Asia/Tokyo") == "2 Jul 2026"
    assert format_local(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), "time", "Europe/London") == "09:00 GMT"
    with pytest.raises(ValueError, match="a date has no time of day"):
        format_local(dt.date(2026, 7, 1), "datetime")
    with pytest.raises(ValueError, match="naive datetime"):
        format_local(dt.datetime(2026, 7, 1, 12, 0), "datetime")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14 and UTC-11
def test_a_forms_date_starts_at_today_on_the_projects_clock(client, project, login_as, zone):
    from zoneinfo import ZoneInfo

    login_as("lead", project)
    _in_zone(project, zone)
    page = client.get(f"/projects/{project.id}/chain/revisions").get_data(as_text=True)
    shown = re.search(r'id="revision_date"[^>]*value="([\d-]+)"|value="([\d-]+)"[^>]*id="revision_date"', page)
    # Within a day of UTC's date one way or the other, the project's own today is what the form offers.
    assert shown and (shown.group(1) or shown.group(2)) == dt.datetime.now(ZoneInfo(zone)).date().isoformat()
