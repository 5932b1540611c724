"""Every change that can show or withhold a quote advances its project's ``quotes_changed``.

Counted at the flush, whichever service made the change (an edit, a consent withdrawn, the trash, a
respondent amending an answer), so no path can forget it. Pages that keep quotes (a published report)
are kept under the count, so a withdrawn quote leaves them at the next request.
"""
from __future__ import annotations

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from impact.evidence.models import EvidenceItem
from impact.projects.models import Project

WHAT_A_QUOTE_HANGS_ON = ("quote", "consent_to_quote", "pseudonym", "deleted_at")


@event.listens_for(Session, "before_flush")
def _count_quote_changes(session: Session, flush_context, instances) -> None:
    changed = {item.project_id for item in session.dirty if isinstance(item, EvidenceItem)
               and any(inspect(item).attrs[name].history.has_changes() for name in WHAT_A_QUOTE_HANGS_ON)}
    changed |= {item.project_id for item in session.deleted if isinstance(item, EvidenceItem)}
    if changed:
        # On the table, not the ORM row: a Project being saved in the same flush keeps its version check.
        session.connection().execute(update(Project.__table__).where(Project.__table__.c.id.in_(sorted(changed)))
                                     .values(quotes_changed=Project.__table__.c.quotes_changed + 1))
