"""The evidence tally (evidence_tallies, kept by the database's triggers) stays exactly what a GROUP BY over
the live links gives, whichever path writes: the ORM (services, derived links), core statements (the
trash's restore, an import, a bulk insert), ON DELETE CASCADE from the chain, an item or the project, an
item trashed, restored, purged or moved to another partner group. Every test's teardown checks it too
(tests/conftest.py), so the whole suite walks the app's own writes; these walk each kind on purpose,
checking after each step inside the transaction as well as once committed.
"""
from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import delete, func, insert, select, update

from impact.evidence import services
from impact.evidence.derived import DerivedLink
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, EvidenceTally, Stance, Strength
from impact.extensions import db as _db
from impact.followups.evidence import sync_response_evidence
from impact.followups.models import Response
from impact.projects.models import PartnerGroup, Project
from impact.story.gaps import evidence_figures
from impact.toc.services import load_chain
from impact.transfer.document import export_project, import_project
from impact.trash import TrashRecord
from tests.tallies import assert_exact


def _exact() -> None:
    """Flushed and committed: the check runs in the session's transaction, then on what others see."""
    _db.session.flush()
    assert_exact(_db.session.connection())
    _db.session.commit()
    assert_exact(_db.session.connection())


def _rows(project_id: int) -> int:
    return _db.session.scalar(select(func.count()).select_from(EvidenceTally)
                              .where(EvidenceTally.project_id == project_id))


def _item(project, group=PartnerGroup.PRACTITIONER, title="Questionnaire") -> EvidenceItem:
    return services.create_item(project, None, {"kind": EvidenceKind.QUESTIONNAIRE, "title": title,
                                                "evidence_date": dt.date(2026, 3, 1), "partner_group": group})


def _targets(project) -> services.Targets:
    return services.Targets(project, load_chain(project.id))


def test_links_added_restanced_retargeted_removed_and_restored(project):
    chain = load_chain(project.id)
    step, link = chain.steps[0], chain.links[0]
    item, other = _item(project), _item(project, title="Same group, same step")
    targets = _targets(project)
    first = services.add_link(item, targets, f"step:{step.id}", Stance.SUPPORTS, Strength.STRONG, "", None)
    services.add_link(other, targets, f"step:{step.id}", Stance.SUPPORTS, Strength.WEAK, "", None)
    services.add_link(item, targets, f"factor:{chain.factors[0].id}", Stance.MIXED, Strength.WEAK, "", None)
    _exact()
    assert _db.session.scalar(select(EvidenceTally.links).where(EvidenceTally.target_id == step.id,
                                                                EvidenceTally.target_kind == "step")) == 2

    services.update_link(item, first, Stance.CHALLENGES, Strength.STRONG, "Not so")  # another stance
    _exact()
    first.step_id, first.link_id = None, link.id  # another target
    _exact()
    record = services.remove_link(item, first)  # into the trash
    _exact()
    services.restore_link(item, _targets(project), record)  # and back, by a core insert
    _exact()
    assert evidence_figures(project.id)[("link_id", link.id)].challenges == 1


def test_items_trashed_restored_regrouped_and_purged(project):
    step = load_chain(project.id).steps[0]
    items = [_item(project, title=f"Item {n}") for n in range(3)]
    for item in items:
        services.add_link(item, _targets(project), f"step:{step.id}", Stance.SUPPORTS, Strength.MODERATE, "", None)
    _exact()
    services.delete_item(items[0], None)  # to the trash: its links no longer count
    _exact()
    services.delete_item(items[0], None)  # trashed again (a new deleted_at): still not counted
    _exact()
    services.update_item(items[0], {"partner_group": PartnerGroup.MANAGER})  # regrouped while in the trash
    _exact()
    services.restore_item(items[0])
    _exact()
    services.update_item(items[1], {"partner_group": PartnerGroup.CARER})  # regrouped while live
    _exact()
    services.delete_item(items[2], None)
    _exact()
    _db.session.delete(items[2])  # purged from the trash: its links go by ON DELETE CASCADE
    _exact()
    # A live item deleted outright (as a project's deletion does): its links are taken out once, not twice.
    _db.session.execute(delete(EvidenceItem).where(EvidenceItem.id == items[1].id))
    _exact()
    assert _db.session.scalar(select(EvidenceTally.links).where(EvidenceTally.project_id == project.id)) == 1


def test_core_statements_in_bulk(project):
    chain = load_chain(project.id)
    items = [_item(project, group=group, title=group.value) for group in PartnerGroup]
    _db.session.flush()
    nothing = dict.fromkeys(("step_id", "link_id", "assumption_id", "factor_id"))
    rows = [{**nothing, "item_id": item.id, "stance": stance, **target}
            for item, stance in zip(items, [Stance.SUPPORTS, Stance.CHALLENGES, Stance.MIXED] * 3, strict=False)
            for target in ({"step_id": chain.steps[0].id}, {"link_id": chain.links[1].id},
                           {"assumption_id": chain.links[0].assumptions[0].id})]
    _db.session.execute(insert(EvidenceLink.__table__), rows)  # executemany, as the bench and the trash do
    _exact()
    links = EvidenceLink.__table__
    _db.session.execute(update(links).where(links.c.link_id.is_not(None)).values(stance=Stance.MIXED))
    _exact()
    _db.session.execute(update(EvidenceItem.__table__).where(EvidenceItem.id.in_([i.id for i in items[:3]]))
                        .values(deleted_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)))
    _exact()
    _db.session.execute(update(EvidenceItem.__table__).values(deleted_at=None, partner_group=PartnerGroup.FUNDER))
    _exact()
    _db.session.execute(delete(links).where(links.c.assumption_id.is_not(None)))
    _exact()
    assert _rows(project.id) == 4  # one group now: the step's three stances, the link's one (MIXED)


