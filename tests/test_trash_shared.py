"""One trash for every feature (impact/trash.py): deleting asks first when work hangs on what goes, a
deletion comes back whole, once, and only within its own project.

The round trips: a step holding evidence (the chain's "Recently deleted"), a link of an evidence item
(its Undo), a contribution-tracing test (its Undo); then the core's own refusals, evidence items (which
stay in their table while in the trash) and the migration that carried the chain's records over.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import NotFound

from impact import trash
from impact.evidence import services as library
from impact.evidence.models import EvidenceItem, EvidenceLink, LinkOrigin, Stance, Strength
from impact.extensions import db as _db
from impact.signing import LinkProblem
from impact.toc.services import load_chain
from impact.trash import TrashRecord
from tests import factories
from tests.conftest import MIGRATIONS
from tests.test_evidence_library import _hidden, _item, _second_client, _steps, _url, _version
from tests.test_tracing import HiddenInputs, claim_url, make_claim, turn_on, version_of


def _rows(table: str, **where) -> list[dict]:
    """Every column of the table's matching rows, as stored (ids and creation times included)."""
    _db.session.expire_all()
    columns = _db.metadata.tables[table]
    query = select(columns).order_by(columns.c.id)
    for name, value in where.items():
        query = query.where(columns.c[name] == value)
    return [dict(row._mapping) for row in _db.session.execute(query)]


def _latest_record(kind: str) -> TrashRecord:
    _db.session.expire_all()
    return _db.session.scalar(select(TrashRecord).where(TrashRecord.kind == kind).order_by(TrashRecord.id.desc()))


def _evidence_with_a_full_link(project, step_id: int, author) -> EvidenceItem:
    item = _item(project, title="Seminar questionnaires")
    _db.session.add(EvidenceLink(item_id=item.id, step_id=step_id, stance=Stance.CHALLENGES, strength=Strength.STRONG,
                                 note="Only 2 of 20", quote="“It changed how I write”", created_by_id=author.id,
                                 origin=LinkOrigin.ACTION_MAPPING))
    _db.session.commit()
    return item


# A step that holds evidence ----------------------------------------------------------------------

def test_a_step_holding_evidence_asks_first_comes_back_whole_once_and_only_in_its_project(app, client, project,
                                                                                          login_as):
    login_as("team_member", project)
    author = factories.user_with_role("lead", project)
    seminars = _steps(project)["Seminars"]
    item = _evidence_with_a_full_link(project, seminars.id, author)
    links_before = _rows("evidence_links", item_id=item.id)
    url = f"/projects/{project.id}/chain/steps/{seminars.id}/delete"

    asked = client.post(url)  # no confirmation: nothing goes, the page says what would
    assert asked.status_code == 200 and "1 link from evidence items" in asked.get_data(as_text=True)
    assert _rows("evidence_links", item_id=item.id) == links_before
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    assert _rows("evidence_links", item_id=item.id) == []
    record = _latest_record("step")
    assert record.project_id == project.id and record.restored_at is None

    # Someone allowed to restore in another project cannot reach this project's record through theirs.
    other = factories.chain_project()
    outsider = _second_client(app, "lead", other)
    assert outsider.post(f"/projects/{other.id}/chain/deleted/{record.id}/restore").status_code == 404
    assert _latest_record("step").restored_at is None and _rows("evidence_links", item_id=item.id) == []

    restored = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "restored with its links" in restored.get_data(as_text=True)
    assert _rows("evidence_links", item_id=item.id) == links_before  # same id, note, quote, origin, author, time
    again = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "already been restored" in again.get_data(as_text=True)
    assert _rows("evidence_links", item_id=item.id) == links_before
    assert [step.title for step in load_chain(project.id).steps].count("Seminars") == 1


# A link of an evidence item --------------------------------------------------------------------

