"""The parts of the app plug into the core (impact/features.py), and what hangs on the chain is kept by the trash.

A feature made up for the test (tests/throwaway_part) contributes a page, a project tab, background
work and rows hanging on steps, with no edit outside its folder and the PARTS setting; deleting
and restoring a step brings its rows back. It runs in a process of its own, so its table never
joins the metadata of the suite (whose schema must match the migrations).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from impact.extensions import db as _db
from impact.toc.trash import CHAIN_TABLES, hanging_keys
from impact.trash import TrashRecord

ROOT = Path(__file__).resolve().parent.parent


def test_every_foreign_key_into_the_chain_is_kept_by_the_trash(app):
    """A row pointing at a step, link, assumption or factor either goes with it (CASCADE, copied to the trash
    and put back) or forgets it (SET NULL, remembered and pointed back): never blocks the deletion, and its
    table says how the delete page counts it."""
    into_chain = [(table, constraint) for table in _db.metadata.sorted_tables if table.name not in CHAIN_TABLES
                  for constraint in table.foreign_key_constraints if constraint.referred_table.name in CHAIN_TABLES]
    assert into_chain
    for table, constraint in into_chain:
        assert (constraint.ondelete or "").upper() in ("CASCADE", "SET NULL"), f"{table.name}: {constraint}"
    hanging = {table.name for table, _ in hanging_keys()}
    assert {table.name for table, _ in into_chain} <= hanging
    assert {"evidence_links", "action_steps", "assessments", "assumption_statuses", "factor_theme_factors",
            "claims"} <= hanging
    for name in hanging:
        assert "held_as" in _db.metadata.tables[name].info, f"{name} does not say how the delete page counts it"


SCRIPT = textwrap.dedent('''
    import sys
    from sqlalchemy import func, insert, select
    from config import TestConfig
    from impact import create_app
    from impact.extensions import db
    from impact.features import PARTS
    from impact.toc import trash
    from impact.toc.services import load_chain
    from tests import factories

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + sys.argv[1]
        PARTS = PARTS + ("tests.throwaway_part",)

    app = create_app(Config)
    with app.test_request_context():
        from tests.throwaway_part.models import notes
        db.create_all()
        project = factories.chain_project()
        step = load_chain(project.id).steps[0]
        db.session.execute(insert(notes), [{"step_id": step.id, "text": "Kept"}, {"step_id": step.id, "text": "Too"}])
        db.session.commit()
        assert trash.held_by(step)["notes"] == 2
        record = trash.delete_step(step, None)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(notes)) == 0
        trash.restore_step(record)
        db.session.commit()
        assert sorted(db.session.scalars(select(notes.c.text))) == ["Kept", "Too"]
        lead_email = factories.user_with_role("lead", project).email
        project_id = project.id
    client = app.test_client()
    client.post("/login", data={"email": lead_email, "password": factories.PASSWORD})
    assert client.get(f"/projects/{project_id}/notes/").get_data(as_text=True) == "2 notes"
    assert "Throwaway notes</a>" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    with app.test_request_context():
        step_id = load_chain(project_id).steps[0].id
    asked = client.get(f"/projects/{project_id}/chain/steps/{step_id}/delete").get_data(as_text=True)
    assert "<li>2 notes</li>" in asked, asked
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "count_notes: notes: 2" in result.output, result.output
    print("OK")
''')


def test_a_new_feature_plugs_in_from_its_own_folder(tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "parts.db")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip().endswith("OK"), result.stdout + result.stderr


def test_parts_built_on_follow_ups_hear_of_each_saved_answer(app, client, project, login_as):
    """A part that wants to act on answers (a codebook, a dashboard) connects to response_saved: it hears of
    the first answer and of each amendment, in the transaction that saved them, with the evidence item made."""
    from impact.followups.signals import response_saved
    from tests.test_followups import _answer, _create_event, _enter_cards
    from tests.test_followups_campaigns import personal_link, plan_campaign, send_now

    heard = []

    def receiver(response):
        heard.append((response.id, response.helped, response.evidence_item is not None))

    login_as("lead", project)
    event = _create_event(client, project)
    _enter_cards(client, project, event)
    campaign = plan_campaign(client, project, event)
    send_now(client, project, event, campaign)
    respondent = app.test_client()
    link = personal_link("ann@council-a.gov.uk", campaign)
    with response_saved.connected_to(receiver):
        _answer(respondent, link, ["some", "some"], consent=False, helped="The toolkit")
        _answer(respondent, link, ["done", "some"], consent=False, helped="The toolkit, and my manager")
    assert [(helped, has_item) for _id, helped, has_item in heard] == [
        ("The toolkit", True), ("The toolkit, and my manager", True)]
    assert heard[0][0] == heard[1][0]  # the same response, amended


def test_parts_hear_when_a_chain_part_goes_to_the_trash_and_comes_back(client, project, login_as):
    """A part that keeps something about steps elsewhere (an export, an audit log) connects to the trash's
    signals: it hears of the deletion and of the restore, with the record saying what it was."""
    from impact.toc.services import load_chain
    from impact.trash import put_away_signal, restored_signal

    heard = []
    login_as("team_member", project)
    step_id = next(step.id for step in load_chain(project.id).steps if step.title == "Seminars")
    with put_away_signal.connected_to(lambda record: heard.append(("deleted", record.kind, record.title))), \
            restored_signal.connected_to(lambda record: heard.append(("restored", record.kind, record.title))):
        assert client.post(f"/projects/{project.id}/chain/steps/{step_id}/delete",
                           data={"confirm": "yes"}).status_code == 302
        record_id = _db.session.scalar(_db.select(_db.func.max(TrashRecord.id)))
        assert client.post(f"/projects/{project.id}/chain/deleted/{record_id}/restore").status_code == 302
    assert heard == [("deleted", "step", "Seminars"), ("restored", "step", "Seminars")]
