"""Build the demo project from the seed ("Engaging with involuntary clients")."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.auth.models import User
from impact.auth.services import create_user, find_user_by_email
from impact.demo import seed_data
from impact.demo.cards_loader import load_cards_demo
from impact.demo.evidence_loader import load_evidence_demo
from impact.demo.research_loader import load_research_demo
from impact.extensions import db
from impact.projects.models import Membership, OrganisationKind, PartnerGroup, PartnerOrganisation, Project, Role
from impact.projects.services import create_project
from impact.publishing.models import PublishedReport
from impact.publishing.services import new_version
from impact.toc import services as chain
from impact.toc.models import AssumptionKind, FactorDirection, Level, Step
from impact.toc.revisions import save_revision


def demo_project() -> Project | None:
    return db.session.scalar(select(Project).where(Project.title == seed_data.PROJECT["title"]))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _ensure_user(spec: dict) -> User:
    user = find_user_by_email(spec["email"])
    if user is None:
        user = create_user(spec["email"], spec["name"], seed_data.DEMO_PASSWORD, is_admin=spec.get("admin", False))
        user.can_create_projects = spec.get("creates_projects", False)
    return user


def publish_demo(project: Project) -> None:
    """The final report as the lead published it for the funder, unless a version is published already."""
    if db.session.scalar(select(PublishedReport.id).where(PublishedReport.project_id == project.id).limit(1)):
        return
    lead = find_user_by_email(next(spec["email"] for spec in seed_data.USERS if spec.get("role") == "lead"))
    new_version(project, seed_data.PUBLISHED_NAME, lead,
                published_at=dt.datetime.fromisoformat(seed_data.PUBLISHED_ON).replace(hour=12, tzinfo=dt.UTC))
    db.session.flush()


def load_demo() -> tuple[Project, bool]:
    """Create the demo project and users; returns (project, created). Running it again changes nothing."""
    users = {spec["email"]: _ensure_user(spec) for spec in seed_data.USERS}
    existing = demo_project()
    if existing is not None:
        # A demo loaded before action cards or the evidence library existed gains them; otherwise nothing changes.
        load_cards_demo(existing)
        load_research_demo(existing)  # first: the impact meeting's attendance names the PRPs
        load_evidence_demo(existing)
        publish_demo(existing)
        return existing, False

    lead_spec = next(spec for spec in seed_data.USERS if spec.get("role") == "lead")
    info = seed_data.PROJECT
    project = create_project(
        creator=users[lead_spec["email"]],
        title=info["title"], question=info["question"], description=info["description"],
        start_date=_date(info.get("start_date")), end_date=_date(info.get("end_date")), funder=info["funder"],
        programme=info.get("programme", ""),
    )
    _add_partners(project, users, lead_spec)
    levels, steps = _add_chain(project)
    _apply_revisions(project, levels, steps, users[lead_spec["email"]])
    load_cards_demo(project)
    load_research_demo(project)  # first: the impact meeting's attendance names the PRPs
    load_evidence_demo(project)
    publish_demo(project)
    return project, True


def _add_partners(project: Project, users: dict[str, User], lead_spec: dict) -> None:
    """The partner organisations, and each seeded user's membership (the lead's already exists)."""
    organisations = {}
    for spec in seed_data.ORGANISATIONS:
        organisation = PartnerOrganisation(name=spec["name"], kind=OrganisationKind(spec["kind"]))
        project.organisations.append(organisation)
        organisations[spec["name"]] = organisation
    db.session.flush()

    for spec in seed_data.USERS:
        if not spec.get("role"):
            continue
        organisation = organisations.get(spec.get("organisation", ""))
        group = PartnerGroup(spec["partner_group"])
        if spec is lead_spec:
            membership = db.session.scalar(select(Membership).where(
                Membership.project_id == project.id, Membership.user_id == users[spec["email"]].id))
            membership.partner_group, membership.organisation = group, organisation
        else:
            db.session.add(Membership(project=project, user=users[spec["email"]], role=Role(spec["role"]),
                                      partner_group=group, organisation=organisation))


def _add_chain(project: Project) -> tuple[dict[str, Level], dict[str, Step]]:
    """The seed's levels, steps, links and factors as first drawn; returns the levels and steps by name and key."""
    levels = {level.name: level for level in project.levels}
    for name in seed_data.LEVELS:
        if name not in levels:
            levels[name] = chain.add_level(project, name)
    steps: dict[str, Step] = {}
    for spec in seed_data.STEPS:
        _add_step(project, levels, steps, spec)
    for spec in seed_data.LINKS:
        _add_link(project, steps, spec)
    for spec in seed_data.FACTORS:
        factor = chain.add_factor(steps[spec["step"]], spec["title"], FactorDirection(spec["direction"]),
                                  spec.get("description", ""))
        for key in spec.get("also", []):
            chain.share_factor(factor, steps[key])
    return levels, steps


def _apply_revisions(project: Project, levels: dict[str, Level], steps: dict[str, Step], lead: User) -> None:
    """Each seeded revision's changes to the chain, saved as a named revision by the lead."""
    for revision in seed_data.REVISIONS:
        for change in revision["changes"]:
            if change["op"] == "add_step":
                _add_step(project, levels, steps, change["step"])
            elif change["op"] == "add_link":
                _add_link(project, steps, change["link"])
            elif change["op"] == "rename_step":
                steps[change["key"]].title = change["title"]
        db.session.flush()
        save_revision(project, name=revision["name"], revision_date=dt.date.fromisoformat(revision["date"]),
                      note=revision.get("note", ""), user=lead)


def _add_step(project: Project, levels: dict[str, Level], steps: dict[str, Step], spec: dict) -> None:
    steps[spec["key"]] = chain.add_step(project, levels[spec["level"]], spec["title"], spec.get("description", ""))


def _add_link(project: Project, steps: dict[str, Step], spec: dict) -> None:
    link = chain.add_link(project, steps[spec["source"]], steps[spec["target"]])
    for text in spec.get("assumptions", []):
        chain.add_assumption(link, AssumptionKind.ASSUMPTION, text)
    for text in spec.get("risks", []):
        chain.add_assumption(link, AssumptionKind.RISK, text)
