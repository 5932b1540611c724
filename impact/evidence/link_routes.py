"""Changing the team's judgement on one evidence link, from the step or response page that shows it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import login_required
from sqlalchemy import select

from impact.evidence.derived import derived_from, set_link_judgement
from impact.evidence.models import EvidenceItem, EvidenceLink, Stance, Strength
from impact.extensions import db
from impact.projects.models import Project
from impact.projects.permissions import Need, needs

bp = Blueprint("evidence_links", __name__, url_prefix="/projects/<int:project_id>/evidence-links")


@bp.route("/<int:link_id>", methods=["POST"])
@login_required
@needs(Need.EDIT)
def judge(project: Project, link_id: int):
    link = db.session.scalar(
        select(EvidenceLink).join(EvidenceItem).where(EvidenceLink.id == link_id, EvidenceItem.project_id == project.id)
    )
    if link is None:
        abort(404)
    try:
        stance, strength = Stance(request.form.get("stance")), Strength(request.form.get("strength"))
    except ValueError:
        abort(400)
    set_link_judgement(link, stance, strength, (request.form.get("note") or "").strip()[:2000])
    db.session.commit()
    flash("Your judgement is saved; automatic updates will leave this link as you set it.", "success")
    source = derived_from(link.item)
    if source is not None:
        return redirect(source.url)
    return redirect(url_for("projects.project", project_id=project.id))
