"""Assessing steps and links, and the project's evidence standards."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from impact.access import signed_in_only
from impact.assessment import queries, services
from impact.assessment.comments import add_comment, comments_on
from impact.assessment.dashboard import stale_targets
from impact.assessment.forms import (
    AssessmentForm,
    CommentForm,
    StandardsForm,
    assumption_field_name,
    link_assessment_form,
)
from impact.assessment.models import AssumptionState, Confidence, EvidenceStandard, ProgressRating
from impact.assessment.standard_check import minimums, shortfalls
from impact.concurrency import save_edit
from impact.evidence.models import EvidenceLink
from impact.extensions import db
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.toc.models import Assumption, Link, Step
from impact.toc.services import load_chain

bp = Blueprint("assessment", __name__, url_prefix="/projects/<int:project_id>/assessment")


signed_in_only(bp)


def _target_url(project_id: int, target: Step | Link) -> str:
    if isinstance(target, Step):
        return url_for("toc.step", project_id=project_id, step_id=target.id) + "#assessment"
    return url_for("toc.link", project_id=project_id, link_id=target.id) + "#assessment"


def _link_assumptions(link: Link) -> list[Assumption]:
    return list(db.session.scalars(
        select(Assumption).where(Assumption.link_id == link.id).order_by(Assumption.kind, Assumption.id)
    ))


def _initial(current, assumptions) -> dict:
    """What the form starts from on GET: the current revision, so a revision is an edit of it."""
    if current is None:
        return {"based_on": "0"}
    data = {"based_on": str(current.number), "progress": current.progress.value,
            "confidence": current.confidence.value, "rationale": current.rationale,
            "alternatives": current.alternatives}
    states = {s.assumption_id: s.state.value for s in current.assumption_states}
    for assumption in assumptions:
        data[assumption_field_name(assumption.id)] = states.get(assumption.id, AssumptionState.UNKNOWN.value)
    return data


def _assess(project, target: Step | Link, make_form, assumptions, template_args: dict):
    """The shared GET/POST of assessing a step or a link."""
    column = services.target_column(target)
    current = queries.current_assessment(column, target.id)
    kind = template_args["kind"]
    beside = queries.beside_the_form(project.id, EvidenceLink.step_id if kind == "step" else EvidenceLink.link_id,
                                     target.id, current)
    needs_by_level = minimums(project.id)
    checks = {level: shortfalls(level, beside["evidence"], needs_by_level, kind) for level in ("medium", "high")}
    # Only a GET starts from the current revision: a POST must be judged on what was posted alone.
    form = make_form(**(_initial(current, assumptions) if request.method == "GET" else {}))
    outcome = None
    if form.validate_on_submit():
        values = services.AssessmentValues(
            progress=ProgressRating(form.progress.data), confidence=Confidence(form.confidence.data),
            rationale=form.rationale.data or "", alternatives=form.alternatives.data or "",
            assumption_states={a.id: AssumptionState(form[assumption_field_name(a.id)].data) for a in assumptions},
        )
        outcome = services.save_assessment(project, target, form.submitted_based_on(), values, current_user)
        db.session.commit()
        if not outcome.conflict:
            flash(f"Assessment saved as revision {outcome.saved.number}.", "success")
            for problem in checks.get(values.confidence.value, []):
                flash(f"By the project's evidence standard: {problem}", "info")
            return redirect(_target_url(project.id, target))
        current = outcome.current
        # The form keeps the author's entries; saving again now deliberately replaces the other version.
        form.based_on.data = str(current.number if current else 0)
    status = 409 if outcome else (400 if form.errors else 200)
    return render_template(
        "assessment/assess.html", project=project, form=form, current=current, outcome=outcome,
        standards=queries.evidence_standards(project.id), assumptions={a.id: a for a in assumptions},
        checks=checks, **beside,
        **template_args,
    ), status


@bp.route("/steps/<int:step_id>", methods=["GET", "POST"])
@needs(Need.EDIT, step=Step)
def assess_step(project: Project, step: Step):
    return _assess(project, step, AssessmentForm, [], {
        "step": step, "link": None, "target_name": step.title, "kind": "step",
        # Partners' comments and dissent stay in view while the team re-rates.
        "comments": comments_on([step.id])[step.id],
        "history_url": url_for("assessment.history", project_id=project.id, step_id=step.id),
        "cancel_url": url_for("toc.step", project_id=project.id, step_id=step.id),
    })


@bp.route("/steps/<int:step_id>/comments", methods=["POST"])
@needs(Need.CONTRIBUTE, step=Step)
def comment_on_step(project: Project, step: Step):
    form = CommentForm()
    if form.validate_on_submit():
        # About the rating the step has now, whatever the page said (it may be out of date, or made up).
        add_comment(project, step, current_user, text=form.text.data, dissent=form.dissent.data,
                    about_number=services.current_number(step))
        db.session.commit()
        flash("Your comment is kept beside the team's assessment, and shown in the story.", "success")
        return redirect(url_for("toc.step", project_id=project.id, step_id=step.id, _anchor="assessment"))
    return render_template("assessment/comment_form.html", project=project, step=step, form=form), 400


@bp.route("/links/<int:link_id>", methods=["GET", "POST"])
@needs(Need.EDIT, link=Link)
def assess_link(project: Project, link: Link):
    assumptions = _link_assumptions(link)
    return _assess(project, link, lambda **data: link_assessment_form(assumptions, **data), assumptions, {
        "step": None, "link": link, "target_name": f"{link.source.title} → {link.target.title}", "kind": "link",
        "history_url": url_for("assessment.link_history", project_id=project.id, link_id=link.id),
        "cancel_url": url_for("toc.link", project_id=project.id, link_id=link.id),
    })


def _history(project, target: Step | Link, assumptions, template_args: dict):
    column = services.target_column(target)
    page = db.paginate(queries.history_query(column, target.id), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"])
    # Each revision is compared with the one before it; a refused save with the one its author started from.
    on_page = {row.number: row for row in page.items if row.number}
    wanted = {row.based_on if row.refused else row.number - 1 for row in page.items}
    earlier = {**queries.revisions_numbered(column, target.id, wanted - set(on_page)), **on_page}
    by_id = {a.id: a for a in assumptions}
    entries = [
        (row, services.revision_changes(row, earlier.get(row.based_on if row.refused else row.number - 1), by_id))
        for row in page.items
    ]
    return render_template("assessment/history.html", project=project, page=page, entries=entries,
                           assumptions=by_id, standards=queries.evidence_standards(project.id), **template_args)


@bp.route("/steps/<int:step_id>/history")
@needs(Need.READ, step=Step)
def history(project: Project, step: Step):
    return _history(project, step, [], {
        "target_name": step.title, "kind": "step",
        "endpoint": "assessment.history", "target_args": {"step_id": step.id},
        "target_url": url_for("toc.step", project_id=project.id, step_id=step.id),
        "assess_url": url_for("assessment.assess_step", project_id=project.id, step_id=step.id),
    })


@bp.route("/links/<int:link_id>/history")
@needs(Need.READ, link=Link)
def link_history(project: Project, link: Link):
    return _history(project, link, _link_assumptions(link), {
        "target_name": f"{link.source.title} → {link.target.title}", "kind": "link",
        "endpoint": "assessment.link_history", "target_args": {"link_id": link.id},
        "target_url": url_for("toc.link", project_id=project.id, link_id=link.id),
        "assess_url": url_for("assessment.assess_link", project_id=project.id, link_id=link.id),
    })


@bp.route("/standards", methods=["GET", "POST"])
@needs(Need.READ, to_post=Need.EDIT)
def standards(project: Project):
    row = db.session.get(EvidenceStandard, project.id)
    needs_by_level = minimums(project.id)
    form = StandardsForm(**({**queries.evidence_standards(project.id), "version": str(row.version if row else 0),
                             **{f"{level}_min_{what}": getattr(needs_by_level[level], what)
                                for level in ("medium", "high") for what in ("sources", "groups")}}
                            if request.method == "GET" else {}))
    # The form carries the version of the row (0 before the first save); save_standards checks it too.
    edit = save_edit(row, form, lambda: services.save_standards(
        project, form.submitted_version(), low=form.low.data, medium=form.medium.data, high=form.high.data,
        minimums=form.minimums()),
        current=lambda: db.session.get(EvidenceStandard, project.id))
    if edit.saved:
        flash("Evidence standards saved.", "success")
        return redirect(url_for("assessment.standards", project_id=project.id))
    return render_template("assessment/standards.html", project=project, form=form, conflict=edit.conflict,
                           refused=edit.status == 409), edit.status


@bp.route("/")
@needs(Need.READ)
def overview(project: Project):
    chain = load_chain(project.id)
    by_step, by_link = queries.current_assessments(project.id)
    counts_by_step, counts_by_link = queries.evidence_counts(project.id)
    return render_template("assessment/overview.html", project=project, chain=chain, by_step=by_step,
                           by_link=by_link, counts_by_step=counts_by_step, counts_by_link=counts_by_link,
                           stale=stale_targets(project.id))
