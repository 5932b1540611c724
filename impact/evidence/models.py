"""Evidence items and their links to the results chain.

An evidence link points at exactly one of: a step, a link, an assumption or an
influencing factor (a CHECK enforces it), so every part of the chain can be
supported or challenged by the same kind of record.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow
from impact.projects.models import PartnerGroup

if TYPE_CHECKING:
    from impact.auth.models import User
    from impact.toc.models import Assumption, InfluencingFactor, Link, Step


class EvidenceKind(enum.Enum):
    ACTION_CARD_RESPONSE = "action_card_response"
    QUESTIONNAIRE = "questionnaire"
    WORKSHOP_NOTES = "workshop_notes"
    OBSERVATION = "observation"
    MEETING_RECORD = "meeting_record"
    DOCUMENT = "document"
    PRACTITIONER_UPDATE = "practitioner_update"
    FIGURE = "figure"

    @property
    def label(self) -> str:
        return {
            "action_card_response": "Action-card response",
            "questionnaire": "Questionnaire result",
            "workshop_notes": "Flipchart or workshop notes",
            "observation": "Observation note",
            "meeting_record": "Meeting record",
            "document": "Document or report",
            "practitioner_update": "Practitioner update",
            "figure": "Figure (e.g. attendance)",
        }[self.value]


class Stance(enum.Enum):
    SUPPORTS = "supports"
    CHALLENGES = "challenges"
    MIXED = "mixed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Strength(enum.Enum):
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class LinkOrigin(enum.Enum):
    """Why an evidence link exists, so automatic updates never undo a person's judgement."""

    MANUAL = "manual"  # made or edited by the team
    ACTION_MAPPING = "action_mapping"  # derived from a response's actions and their mapped steps
    CODING = "coding"  # derived from coding the response's text to a factor theme

    @property
    def label(self) -> str:
        return {"manual": "Set by the team", "action_mapping": "From the actions' steps",
                "coding": "From coding"}[self.value]


class EvidenceItem(db.Model):
    __tablename__ = "evidence_items"
    __table_args__ = (
        UniqueConstraint("id", "project_id"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("quote = '' OR consent_to_quote = false OR length(pseudonym) > 0",
                        name="quote_has_pseudonym"),
        CheckConstraint("file_sha256 IS NULL OR "
                        "(length(file_sha256) = 64 AND file_size >= 0 AND length(file_name) > 0)",
                        name="file_complete"),
        # The library and the API list a project's live items newest first, a page at a time, and count them:
        # read along this index, a page is its rows alone, not a sort of every item.
        Index("ix_evidence_items_live_by_date", "project_id", "evidence_date", "id",
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"))
    title: Mapped[str] = mapped_column(String(200))
    evidence_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
    partner_group: Mapped[PartnerGroup] = mapped_column(
        enum_column(PartnerGroup, "partner_group"), default=PartnerGroup.OTHER, server_default="other"
    )
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    quote: Mapped[str] = mapped_column(Text, default="", server_default="")
    pseudonym: Mapped[str] = mapped_column(String(80), default="", server_default="")
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # An optional attached file, stored outside the web root under its content hash (see evidence/files.py).
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Deleting an item moves it to the project's trash; it can be restored until purged.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])
    links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True, order_by="EvidenceLink.id"
    )


class EvidenceLink(db.Model):
    __tablename__ = "evidence_links"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN step_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN link_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN assumption_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN factor_id IS NULL THEN 0 ELSE 1 END)"
            " = 1",
            name="exactly_one_target",
        ),
        UniqueConstraint("item_id", "step_id"),
        UniqueConstraint("item_id", "link_id"),
        UniqueConstraint("item_id", "assumption_id"),
        UniqueConstraint("item_id", "factor_id"),
        # Hangs on the chain: copied to the trash with the part it points at (impact/dependents.py).
        {"sqlite_autoincrement": True, "info": {"held_as": ("evidence", "id")}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    assumption_id: Mapped[int | None] = mapped_column(ForeignKey("assumptions.id", ondelete="CASCADE"), index=True)
    factor_id: Mapped[int | None] = mapped_column(
        ForeignKey("influencing_factors.id", ondelete="CASCADE"), index=True
    )
    stance: Mapped[Stance] = mapped_column(enum_column(Stance, "stance"))
    strength: Mapped[Strength] = mapped_column(
        enum_column(Strength, "strength"), default=Strength.MODERATE, server_default="moderate"
    )
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The words of the item that bear on this target, when only part of it does (a coded passage);
    # shown instead of the item's quote, under the item's consent and pseudonym.
    quote: Mapped[str] = mapped_column(Text, default="", server_default="")
    origin: Mapped[LinkOrigin] = mapped_column(
        enum_column(LinkOrigin, "link_origin"), default=LinkOrigin.MANUAL, server_default="manual"
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    item: Mapped[EvidenceItem] = relationship(back_populates="links")
    step: Mapped[Step | None] = relationship()
    link: Mapped[Link | None] = relationship()
    assumption: Mapped[Assumption | None] = relationship()
    factor: Mapped[InfluencingFactor | None] = relationship()


class EvidenceTally(db.Model):
    """How many live evidence links one target has, per stance and partner group of their items: what the
    story, gaps and report pages count, read in a few hundred rows rather than grouped from every link.

    Written only by database triggers (the migration that made this table creates them), so that no
    path can leave it wrong: an ORM flush, a core insert (the trash's restore, an import, the bench),
    an ON DELETE CASCADE from a step, link, assumption, factor or item, an item trashed or restored or
    moved to another partner group. A link is unique per item and target, so links here are also
    distinct items. A row goes when its count reaches 0. A migration that rebuilds evidence_links or
    evidence_items on SQLite (batch mode) drops their triggers and must create them again.
    """

    __tablename__ = "evidence_tallies"
    __table_args__ = (
        CheckConstraint("target_kind IN ('step', 'link', 'assumption', 'factor')", name="target_kind_known"),
        CheckConstraint("links >= 0", name="links_not_negative"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    target_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stance: Mapped[Stance] = mapped_column(enum_column(Stance, "stance"), primary_key=True)
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"), primary_key=True)
    links: Mapped[int] = mapped_column(Integer)
