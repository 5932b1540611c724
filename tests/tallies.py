"""The evidence tally as kept (by the database's triggers) beside the same counts grouped afresh from
the live links: every test's teardown compares them (tests/conftest.py), and tests/test_evidence_tallies.py
after each kind of write."""
from __future__ import annotations

from sqlalchemy import String, case, func, inspect, select, type_coerce

from impact.evidence.models import EvidenceItem, EvidenceLink, EvidenceTally

_KIND = case((EvidenceLink.step_id.is_not(None), "step"), (EvidenceLink.link_id.is_not(None), "link"),
             (EvidenceLink.assumption_id.is_not(None), "assumption"), else_="factor")
_TARGET = func.coalesce(EvidenceLink.step_id, EvidenceLink.link_id, EvidenceLink.assumption_id,
                        EvidenceLink.factor_id)
_KEY = (EvidenceItem.project_id, _KIND, _TARGET, type_coerce(EvidenceLink.stance, String),
        type_coerce(EvidenceItem.partner_group, String))


def kept_and_fresh(connection) -> tuple[list[tuple], list[tuple]]:
    """(the tally's rows, the rows a GROUP BY over every live link gives), each sorted."""
    kept = connection.execute(select(
        EvidenceTally.project_id, EvidenceTally.target_kind, EvidenceTally.target_id,
        type_coerce(EvidenceTally.stance, String), type_coerce(EvidenceTally.partner_group, String),
        EvidenceTally.links)).all()
    fresh = connection.execute(
        select(*_KEY, func.count()).select_from(EvidenceLink)
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.item_id)
        .where(EvidenceItem.deleted_at.is_(None)).group_by(*_KEY)).all()
    return sorted(map(tuple, kept)), sorted(map(tuple, fresh))


def assert_exact(connection) -> None:
    kept, fresh = kept_and_fresh(connection)
    assert kept == fresh, f"the evidence tally drifted: kept {kept}, grouped afresh {fresh}"


def check_committed(engine) -> None:
    """The committed tally against the committed links (when the schema has it: a test may leave it migrated
    down)."""
    with engine.connect() as connection:
        if inspect(connection).has_table(EvidenceTally.__tablename__):
            assert_exact(connection)
