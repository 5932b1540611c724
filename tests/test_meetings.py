"""Meetings on the record: the impact meeting's attendance, consent, notes, recording, quotes and themes."""
from __future__ import annotations

import datetime as dt
import html
import io
import json
import re

from sqlalchemy import func, select

from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.extensions import db as _db
from impact.meetings.models import Meeting, MeetingAttendance, MeetingQuote, MeetingTheme
from impact.projects.models import Membership, PartnerGroup
from impact.research.models import ResearchProject
from impact.toc.models import InfluencingFactor
from impact.toc.services import load_chain
from tests import factories

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 100


def _steps(project) -> dict[str, int]:
    return {step.title: step.id for step in load_chain(project.id).steps}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def _url(project, meeting=None, tail: str = "") -> str:
    base = f"/projects/{project.id}/meetings"
    return f"{base}/{meeting.id}{tail}" if meeting is not None else f"{base}{tail}"


def _meeting(client, project, **fields) -> Meeting:
    steps = _steps(project)
    data = {"title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
            "notes": "Five practitioners from four PRPs each reported an impact.",
            "step_ids": [str(steps["Reports written for the client"])], **fields}
    response = client.post(_url(project, tail="/new"), data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return _db.session.scalar(select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.id.desc()))


def _member(project, name: str, role="practitioner_researcher", group=PartnerGroup.PRACTITIONER):
    user = factories.user(name)
    _db.session.add(Membership(project_id=project.id, user_id=user.id, role=role, partner_group=group))
    _db.session.commit()
    return user


def _log_in(client, user) -> None:
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302