def test_a_removed_evidence_link_comes_back_from_its_trash_record_once_and_only_in_its_project(app, client, project,
                                                                                              login_as):
    login_as("team_member", project)
    author = factories.user_with_role("lead", project)
    item = _evidence_with_a_full_link(project, _steps(project)["Seminars"].id, author)
    before = _rows("evidence_links", item_id=item.id)
    link_id = before[0]["id"]
    path = _url(project, f"/{item.id}/links/{link_id}/remove")
    assert "Remove this link?" in client.get(path).get_data(as_text=True)  # asks first
    assert client.post(path, data={"confirm": "yes", "version": _version(item.id)}).status_code == 302
    assert _rows("evidence_links", item_id=item.id) == []
    record = _latest_record(library.REMOVED_LINK)
    assert record.project_id == project.id and record.payload["item_id"] == item.id
    token = _hidden(client.get(_url(project, f"/{item.id}")).get_data(as_text=True), "token")

    # The Undo, posted by an editor of another project to an item of theirs: not found, nothing changes.
    other = factories.chain_project()
    elsewhere = _item(other, title="Their item")
    outsider = _second_client(app, "lead", other)
    crossed = outsider.post(_url(other, f"/{elsewhere.id}/links/restore"), data={"token": token})
    assert crossed.status_code == 404
    assert _rows("evidence_links", item_id=elsewhere.id) == [] and _rows("evidence_links", item_id=item.id) == []
    assert _latest_record(library.REMOVED_LINK).restored_at is None

    undone = client.post(_url(project, f"/{item.id}/links/restore"), data={"token": token}, follow_redirects=True)
    assert "Link restored" in undone.get_data(as_text=True)
    assert _rows("evidence_links", item_id=item.id) == before  # the very row: id, quote and creation time too
    assert _latest_record(library.REMOVED_LINK).restored_at is not None

    twice = client.post(_url(project, f"/{item.id}/links/restore"), data={"token": token}, follow_redirects=True)
    page = twice.get_data(as_text=True)
    assert "This undo has already been used: the item is already linked to “Seminars”." in page
    assert _rows("evidence_links", item_id=item.id) == before


# A contribution-tracing test -------------------------------------------------------------------

def test_a_removed_tracing_test_comes_back_from_its_trash_record_once_and_only_in_its_project(app, client, project,
                                                                                             login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.6, 0.4, False), (0.7, 0.3, True)])
    middle = claim.tests[1]
    before = _rows("claim_tests", claim_id=claim.id)
    login_as("team_member", project)
    delete = claim_url(project, claim, f"/tests/{middle.id}/delete")
    assert "Remove test 2" in client.get(delete).get_data(as_text=True)  # asks first
    assert client.post(delete, data={"confirm": "yes", "version": version_of(claim)}).status_code == 302
    assert [row["id"] for row in _rows("claim_tests", claim_id=claim.id)] == [before[0]["id"], before[2]["id"]]
    record = _latest_record("claim_test")
    assert record.project_id == project.id and record.payload["claim_id"] == claim.id
    restore = claim_url(project, claim, "/tests/restore")
    fields = HiddenInputs(client.get(claim_url(project, claim)).get_data(as_text=True), restore).fields
    assert fields["undo"] and fields["position"] == "1"

    other = factories.chain_project()
    turn_on(other)
    theirs = make_claim(other, tests=[(0.9, 0.1, True)])
    outsider = _second_client(app, "lead", other)
    crossed = outsider.post(claim_url(other, theirs, "/tests/restore"), data={**fields, "version": version_of(theirs)})
    assert crossed.status_code == 404
    assert len(_rows("claim_tests", claim_id=theirs.id)) == 1 and len(_rows("claim_tests", claim_id=claim.id)) == 2

    assert client.post(restore, data=fields).status_code == 302
    after = _rows("claim_tests", claim_id=claim.id)
    # The very row (id, creation time, values) in its place; the others keep their order.
    assert [row["id"] for row in sorted(after, key=lambda row: row["position"])] == [row["id"] for row in before]
    assert [{**row, "position": None} for row in after] == [{**row, "position": None} for row in before]

    twice = client.post(restore, data={**fields, "version": version_of(claim)}, follow_redirects=True)
    assert "That test has already been put back" in twice.get_data(as_text=True)
    assert len(_rows("claim_tests", claim_id=claim.id)) == 3


# The core ----------------------------------------------------------------------------------------

def test_the_core_restores_a_record_once_and_keeps_each_features_records_to_itself(client, project, login_as):
    login_as("team_member", project)
    item = _item(project)
    _db.session.add(EvidenceLink(item_id=item.id, step_id=_steps(project)["Seminars"].id, stance=Stance.SUPPORTS))
    _db.session.commit()
    record = library.remove_link(item, item.links[0])
    _db.session.commit()
    # The chain's restore page knows only the chain's records.
    assert client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore").status_code == 404

    token = trash.undo_token(record)
    with pytest.raises(LinkProblem):
        trash.record_for_undo(project.id, token[:-3] + "abc", [library.REMOVED_LINK])
    with pytest.raises(NotFound):
        trash.record_for_undo(project.id + 1, token, [library.REMOVED_LINK])
    with pytest.raises(NotFound):
        trash.record_for_undo(project.id, token, ["claim_test"])
    assert trash.record_for_undo(project.id, token, [library.REMOVED_LINK]).id == record.id

    trash.restore(record)
    _db.session.commit()
    with pytest.raises(trash.TrashError, match="already been restored"):
        trash.restore(record)
    _db.session.rollback()
    # A restore working from a copy read before the other one committed is refused by the database too.
    set_committed_value(record, "restored_at", None)
    with pytest.raises(trash.TrashError, match="already been restored"):
        trash.restore(record)
    _db.session.rollback()
    assert _db.session.scalar(select(func.count()).select_from(EvidenceLink)) == 1


