"""Links between steps, the assumptions and risks on them, and influencing factors on steps."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import get_or_404
from impact.concurrency import save_edit
from impact.extensions import db
from impact.features import page_context
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.toc import services, trash
from impact.toc.blueprint import bp
from impact.toc.forms import AssumptionForm, FactorForm, LinkForm, ShareFactorForm
from impact.toc.models import Assumption, AssumptionKind, FactorDirection, InfluencingFactor, Link, Step
from impact.toc.views import step_choices


def _to_link(project_id: int, link_id: int):
    return redirect(url_for("toc.link", project_id=project_id, link_id=link_id))


def _to_step(project_id: int, step_id: int, anchor: str = "factors"):
    return redirect(url_for("toc.step", project_id=project_id, step_id=step_id) + f"#{anchor}")


@bp.route("/links/new", methods=["GET", "POST"])
@needs(Need.EDIT)
def new_link(project: Project):
    chain = services.load_chain(project.id)
    form = LinkForm(
        source_id=request.args.get("source", type=int), target_id=request.args.get("target", type=int)
    )
    form.source_id.choices = form.target_id.choices = step_choices(chain)
    if form.validate_on_submit():
        source = get_or_404(Step, form.source_id.data, project_id=project.id)
        target = get_or_404(Step, form.target_id.data, project_id=project.id)
        try:
            link = services.add_link(project, source, target, form.note.data or "")
        except services.ChainError as exc:
            form.target_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Link added: {source.title} → {target.title}. Now add its assumptions.", "success")
            return _to_link(project.id, link.id)
    status = 400 if form.errors else 200
    return render_template("toc/link_form.html", project=project, form=form, chain=chain), status


@bp.route("/links/<int:link_id>")
@needs(Need.READ, link=Link)
def link(project: Project, link: Link):
    chain = services.load_chain(project.id)

    return render_template(
        "toc/link.html", project=project, link=link, chain=chain,
        source=chain.step_by_id[link.source_step_id], target=chain.step_by_id[link.target_step_id],
        assumption_form=AssumptionForm(formdata=None),
        # The evidence and assessments shown on the page come from the parts that keep them.
        **page_context("toc.link", project_id=project.id, link_id=link.id,
                       assumption_ids=[a.id for a in chain.assumptions_by_link[link.id]]),
    )


def _delete_part(project, obj, title: str, what: str, back: str):
    """Delete after confirming when evidence or assessments hang on it; always undoable from the trash."""
    held = trash.held_by_part(obj)
    if request.method == "POST" and (not any(held.values()) or request.form.get("confirm") == "yes"):
        trash.delete_part(obj, title, current_user)
        db.session.commit()
        flash(f"{what} “{title}” removed. You can restore it under “Recently deleted” on the theory-of-change "
              "page; saved revisions still show it.", "success")
        return redirect(back)
    return render_template("toc/part_delete.html", project=project, title=title, what=what, held=held, back=back)


@bp.route("/links/<int:link_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT, link=Link)
def delete_link(project: Project, link: Link):
    return _delete_part(project, link, f"{link.source.title} → {link.target.title}", "Link",
                        url_for("toc.chain", project_id=project.id))


@bp.route("/links/<int:link_id>/assumptions", methods=["POST"])
@needs(Need.EDIT, link=Link)
def add_assumption(project: Project, link: Link):
    form = AssumptionForm()
    if form.validate_on_submit():
        services.add_assumption(link, AssumptionKind(form.kind.data), form.text.data)
        db.session.commit()
        flash(f"{AssumptionKind(form.kind.data).label} added.", "success")
        return _to_link(project.id, link.id)
    return render_template("toc/assumption_form.html", project=project, form=form, link=link, assumption=None), 400


@bp.route("/assumptions/<int:assumption_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT)
def edit_assumption(project: Project, assumption_id: int):
    assumption = get_or_404(Assumption, assumption_id, Assumption.link.has(project_id=project.id))
    form = AssumptionForm(obj=assumption)
    edit = save_edit(assumption, form, lambda: services.update_assumption(assumption, kind=form.kind.member,
                                                                           text=form.text.data))
    if edit.saved:
        flash("Saved.", "success")
        return _to_link(project.id, assumption.link_id)
    return render_template(
        "toc/assumption_form.html", project=project, form=form, link=assumption.link, assumption=assumption,
        conflict=edit.conflict,
    ), edit.status


@bp.route("/assumptions/<int:assumption_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT)
def delete_assumption(project: Project, assumption_id: int):
    assumption = get_or_404(Assumption, assumption_id, Assumption.link.has(project_id=project.id))
    return _delete_part(project, assumption, assumption.text, assumption.kind.label,
                        url_for("toc.link", project_id=project.id, link_id=assumption.link_id))


@bp.route("/steps/<int:step_id>/factors", methods=["POST"])
@needs(Need.EDIT, step=Step)
def add_factor(project: Project, step: Step):
    form = FactorForm()
    if form.validate_on_submit():
        services.add_factor(step, form.title.data, FactorDirection(form.direction.data), form.description.data or "")
        db.session.commit()
        flash("Influencing factor added.", "success")
        return _to_step(project.id, step.id)
    return render_template("toc/factor_form.html", project=project, form=form, step=step, factor=None), 400


@bp.route("/factors/<int:factor_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, factor=InfluencingFactor)
def edit_factor(project: Project, factor: InfluencingFactor):
    form = FactorForm(obj=factor)
    edit = save_edit(factor, form, lambda: services.update_factor(
        factor, title=form.title.data, direction=form.direction.member, description=form.description.data or ""))
    if edit.saved:
        flash("Influencing factor saved.", "success")
        return _to_step(project.id, factor.step_id)
    return render_template("toc/factor_form.html", project=project, form=form, step=factor.step, factor=factor,
                           conflict=edit.conflict), edit.status


@bp.route("/factors/<int:factor_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT, factor=InfluencingFactor)
def delete_factor(project: Project, factor: InfluencingFactor):
    return _delete_part(project, factor, factor.title, "Influencing factor",
                        url_for("toc.step", project_id=project.id, step_id=factor.step_id) + "#factors")


@bp.route("/steps/<int:step_id>/factors/share", methods=["POST"])
@needs(Need.EDIT, step=Step)
def share_factor(project: Project, step: Step):
    form = ShareFactorForm(prefix="share")  # beside the new-factor form on the step page: ids kept apart
    form.set_factors(services.load_chain(project.id), step)
    if form.validate_on_submit():
        factor = get_or_404(InfluencingFactor, form.factor_id.data, project_id=project.id)
        services.share_factor(factor, step)
        db.session.commit()
        flash(f"“{factor.title}” now bears on this step too; its evidence counts here as on its other steps.",
              "success")
        return _to_step(project.id, step.id)
    flash(form.factor_id.errors[0] if form.factor_id.errors else "Choose a factor.", "error")
    return _to_step(project.id, step.id)


@bp.route("/steps/<int:step_id>/factors/<int:factor_id>/unshare", methods=["POST"])
@needs(Need.EDIT, step=Step, factor=InfluencingFactor)
def unshare_factor(project: Project, step: Step, factor: InfluencingFactor):
    services.unshare_factor(factor, step)
    db.session.commit()
    flash(f"“{factor.title}” no longer bears on this step; it stays on its other steps with its evidence.", "success")
    return _to_step(project.id, step.id)