def test_the_team_records_a_meeting_whose_notes_are_evidence_and_whose_recording_needs_consent(
        client, project, login_as):
    login_as("lead", project)
    page = client.get(_url(project, tail="/new")).get_data(as_text=True)
    assert 'accept=".mp3,.m4a,.wav,.txt,.docx"' in page and 'type="checkbox"' in page

    refused = client.post(_url(project, tail="/new"), content_type="multipart/form-data", data={
        "title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "recording": (io.BytesIO(WAV), "meeting.wav")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="recording-error"' in text and "agreed to have recorded" in text
    assert _db.session.scalar(select(func.count()).select_from(Meeting)) == 0

    fake = client.post(_url(project, tail="/new"), content_type="multipart/form-data", data={
        "title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "consent_to_record": "y", "recording": (io.BytesIO(b"<html>not audio</html>" * 10), "meeting.mp3")})
    assert fake.status_code == 400 and "not a real .mp3 file" in fake.get_data(as_text=True)
    refused_type = client.post(_url(project, tail="/new"), content_type="multipart/form-data", data={
        "title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "consent_to_record": "y", "recording": (io.BytesIO(b"%PDF-1.4 x"), "meeting.pdf")})
    assert refused_type.status_code == 400 and "Allowed types: mp3, m4a, wav, txt, docx" in \
        refused_type.get_data(as_text=True)

    meeting = _meeting(client, project, consent_to_record="y", recording=(io.BytesIO(MP3), "impact meeting.mp3"))
    assert meeting.file_type == "audio/mpeg" and meeting.consent_to_record
    notes = meeting.notes_item
    assert notes.kind is EvidenceKind.MEETING_RECORD and notes.partner_group is PartnerGroup.PRACTITIONER
    assert notes.title == "Impact meeting: notes" and notes.evidence_date == dt.date(2011, 6, 17)
    assert [(link.step.title, link.stance, link.strength) for link in notes.links] == [
        ("Reports written for the client", Stance.SUPPORTS, Strength.MODERATE)]
    shown = client.get(_url(project, meeting)).get_data(as_text=True)
    assert "With everyone's agreement" in shown and "impact meeting.mp3" in shown
    download = client.get(_url(project, meeting, "/recording"))
    assert download.status_code == 200 and download.data == MP3 and download.mimetype == "audio/mpeg"
    assert "no-store" in download.headers["Cache-Control"] and "attachment" in download.headers["Content-Disposition"]

    # Taking consent back while the recording is kept is refused; removing the file with it is not.
    version = _hidden(client.get(_url(project, meeting, "/edit")).get_data(as_text=True), "version")
    kept = client.post(_url(project, meeting, "/edit"), data={
        "title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "version": version})
    assert kept.status_code == 400 and 'id="consent_to_record-error"' in kept.get_data(as_text=True)
    removed = client.post(_url(project, meeting, "/edit"), data={
        "title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "remove_file": "y", "version": version})
    assert removed.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Meeting, meeting.id).file_sha256 is None


# Bodies under 500 KB, so the test client keeps them in memory (a bigger one goes to a temporary file).
def test_a_long_recording_is_accepted_where_other_forms_refuse_the_same_size(app_with, db, project):
    app = app_with(MAX_CONTENT_LENGTH=100 * 1024, RECORDING_FILE_MAX_BYTES=400 * 1024)
    client = app.test_client()
    lead = factories.user_with_role("lead", project)
    client.post("/login", data={"email": lead.email, "password": factories.PASSWORD})
    audio = WAV + b"\x00" * (300 * 1024)  # over the site's 100 KB, under the recording's 400 KB
    accepted = client.post(f"/projects/{project.id}/meetings/new", content_type="multipart/form-data", data={
        "title": "Long meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "consent_to_record": "y", "recording": (io.BytesIO(audio), "long.wav")})
    assert accepted.status_code == 302
    elsewhere = client.post(f"/projects/{project.id}/evidence/new", content_type="multipart/form-data", data={
        "title": "Long file", "file": (io.BytesIO(audio), "long.wav")})
    assert elsewhere.status_code == 413 and "100 KB in all" in elsewhere.get_data(as_text=True)
    too_long = client.post(f"/projects/{project.id}/meetings/new", content_type="multipart/form-data", data={
        "title": "Longer meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "consent_to_record": "y", "recording": (io.BytesIO(audio + audio[:150 * 1024]), "longer.wav")})
    text = too_long.get_data(as_text=True)
    assert too_long.status_code == 400 and 'id="recording-error"' in text and "the limit is 400 KB" in text


def test_quotes_are_evidence_in_their_speakers_group_and_unconsented_words_stay_with_the_team(
        client, project, login_as):
    login_as("lead", project)
    steps = _steps(project)
    meeting = _meeting(client, project)
    prp = ResearchProject(project_id=project.id, title="Honesty about concerns")
    _db.session.add(prp)
    _db.session.commit()
    carer = client.post(_url(project, meeting, "/attendance"), data={
        "name": "Carer A", "partner_group": "carer", "people": "1", "research_project_id": str(prp.id)})
    assert carer.status_code == 302
    several = client.post(_url(project, meeting, "/attendance"), data={
        "name": "Practitioners", "partner_group": "practitioner", "people": "4"})
    assert several.status_code == 400 and 'id="people-error"' in several.get_data(as_text=True)
    speaker = _db.session.scalar(select(MeetingAttendance).where(MeetingAttendance.name == "Carer A"))
    assert speaker.research_project_id == prp.id

    page = client.get(_url(project, meeting, "/quotes/new")).get_data(as_text=True)
    assert "Carer A (Honesty about concerns)" in page
    assert client.post(_url(project, meeting, "/quotes/new"), data={
        "words": "They wrote it for me, not for the conference.", "consent_to_quote": "y", "pseudonym": "Carer A",
        "speaker_id": str(speaker.id), "partner_group": "practitioner", "heading": "A report for the family",
        "step_ids": [str(steps["Reports written for the client"])]}).status_code == 302
    nameless = client.post(_url(project, meeting, "/quotes/new"), data={
        "words": "Nobody had been that straight with me.", "partner_group": "practitioner"})
    assert nameless.status_code == 400 and 'id="context-error"' in nameless.get_data(as_text=True)
    assert client.post(_url(project, meeting, "/quotes/new"), data={
        "words": "Nobody had been that straight with me.", "partner_group": "practitioner",
        "context": "A parent valued plain talk at the first visit.",
        "step_ids": [str(steps["Reports written for the client"])]}).status_code == 302

    quoted, unquoted = _db.session.scalars(select(MeetingQuote).order_by(MeetingQuote.id)).all()
    item = quoted.evidence_item
    assert item.partner_group is PartnerGroup.CARER  # the speaker's, not the form's default
    assert (item.quote, item.pseudonym, item.consent_to_quote) == (
        "They wrote it for me, not for the conference.", "Carer A", True)
    assert item.title == "Impact meeting: A report for the family"
    assert [(link.stance, link.strength, link.origin) for link in item.links] == [
        (Stance.SUPPORTS, Strength.WEAK, LinkOrigin.ACTION_MAPPING)]
    hidden = unquoted.evidence_item
    assert hidden.quote == "" and not hidden.consent_to_quote and hidden.summary.startswith("A parent valued")
    assert "straight" not in hidden.title

    team_view = client.get(_url(project, meeting)).get_data(as_text=True)
    assert "Not for quoting" in team_view and "Nobody had been that straight" in team_view
    practitioner = _member(project, "Pat Practitioner")
    _log_in(client, practitioner)
    for url in (_url(project, meeting), f"/projects/{project.id}/evidence/{hidden.id}",
                f"/projects/{project.id}/chain/steps/{steps['Reports written for the client']}",
                f"/projects/{project.id}/story/", f"/projects/{project.id}/evidence/"):
        text = client.get(url).get_data(as_text=True)
        assert "that straight" not in text, url
    reader_view = client.get(_url(project, meeting)).get_data(as_text=True)
    assert "“They wrote it for me, not for the conference.”" in reader_view and "Add a quote" not in reader_view
    assert "Carer A" in reader_view and "/recording" not in reader_view


def test_removing_a_quote_asks_first_and_restore_brings_its_evidence_back(client, project, login_as):
    login_as("lead", project)
    steps = _steps(project)
    meeting = _meeting(client, project)
    client.post(_url(project, meeting, "/quotes/new"), data={
        "words": "It's the drip drip.", "consent_to_quote": "y", "pseudonym": "Practitioner 3",
        "partner_group": "practitioner", "step_ids": [str(steps["Reports written for the client"])]})
    quote = _db.session.scalar(select(MeetingQuote))
    step_page = f"/projects/{project.id}/chain/steps/{steps['Reports written for the client']}"
    assert "drip drip" in client.get(step_page).get_data(as_text=True)

    ask = client.get(_url(project, meeting, f"/quotes/{quote.id}/remove")).get_data(as_text=True)
    assert "Remove this quote?" in ask and "linked to 1 part of the chain" in ask
    assert "drip drip" in client.get(step_page).get_data(as_text=True)  # asking removes nothing
    done = client.post(_url(project, meeting, f"/quotes/{quote.id}/remove"), follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Quote removed" in text and "Removed quotes" in text and "No quotes yet." in text
    assert "drip drip" not in client.get(step_page).get_data(as_text=True)
    assert "Impact meeting: a quote from Practitioner 3" in client.get(
        f"/projects/{project.id}/evidence/trash").get_data(as_text=True)

    back = client.post(_url(project, meeting, f"/quotes/{quote.id}/restore"), follow_redirects=True)
    assert "Quote restored" in back.get_data(as_text=True)
    assert "drip drip" in client.get(step_page).get_data(as_text=True)
    again = client.post(_url(project, meeting, f"/quotes/{quote.id}/restore"), follow_redirects=True)
    assert "already been restored" in again.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(EvidenceLink)) == 2  # notes' link and the quote's


def test_a_member_sees_their_quote_among_their_contributions_and_withdrawing_consent_unquotes_it(
        client, project, login_as):
    lead = login_as("lead", project)
    steps = _steps(project)
    practitioner = _member(project, "Pat Practitioner")
    meeting = _meeting(client, project)
    client.post(_url(project, meeting, "/attendance"), data={
        "name": "Practitioner 2", "partner_group": "practitioner", "people": "1", "user_id": str(practitioner.id)})
    row = _db.session.scalar(select(MeetingAttendance))
    client.post(_url(project, meeting, "/quotes/new"), data={
        "words": "Supporting people to take risks.", "consent_to_quote": "y", "pseudonym": "Practitioner 2",
        "speaker_id": str(row.id), "partner_group": "practitioner", "context": "On risk.",
        "step_ids": [str(steps["Reports written for the client"])]})
    quote = _db.session.scalar(select(MeetingQuote))
    assert quote.evidence_item.created_by_id == practitioner.id

    _log_in(client, practitioner)
    mine = client.get(f"/projects/{project.id}/evidence/mine").get_data(as_text=True)
    assert "Impact meeting: a quote from Practitioner 2" in mine
    # The team removes their attendance row: the quote stays theirs.
    _log_in(client, lead)
    client.post(_url(project, meeting, f"/attendance/{row.id}/remove"))
    client.post(_url(project, meeting, f"/quotes/{quote.id}"), data={
        "words": "Supporting people to take risks.", "consent_to_quote": "y", "pseudonym": "Practitioner 2",
        "partner_group": "practitioner", "context": "On risk.", "version": str(quote.version + 1)})
    _db.session.expire_all()
    assert _db.session.get(MeetingQuote, quote.id).evidence_item.created_by_id == practitioner.id
    _log_in(client, practitioner)
    assert "Impact meeting: a quote from Practitioner 2" in client.get(
        f"/projects/{project.id}/evidence/mine").get_data(as_text=True)
    client.post(f"/projects/{project.id}/evidence/{quote.evidence_item_id}/withdraw-consent")
    _db.session.expire_all()
    quote = _db.session.get(MeetingQuote, quote.id)
    assert not quote.consent_to_quote and quote.evidence_item.quote == "" and not quote.evidence_item.pseudonym
    assert "take risks" not in quote.evidence_item.title
    for url in (_url(project, meeting), f"/projects/{project.id}/story/",
                f"/projects/{project.id}/chain/steps/{steps['Reports written for the client']}"):
        assert "Supporting people to take risks" not in client.get(url).get_data(as_text=True), url
    # Saving the meeting again does not quote them again.
    _log_in(client, lead)
    version = _hidden(client.get(_url(project, meeting, "/edit")).get_data(as_text=True), "version")
    assert client.post(_url(project, meeting, "/edit"), data={
        "title": "Impact meeting, June", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
        "version": version}).status_code == 302
    _db.session.expire_all()
    item = _db.session.get(MeetingQuote, quote.id).evidence_item
    assert item.quote == "" and item.title.startswith("Impact meeting, June: ")


def test_themes_link_to_steps_and_factors_and_edits_never_overwrite_anothers(client, project, login_as):
    login_as("lead", project)
    steps = _steps(project)
    factor = _db.session.scalar(select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))
    meeting = _meeting(client, project)
    page = client.get(_url(project, meeting, "/themes/new")).get_data(as_text=True)
    assert "Heavy caseloads (Reports written for the client)" in page
    assert client.post(_url(project, meeting, "/themes/new"), data={
        "title": "Working with local authority cultures", "description": "Findings stall below senior managers.",
        "step_ids": [str(steps["Reports written for the client"])], "factor_ids": [str(factor.id)]}).status_code == 302
    theme = _db.session.scalar(select(MeetingTheme))
    assert [s.title for s in theme.steps] == ["Reports written for the client"]
    assert [f.title for f in theme.factors] == ["Heavy caseloads"]
    shown = client.get(_url(project, meeting)).get_data(as_text=True)
    assert "Working with local authority cultures" in shown and "Influencing factors: Heavy caseloads." in shown

    form = client.get(_url(project, meeting, f"/themes/{theme.id}")).get_data(as_text=True)
    version = _hidden(form, "version")
    assert client.post(_url(project, meeting, f"/themes/{theme.id}"), data={
        "title": "Cultures", "version": version}).status_code == 302
    stale = client.post(_url(project, meeting, f"/themes/{theme.id}"), data={"title": "Mine", "version": version})
    assert stale.status_code == 409 and "Someone else saved this theme" in stale.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(MeetingTheme, theme.id).title == "Cultures"


def test_whose_voice_shows_which_partner_groups_took_part_at_each_level(client, project, login_as):
    login_as("lead", project)
    save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2010, 4, 28),
               place="", notes="", attendance={PartnerGroup.PRACTITIONER: 21, PartnerGroup.MANAGER: 8,
                                               PartnerGroup.ACADEMIC: 5, PartnerGroup.CARER: 1})
    _db.session.commit()
    board = _meeting(client, project, title="Steering group", kind="governance", notes="")
    for group, people in (("academic", "3"), ("manager", "2")):
        client.post(_url(project, board, "/attendance"), data={"partner_group": group, "people": people})
    impact = _meeting(client, project, title="Impact meeting", notes="")
    client.post(_url(project, impact, "/attendance"), data={"name": "P1", "partner_group": "practitioner",
                                                            "people": "1"})
    text = client.get(f"/projects/{project.id}/evidence/voices").get_data(as_text=True)
    sections = {name: body for name, body in re.findall(r"<h3>([^<]+)</h3>(.*?)</table>", text, re.S)}
    assert list(sections) == ["Governance", "Activities", "Research and reflection"]
    assert "Not represented: practitioner, service user, carer." in sections["Governance"]
    assert "Not represented: service user." in sections["Activities"]
    assert re.search(r"First seminar</a>.*?<td>5</td><td>21</td><td>8</td><td>0</td><td>1</td>",
                     sections["Activities"], re.S)
    assert "Steering group" in sections["Governance"] and "Impact meeting" in sections["Research and reflection"]

    report = json.loads(client.get(f"/projects/{project.id}/report.json").get_data(as_text=True))
    by_title = {meeting["title"]: meeting for meeting in report["meetings"]}
    assert by_title["Steering group"]["attendance"] == {"academic": 3, "manager": 2}
    assert by_title["Steering group"]["kind"] == "governance" and by_title["Impact meeting"]["quotes"] == 0


def test_the_meeting_page_runs_the_same_queries_however_many_quotes(client, project, login_as, query_counter):
    login_as("lead", project)
    steps = _steps(project)
    meeting = _meeting(client, project)

    def add(count: int) -> None:
        for number in range(count):
            client.post(_url(project, meeting, "/attendance"), data={
                "name": f"Practitioner {number}", "partner_group": "practitioner", "people": "1"})
            client.post(_url(project, meeting, "/quotes/new"), data={
                "words": f"Words {number}.", "consent_to_quote": "y", "pseudonym": f"Practitioner {number}",
                "partner_group": "practitioner", "step_ids": [str(steps["Reports written for the client"])]})
        client.post(_url(project, meeting, "/themes/new"), data={
            "title": f"Theme {count}", "step_ids": [str(steps["Seminars"])]})

    counts = []
    for count in (1, 6):
        add(count)
        with query_counter() as statements:
            assert client.get(_url(project, meeting)).status_code == 200
        counts.append(len(statements))
        with query_counter() as listing:
            assert client.get(_url(project, tail="/")).status_code == 200
        counts.append(len(listing))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_once_a_speaker_withdraws_consent_nobody_sees_their_words_and_the_team_cannot_consent_for_them(
        client, project, login_as):
    lead = login_as("lead", project)
    practitioner = _member(project, "Pat Practitioner")
    meeting = _meeting(client, project)
    client.post(_url(project, meeting, "/attendance"), data={
        "name": "Practitioner 2", "partner_group": "practitioner", "people": "1", "user_id": str(practitioner.id)})
    row = _db.session.scalar(select(MeetingAttendance))
    client.post(_url(project, meeting, "/quotes/new"), data={
        "words": "We back away from risk.", "consent_to_quote": "y", "pseudonym": "Practitioner 2",
        "speaker_id": str(row.id), "partner_group": "practitioner", "context": "On risk."})
    quote = _db.session.scalar(select(MeetingQuote))
    _log_in(client, practitioner)
    client.post(f"/projects/{project.id}/evidence/{quote.evidence_item_id}/withdraw-consent")
    _log_in(client, lead)
    page = client.get(_url(project, meeting)).get_data(as_text=True)
    assert "back away from risk" not in page and "Consent withdrawn" in page
    form = client.get(_url(project, meeting, f"/quotes/{quote.id}")).get_data(as_text=True)
    again = client.post(_url(project, meeting, f"/quotes/{quote.id}"), data={
        "words": "We back away from risk.", "consent_to_quote": "y", "pseudonym": "Practitioner 2",
        "speaker_id": str(row.id), "partner_group": "practitioner", "context": "On risk.",
        "version": _hidden(form, "version")})
    text = again.get_data(as_text=True)
    assert again.status_code == 400 and 'id="consent_to_quote-error"' in text and "only they can give it again" in text
    assert "back away from risk" not in form and "back away from risk" not in text
    _db.session.expire_all()
    assert _db.session.get(MeetingQuote, quote.id).evidence_item.quote == ""


def test_a_step_page_shows_the_meeting_themes_on_it_and_on_its_factors(client, project, login_as):
    login_as("lead", project)
    steps = _steps(project)
    factor = _db.session.scalar(select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))
    meeting = _meeting(client, project)
    client.post(_url(project, meeting, "/themes/new"), data={"title": "Creating a dialogue",
                                                             "step_ids": [str(steps["Seminars"])]})
    client.post(_url(project, meeting, "/themes/new"), data={"title": "Caseloads crowd out reflection",
                                                             "factor_ids": [str(factor.id)]})
    client.get(_url(project, meeting))  # shows (and so clears) the flashed "Theme added"
    seminars = client.get(f"/projects/{project.id}/chain/steps/{steps['Seminars']}").get_data(as_text=True)
    assert "Themes from meetings" in seminars and "Creating a dialogue" in seminars
    assert "Caseloads crowd out reflection" not in seminars
    practice = client.get(f"/projects/{project.id}/chain/steps/{factor.step_id}").get_data(as_text=True)
    assert "Caseloads crowd out reflection" in practice and "Creating a dialogue" not in practice
    attendees = client.get(f"/projects/{project.id}/chain/steps/{steps['Attendees from six councils']}")
    assert "Themes from meetings" not in attendees.get_data(as_text=True)


def test_the_larger_upload_limit_is_only_for_those_who_may_record_a_meeting(app_with, db, project):
    # With CSRF on, as in production, the body is read (for its token) before any view or sign-in check runs.
    app = app_with(MAX_CONTENT_LENGTH=100 * 1024, RECORDING_FILE_MAX_BYTES=400 * 1024, WTF_CSRF_ENABLED=True)
    audio = WAV + b"\x00" * (300 * 1024)
    data = {"title": "Long meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
            "consent_to_record": "y"}
    def signed_in(role: str):
        client = app.test_client()
        if role != "anonymous":
            user = factories.user_with_role(role, project)
            token = _csrf(client.get("/login").get_data(as_text=True))
            assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                               "csrf_token": token}).status_code == 302
        return client

    for role in ("anonymous", "practitioner_researcher", "outsider"):
        refused = signed_in(role).post(f"/projects/{project.id}/meetings/new", content_type="multipart/form-data",
                                       data={**data, "recording": (io.BytesIO(audio), "long.wav")})
        assert refused.status_code == 413, role  # the site's own limit: the body is never spooled
    assert _db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    lead = signed_in("lead")
    token = _csrf(lead.get(f"/projects/{project.id}/meetings/new").get_data(as_text=True))
    accepted = lead.post(f"/projects/{project.id}/meetings/new", content_type="multipart/form-data",
                         data={**data, "csrf_token": token, "recording": (io.BytesIO(audio), "long.wav")})
    assert accepted.status_code == 302


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_notes_cleared_take_their_evidence_off_the_steps_and_written_again_bring_it_back(client, project, login_as):
    login_as("lead", project)
    meeting = _meeting(client, project)
    item_id = meeting.notes_item_id

    def save(notes: str) -> None:
        page = client.get(_url(project, meeting, "/edit")).get_data(as_text=True)
        assert client.post(_url(project, meeting, "/edit"), data={
            "title": "Impact meeting", "kind": "impact", "held_on": "2011-06-17", "notes_voice": "practitioner",
            "notes": notes, "step_ids": [str(_steps(project)["Reports written for the client"])],
            "version": _hidden(page, "version")}).status_code == 302
        _db.session.expire_all()

    save("")
    assert _db.session.get(EvidenceItem, item_id).deleted_at is not None
    assert "the notes as evidence" not in client.get(_url(project, meeting)).get_data(as_text=True)
    save("Written again.")
    item = _db.session.get(EvidenceItem, item_id)
    assert item.deleted_at is None and item.summary == "Written again."
