"""Projects, their partner organisations and who may do what in them."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.change_counters import fresh_stamp
from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from impact.auth.models import User
    from impact.toc.models import Level, Step


class Role(enum.Enum):
    LEAD = "lead"
    TEAM_MEMBER = "team_member"
    PRACTITIONER_RESEARCHER = "practitioner_researcher"
    CO_RESEARCHER = "co_researcher"
    FUNDER = "funder"

    @property
    def label(self) -> str:
        return {
            "lead": "Lead",
            "team_member": "Team member",
            "practitioner_researcher": "Practitioner-researcher",
            "co_researcher": "Co-researcher",
            "funder": "Funder",
        }[self.value]


class PartnerGroup(enum.Enum):
    """Whose voice a person (and later their evidence) carries."""

    ACADEMIC = "academic"
    PRACTITIONER = "practitioner"
    MANAGER = "manager"
    SERVICE_USER = "service_user"
    CARER = "carer"
    FUNDER = "funder"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class OrganisationKind(enum.Enum):
    UNIVERSITY = "university"
    LOCAL_AUTHORITY = "local_authority"
    THIRD_SECTOR = "third_sector"
    SERVICE_USER_GROUP = "service_user_group"
    FUNDER = "funder"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    funder: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The funder's scheme the project belongs to: the portfolio filters by it.
    programme: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Bayesian contribution tracing is optional: most teams assess step by step only.
    contribution_tracing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # An IANA name (impact/local_time.py): pages and emails show the project's times in it; they are stored in UTC.
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/London", server_default="Europe/London")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    # Optimistic locking: a save based on an older version is refused, never silently applied.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Moves whenever a quote of the project's evidence may have become shown or withheld (consent, the
    # words, the trash): a page keeping quotes (a published report) is kept under it. Counted by the
    # evidence part, outside the version, so it never makes a form's save look outdated.
    quotes_changed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Moves with every write to anything of the project, in the writing transaction
    # (impact/projects/stamps.py): pages, their ETags and the cache are keyed on it. Outside the version
    # for the same reason as quotes_changed.
    # A new project starts from the clock (fresh_stamp), so one that takes a deleted project's id (SQLite
    # reuses them) is never served what was kept under the old one's.
    change_stamp: Mapped[int] = mapped_column(BigInteger, default=fresh_stamp, server_default="0")

    __mapper_args__ = {"version_id_col": version}

    # The database cascades deletes (passive_deletes), so the ORM never loads a whole chain to drop it.
    # In the order people joined (the creator first): PostgreSQL returns unordered rows in whatever order
    # its pages hold them, which changes as rows are updated.
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Membership.id",
    )
    organisations: Mapped[list[PartnerOrganisation]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PartnerOrganisation.name",
    )
    levels: Mapped[list[Level]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(Level.position, Level.id)",
    )
    steps: Mapped[list[Step]] = relationship(viewonly=True)

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title!r}>"


class PartnerOrganisation(db.Model):
    __tablename__ = "partner_organisations"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind"), default=OrganisationKind.OTHER
    )

    project: Mapped[Project] = relationship(back_populates="organisations")


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    partner_group: Mapped[PartnerGroup] = mapped_column(
        enum_column(PartnerGroup, "partner_group"), default=PartnerGroup.OTHER
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    project: Mapped[Project] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[PartnerOrganisation | None] = relationship()


class Invitation(db.Model):
    """Someone a lead asked to join the project, until they accept.

    The lead gives an email and a name; the person joins (with an existing account or a new
    one) from a signed link sent to that email. Until then the members page shows only what
    the lead typed, so adding someone never reveals whether the email has an account, or its name.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("project_id", "email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="SET NULL"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Part of the link and replaced when the invitation is sent again, so only the newest link works.
    token_stamp: Mapped[str] = mapped_column(String(32))

    project: Mapped[Project] = relationship()
    organisation: Mapped[PartnerOrganisation | None] = relationship()
    invited_by: Mapped[User | None] = relationship()
