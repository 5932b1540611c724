"""``flask mail receive`` as a mail server's pipe transport runs it: one message on standard input.

A practitioner replies to their reminder (sent through a real SMTP server by ``flask jobs run``) with a
quoted original, an HTML part and a photo: a draft update is filed with their new words and the photo.
A forged reply tag, an unknown sender and a 30 MB message are refused, with the reason, storing nothing.
"""
from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from impact.extensions import db as _db
from tests import test_cli_processes
from tests.test_cli_processes import PASSWORD, describe, succeeded
from tests.test_outbox import ScriptedInbox, start_smtp

migrated, site = test_cli_processes.migrated, test_cli_processes.site
UPDATES = "updates@impact.example.org"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _state(site) -> None:
    """An active PRP led by Ann (six-week rhythm, started ten weeks ago, no update yet)."""
    from impact.auth.services import create_user
    from impact.model_types import utcnow
    from impact.projects.models import Membership, PartnerGroup, Role
    from impact.projects.services import create_project
    from impact.research.models import ResearchProject, ResearchStatus

    with site.app.test_request_context():
        project = create_project(creator=create_user("lead@uni.example.org", "Lead", PASSWORD),
                                 title="Involuntary clients", question="Did practice change?")
        ann = create_user("ann@council-a.gov.uk", "Ann", PASSWORD)
        _db.session.add(Membership(project_id=project.id, user_id=ann.id, role=Role.PRACTITIONER_RESEARCHER,
                                   partner_group=PartnerGroup.PRACTITIONER))
        prp = ResearchProject(project_id=project.id, title="Carers first", status=ResearchStatus.ACTIVE,
                              started_on=(utcnow() - dt.timedelta(weeks=10)).date(), reminder_weeks=6)
        prp.leads = [ann]
        _db.session.add(prp)
        _db.session.commit()
        _db.session.remove()


def _reply(to: str, *, sender: str = "Ann <ann@council-a.gov.uk>", attachment: bytes | None = PNG) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, "Re: A quick update on Carers first?"
    message.set_content("Ran the carers' session with my team. Carers now speak first.\n\n"
                        "On 1 Dec 2026, impact <impact@example.org> wrote:\n> It is 6 weeks since the last update\n"
                        "> What have you done?\n")
    message.add_alternative("<p>Ran the carers' session with my team. Carers now speak first.</p>"
                            "<blockquote>It is 6 weeks since the last update</blockquote>", subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype="image", subtype="png", filename="flipchart.png")
    return bytes(message)


def _updates(site) -> list[tuple]:
    from impact.research.models import ResearchUpdate

    with site.app.app_context():
        try:
            return list(_db.session.execute(select(ResearchUpdate.status, ResearchUpdate.what_did,
                                                   ResearchUpdate.file_name, ResearchUpdate.author_id)))
        finally:
            _db.session.remove()