@pytest.mark.parametrize("part", ["step", "link", "assumption", "factor"])
def test_a_part_of_the_chain_deleted_with_its_evidence_and_restored(client, project, login_as, part):
    login_as("lead", project)
    chain = load_chain(project.id)
    seminars = next(step for step in chain.steps if step.title == "Seminars")
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    assumption, factor = chain.assumptions_by_link[link.id][0], chain.factors[0]
    live, trashed = _item(project, title="Live"), _item(project, title="Trashed")
    targets = _targets(project)
    for item in (live, trashed):
        for value in (f"step:{seminars.id}", f"link:{link.id}", f"assumption:{assumption.id}",
                      f"factor:{factor.id}", f"step:{factor.step_id}"):
            if not any(services.target_value(each) == value for each in item.links):
                services.add_link(item, targets, value, Stance.SUPPORTS, Strength.MODERATE, "", None)
    services.delete_item(trashed, None)
    _exact()
    before = _rows(project.id)
    url = {"step": f"chain/steps/{seminars.id}/delete", "link": f"chain/links/{link.id}/delete",
           "assumption": f"chain/assumptions/{assumption.id}/delete",
           "factor": f"chain/factors/{factor.id}/delete"}[part]
    assert client.post(f"/projects/{project.id}/{url}", data={"confirm": "yes"}).status_code == 302
    _db.session.expire_all()
    _exact()
    assert _rows(project.id) < before  # the cascade took counted links with it
    record = _db.session.scalar(select(TrashRecord).order_by(TrashRecord.id.desc()))
    response = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "could not come back" not in response.get_data(as_text=True)
    _db.session.expire_all()
    _exact()
    assert _rows(project.id) == before
    services.restore_item(_db.session.get(EvidenceItem, trashed.id))  # its restored links count now too
    _exact()


def test_the_demo_exported_deleted_and_imported(app, db):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    project = _db.session.scalar(select(Project).order_by(Project.id))
    _exact()
    counted = _rows(project.id)
    assert counted > 20
    document = json.loads(json.dumps(export_project(project.id)))
    assert "evidence_tallies" not in document["tables"]  # derived: made afresh by the import's inserts
    _db.session.delete(project)  # the project's items, links and tallies go by ON DELETE CASCADE
    _exact()
    assert _rows(project.id) == 0
    import_project(document)
    _exact()
    assert _rows(document["project_id"]) == counted


def test_a_follow_up_responses_evidence_kept_in_step(app, db):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    response = _db.session.scalar(select(Response).where(Response.evidence_item_id.is_not(None))
                                  .order_by(Response.id))
    steps = [step.id for step in load_chain(response.evidence_item.project_id).steps[:3]]

    def sync(stances):
        sync_response_evidence(response, {step_id: DerivedLink(stance, Strength.MODERATE, "")
                                          for step_id, stance in zip(steps, stances, strict=False)})
        _exact()

    sync([Stance.SUPPORTS, Stance.SUPPORTS, Stance.CHALLENGES])  # links made or changed
    sync([Stance.MIXED])  # one restanced, two others gone
    response.followup.card.partner_group = PartnerGroup.FUNDER  # the item follows its card's group
    sync([Stance.MIXED, Stance.SUPPORTS])
    assert response.evidence_item.partner_group == PartnerGroup.FUNDER


def test_two_transactions_adding_to_one_tally_row_lose_neither(app, db, project):
    """PostgreSQL: the second waits on the row the first's upsert locked, then adds to it."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    step = load_chain(project.id).steps[0]
    items = [_item(project, title=f"Writer {n}").id for n in range(2)]
    _db.session.commit()
    first, second = _db.engine.connect(), _db.engine.connect()
    add = insert(EvidenceLink.__table__)
    try:
        first.execute(add, {"item_id": items[0], "step_id": step.id, "stance": Stance.SUPPORTS})
        waiting = threading.Thread(target=lambda: (second.execute(
            add, {"item_id": items[1], "step_id": step.id, "stance": Stance.SUPPORTS}), second.commit()))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # blocked on the tally row
        first.commit()
        waiting.join(10)
        assert not waiting.is_alive()
    finally:
        first.close()
        second.close()
    _exact()
    assert _db.session.scalar(select(EvidenceTally.links).where(EvidenceTally.target_id == step.id,
                                                                EvidenceTally.target_kind == "step")) == 2