def test_evidence_items_stay_in_their_table_and_come_back_through_the_same_interface(client, project, login_as):
    login_as("team_member", project)
    item = _item(project)
    with pytest.raises(trash.TrashError, match="already been restored"):
        trash.take_back(item)  # not in the trash
    _db.session.rollback()
    assert "You can undo this" in client.get(_url(project, f"/{item.id}/delete")).get_data(as_text=True)
    assert client.post(_url(project, f"/{item.id}/delete")).status_code == 302
    assert "Seminar questionnaires" in client.get(_url(project, "/trash")).get_data(as_text=True)
    assert client.post(_url(project, f"/{item.id}/restore")).status_code == 302
    assert client.post(_url(project, f"/{item.id}/restore")).status_code == 404  # nothing left to restore
    _db.session.expire_all()
    assert _db.session.get(EvidenceItem, item.id).deleted_at is None


# The migration that made the trash shared ---------------------------------------------------------

BEFORE = "4f334f58222e"  # deleted_steps, the chain's own trash


def _sql(sql: str, **params):
    with _db.engine.begin() as connection:
        result = connection.execute(text(sql), params)
        return result.all() if result.returns_rows else None


def test_the_chains_deleted_records_are_carried_over_and_back(app, db):
    step_payload = {"step": {"id": 7, "level_id": 1, "title": "Seminars", "description": "", "position": 0},
                    "links": [], "factors": [], "dependents": {"rows": {}, "nulled": []}}
    link_payload = {"kind": "link", "link": {"id": 9, "source": 7, "target": 8, "note": "", "assumptions": []}}
    _db.session.remove()
    downgrade(directory=MIGRATIONS, revision=BEFORE)
    try:
        _sql("INSERT INTO users (id, email, name, token_stamp) VALUES (1, 'ann@example.org', 'Ann', :stamp)",
             stamp="a" * 32)
        _sql("INSERT INTO projects (id, title) VALUES (1, 'Kept project')")
        for record_id, title, payload, restored in ((3, "Seminars", step_payload, None),
                                                    (5, "Seminars → Reach", link_payload, "2026-11-02 10:00:00")):
            _sql("INSERT INTO deleted_steps (id, project_id, title, payload, deleted_at, deleted_by_id, restored_at) "
                 "VALUES (:id, 1, :title, :payload, '2026-11-01 12:00:00', 1, :restored)",
                 id=record_id, title=title, payload=json.dumps(payload), restored=restored)
    finally:
        upgrade(directory=MIGRATIONS)
    records = _db.session.scalars(select(TrashRecord).order_by(TrashRecord.id)).all()
    assert [(r.id, r.kind, r.title, r.project_id, r.deleted_by_id) for r in records] == [
        (3, "step", "Seminars", 1, 1), (5, "link", "Seminars → Reach", 1, 1)]
    assert records[0].payload == step_payload and records[1].payload == link_payload
    assert records[0].deleted_at == dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)
    assert records[0].restored_at is None and records[1].restored_at is not None
    # New records never take a carried-over id.
    _db.session.add(TrashRecord(project_id=1, kind="claim_test", title="Removed test", payload={}))
    _db.session.commit()
    assert _db.session.scalar(select(func.max(TrashRecord.id))) > 5

    # Down again: the chain's records go back where they were; an Undo's record has no place there.
    _db.session.remove()
    downgrade(directory=MIGRATIONS, revision=BEFORE)
    try:
        kept = _sql("SELECT id, title, payload FROM deleted_steps ORDER BY id")
        assert [(row[0], row[1]) for row in kept] == [(3, "Seminars"), (5, "Seminars → Reach")]
        stored = [row[2] if isinstance(row[2], dict) else json.loads(row[2]) for row in kept]
        assert stored == [step_payload, link_payload]
    finally:
        upgrade(directory=MIGRATIONS)
    assert [r.id for r in _db.session.scalars(select(TrashRecord).order_by(TrashRecord.id))] == [3, 5]
