"""Add the seed's practitioner research projects, with some of their updates, to the demo project."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.auth.services import find_user_by_email
from impact.demo import research_data as data
from impact.demo.cards_loader import step_titles
from impact.extensions import db
from impact.projects.models import PartnerGroup, Project
from impact.research.models import ResearchProject, ResearchStatus, ResearchUpdate, UpdateStatus
from impact.research.services import sync_update_evidence
from impact.toc.models import Step


def load_research_demo(project: Project) -> bool:
    """Add the PRPs unless the project has some already; returns whether it added them."""
    if db.session.scalar(select(ResearchProject.id).where(ResearchProject.project_id == project.id).limit(1)):
        return False
    titles = step_titles()
    steps = {step.title: step for step in db.session.scalars(select(Step).where(Step.project_id == project.id))}
    for spec in data.PRPS:
        prp = ResearchProject(project_id=project.id, title=spec["title"], local_authority=spec["local_authority"],
                              status=ResearchStatus(spec["status"]), aims=spec["aims"],
                              started_on=dt.date.fromisoformat(spec["started_on"]),
                              ended_on=dt.date.fromisoformat(spec["ended_on"]),
                              reminder_weeks=spec.get("reminder_weeks"))
        prp.steps = [steps[titles[key]] for key in spec["steps"] if titles.get(key) in steps]
        lead = find_user_by_email(spec["lead"]) if spec.get("lead") else None
        prp.leads = [lead] if lead else []
        db.session.add(prp)
        for update_spec in spec["updates"]:
            author = find_user_by_email(update_spec["author"]) if update_spec.get("author") else None
            update = ResearchUpdate(
                research_project=prp, author_id=author.id if author else None, status=UpdateStatus.SUBMITTED,
                update_date=dt.date.fromisoformat(update_spec["date"]), partner_group=PartnerGroup.PRACTITIONER,
                what_did=update_spec["what_did"], what_changed=update_spec["what_changed"],
                changed_practice=update_spec.get("practice", False), changed_team=update_spec.get("team", False),
                changed_families=update_spec.get("families", False), quote=update_spec.get("quote", ""),
                consent_to_quote=bool(update_spec.get("quote")), pseudonym=update_spec.get("pseudonym", ""),
                sent_by_email=update_spec.get("by_email", False),
                submitted_at=dt.datetime.fromisoformat(update_spec["date"]).replace(hour=12, tzinfo=dt.UTC))
            update.steps = list(prp.steps)
            db.session.add(update)
            db.session.flush()
            sync_update_evidence(update)
    db.session.flush()
    return True
