"""Saving, viewing and comparing revisions of the theory of change."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.extensions import db
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.snapshots import CURRENT, numbered_or_404
from impact.toc import revisions
from impact.toc.blueprint import bp
from impact.toc.forms import RevisionForm
from impact.toc.models import TocRevision
from impact.toc.views import snapshot_diagram


@bp.route("/revisions", methods=["GET", "POST"])
@needs(Need.READ, to_post=Need.EDIT)
def revision_list(project: Project):
    form = RevisionForm()
    if request.method == "POST" and form.validate_on_submit():
        revision = revisions.save_revision(
            project, name=form.name.data, revision_date=form.revision_date.data,
            note=form.note.data or "", user=current_user,
        )
        db.session.commit()
        flash(f"Revision {revision.number} “{revision.name}” saved.", "success")
        return redirect(url_for("toc.revision", project_id=project.id, number=revision.number))
    page = db.paginate(
        revisions.revisions_query(project, with_authors=True), page=page_number(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
    )
    status = 400 if form.errors else 200
    return render_template("toc/revisions.html", project=project, page=page, form=form), status


@bp.route("/revisions/<int:number>")
@needs(Need.READ)
def revision(project: Project, number: int):
    revision = numbered_or_404(TocRevision, project.id, number)
    snap = revision.snapshot
    steps_by_level: dict[int, list[dict]] = {}
    for step in snap["steps"]:
        steps_by_level.setdefault(step["level_id"], []).append(step)
    titles = {s["id"]: s["title"] for s in snap["steps"]}
    return render_template(
        "toc/revision.html", project=project, revision=revision, snap=snap,
        steps_by_level=steps_by_level, titles=titles,
        diagram=snapshot_diagram(snap, f"Results chain, revision {revision.number}: {revision.name}"),
    )


@bp.route("/revisions/compare")
@needs(Need.READ)
def compare(project: Project):
    """Compare two revisions; 'current' stands for the chain as it is now."""
    compared = revisions.comparison(project, request.args.get("old", ""), request.args.get("new", CURRENT),
                                    opened=request.args.get("open", ""))
    return render_template("toc/compare.html", project=project, compared=compared)
