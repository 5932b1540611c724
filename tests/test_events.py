"""Editing an event keeps what it was: its kind is shown selected and survives an unchanged save."""
from __future__ import annotations

import datetime as dt

from impact.events.models import Event, EventKind
from impact.events.services import save_event
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from tests.test_forms import submitted_form


def _event(project, kind=EventKind.WORKSHOP):
    event = save_event(project, None, kind=kind, title="Launch workshop", event_date=dt.date(2024, 9, 10),
                       place="Glasgow", notes="", attendance={PartnerGroup.PRACTITIONER: 12})
    _db.session.commit()
    return event


def test_edit_form_shows_the_stored_kind_and_an_unchanged_save_keeps_it(client, project, login_as):
    login_as("team_member", project)
    event = _event(project)
    url = f"/projects/{project.id}/events/{event.id}/edit"
    page = client.get(url).get_data(as_text=True)
    form = submitted_form(page)
    assert form["kind"] == "workshop"
    assert form["attend_practitioner"] == "12"
    form["place"] = "Edinburgh"  # change only the place, as the reviewer did
    response = client.post(url, data=form)
    assert response.status_code == 302
    _db.session.expire_all()
    saved = _db.session.get(Event, event.id)
    assert saved.kind is EventKind.WORKSHOP and saved.place == "Edinburgh"
    assert "Kind</dt><dd>Workshop" in client.get(f"/projects/{project.id}/events/{event.id}").get_data(as_text=True)


def test_every_kind_is_shown_selected_on_the_edit_form(client, project, login_as):
    login_as("team_member", project)
    for kind in EventKind:
        event = _event(project, kind)
        page = client.get(f"/projects/{project.id}/events/{event.id}/edit").get_data(as_text=True)
        assert submitted_form(page)["kind"] == kind.value
        assert page.count("selected") == 1


def test_kind_can_still_be_changed(client, project, login_as):
    login_as("team_member", project)
    event = _event(project)
    url = f"/projects/{project.id}/events/{event.id}/edit"
    form = submitted_form(client.get(url).get_data(as_text=True))
    form["kind"] = "meeting"
    assert client.post(url, data=form).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Event, event.id).kind is EventKind.MEETING


def test_event_edit_conflict_shows_their_kind_and_keeps_mine(client, project, login_as):
    login_as("team_member", project)
    event = _event(project)
    url = f"/projects/{project.id}/events/{event.id}/edit"
    opened = submitted_form(client.get(url).get_data(as_text=True))
    theirs = opened.copy()
    theirs["kind"], theirs["title"] = "meeting", "Their meeting"
    assert client.post(url, data=theirs).status_code == 302
    mine = opened.copy()
    mine["title"] = "My workshop"
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Meeting “Their meeting”" in page
    kept = submitted_form(page)
    assert kept["title"] == "My workshop" and kept["kind"] == "workshop"