@pytest.mark.smtp
def test_a_reply_to_a_reminder_is_filed_as_a_draft_and_forgeries_are_refused(site):
    from impact.research.models import UpdateStatus

    _state(site)
    env = {"RESEARCH_UPDATE_ADDRESS": UPDATES}
    inbox = ScriptedInbox()
    controller, port = start_smtp(inbox)
    try:
        succeeded(site.flask("jobs", "run", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), **env))
    finally:
        controller.stop()
    (reminder,) = inbox.messages
    reply_to = str(reminder["Reply-To"])
    assert reply_to.startswith("updates+") and reply_to.endswith("@impact.example.org")
    assert "reply to this email" in reminder.get_body(preferencelist=("plain",)).get_content()

    # Forged: the tag's signature changed. Nothing is stored, and the reason is given.
    local, _, domain = reply_to.partition("@")
    forged = site.flask("mail", "receive", input=_reply(f"{local[:-2]}xx@{domain}").decode(), **env)
    assert forged.returncode == 77 and "forged" in forged.stderr, describe(forged)
    unknown = site.flask("mail", "receive", input=_reply(UPDATES, sender="Eve <eve@elsewhere.example>").decode(),
                         **env)
    assert unknown.returncode == 67 and "unknown sender" in unknown.stderr, describe(unknown)
    huge = _reply(reply_to, attachment=b"\x89PNG\r\n\x1a\n" + b"\x00" * (30 * 1024 * 1024))
    oversized = subprocess_with_bytes(site, huge, env)
    assert oversized.returncode == 65 and "over the limit" in oversized.stderr.decode(), oversized.stderr
    assert _updates(site) == []

    filed = subprocess_with_bytes(site, _reply(reply_to), env)
    assert filed.returncode == 0 and b"filed a draft update" in filed.stdout, filed.stderr
    ((status, text, file_name, author_id),) = _updates(site)
    assert status is UpdateStatus.DRAFT and file_name == "flipchart.png" and author_id is not None
    assert text == "Ran the carers' session with my team. Carers now speak first."  # the quote is gone

    # Writing to the plain update address works too, for a lead of one active PRP.
    plain = subprocess_with_bytes(site, _reply(UPDATES, attachment=None), env)
    assert plain.returncode == 0, plain.stderr
    assert len(_updates(site)) == 2


def subprocess_with_bytes(site, data: bytes, env: dict):
    """The message as bytes, the way a mail server pipes it (headers may hold 8-bit text)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "receive"],
                          cwd=test_cli_processes.ROOT, env={**site.env, **env}, input=data, capture_output=True,
                          timeout=test_cli_processes.TIMEOUT)


def test_receive_without_an_update_address_takes_nothing(site):
    _state(site)
    result = subprocess_with_bytes(site, _reply(UPDATES), {})
    assert result.returncode == 67 and b"no part takes mail" in result.stderr
    assert _updates(site) == []
    with site.app.app_context():
        from impact.research.models import ResearchUpdate

        assert _db.session.scalar(select(func.count()).select_from(ResearchUpdate)) == 0
        _db.session.remove()


@pytest.mark.smtp
def test_where_the_team_chose_so_a_reply_to_a_reminder_is_submitted_at_once_but_the_plain_address_never(site):
    from impact.evidence.models import EvidenceItem
    from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus

    _state(site)
    with site.app.app_context():
        _db.session.scalar(select(ResearchProject)).submit_emailed_replies = True
        _db.session.commit()
        _db.session.remove()
    env = {"RESEARCH_UPDATE_ADDRESS": UPDATES}
    inbox = ScriptedInbox()
    controller, port = start_smtp(inbox)
    try:
        succeeded(site.flask("jobs", "run", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), **env))
    finally:
        controller.stop()
    (reminder,) = inbox.messages

    replied = subprocess_with_bytes(site, _reply(str(reminder["Reply-To"])), env)
    assert replied.returncode == 0 and b"filed a submitted update" in replied.stdout, replied.stderr
    # The tag is in a Reply-To others may see: a second reply to the same reminder waits for its author.
    again = subprocess_with_bytes(site, _reply(str(reminder["Reply-To"]), attachment=None), env)
    assert again.returncode == 0 and b"filed a draft update" in again.stdout, again.stderr
    plain = subprocess_with_bytes(site, _reply(UPDATES, attachment=None), env)
    assert plain.returncode == 0 and b"filed a draft update" in plain.stdout, plain.stderr
    with site.app.app_context():
        try:
            updates = _db.session.scalars(select(ResearchUpdate).order_by(ResearchUpdate.id)).all()
            assert [(u.status, u.sent_by_email) for u in updates] == [(UpdateStatus.SUBMITTED, True),
                                                                       (UpdateStatus.DRAFT, True),
                                                                       (UpdateStatus.DRAFT, True)]
            item = _db.session.get(EvidenceItem, updates[0].evidence_item_id)
            assert item.summary.startswith("What they did: Ran the carers' session") and item.file_name
            assert updates[1].evidence_item_id is None and updates[2].evidence_item_id is None
        finally:
            _db.session.remove()
