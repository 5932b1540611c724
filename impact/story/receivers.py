"""What the story does when parts it is built on announce something."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from impact.evidence.models import EvidenceItem
from impact.evidence.signals import consent_withdrawn
from impact.extensions import db
from impact.story.models import StorySnapshot


def _forget_quotes(node: Any, item_id: int) -> bool:
    """Blank the quote of every evidence entry of the item anywhere in a snapshot's content; True if any."""
    changed = False
    if isinstance(node, dict):
        if node.get("item_id") == item_id and node.get("quote"):
            node["quote"], node["pseudonym"], node["quote_withheld"] = "", "", True
            changed = True
        for value in node.values():
            changed |= _forget_quotes(value, item_id)
    elif isinstance(node, list):
        for value in node:
            changed |= _forget_quotes(value, item_id)
    return changed


@consent_withdrawn.connect
def _snapshots_forget_the_quote(item: EvidenceItem) -> None:
    """A snapshot is the story as it read then, but never with words their author no longer lets us quote."""
    for snapshot in db.session.scalars(select(StorySnapshot).where(StorySnapshot.project_id == item.project_id)):
        if _forget_quotes(snapshot.content, item.id):
            flag_modified(snapshot, "content")
    db.session.flush()
