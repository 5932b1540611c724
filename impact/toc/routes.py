"""The chain editor: levels and steps. Links, factors and revisions live beside it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import get_or_404, signed_in_only
from impact.concurrency import save_edit
from impact.extensions import db
from impact.features import page_context
from impact.projects.kept import kept_page
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.toc import services, trash
from impact.toc.blueprint import bp
from impact.toc.forms import FactorForm, LevelForm, QuickStepForm, ShareFactorForm, StepForm
from impact.toc.models import Level, Step
from impact.toc.views import chain_diagram, level_choices

signed_in_only(bp)


def _to_chain(project_id: int, anchor: str | None = None):
    return redirect(url_for("toc.chain", project_id=project_id) + (f"#{anchor}" if anchor else ""))


@bp.route("/")
@needs(Need.READ)
def chain(project: Project):
    def render() -> str:
        chain = services.load_chain(project.id)
        return render_template(
            "toc/chain.html", project=project, chain=chain, diagram=chain_diagram(project, chain),
            level_form=LevelForm(formdata=None), quick_form=QuickStepForm(formdata=None),
            deleted=db.session.scalars(trash.recently_deleted_query(project)).all(),
        )
    return kept_page(project, render, active="chain")


# Levels -------------------------------------------------------------------------------------

@bp.route("/levels", methods=["POST"])
@needs(Need.EDIT)
def add_level(project: Project):
    form = LevelForm()
    if form.validate_on_submit():
        try:
            level = services.add_level(project, form.name.data, form.description.data or "")
        except services.ChainError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Level “{level.name}” added.", "success")
            return _to_chain(project.id, f"level-{level.id}")
    return render_template("toc/level_form.html", project=project, form=form, level=None), 400


@bp.route("/levels/<int:level_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, level=Level)
def edit_level(project: Project, level: Level):
    form = LevelForm(obj=level)
    if form.validate_on_submit():
        try:
            services.update_level(level, form.name.data, form.description.data or "")
        except services.ChainError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Level saved.", "success")
            return _to_chain(project.id, f"level-{level.id}")
    return render_template("toc/level_form.html", project=project, form=form, level=level), 400 if form.errors else 200


@bp.route("/levels/<int:level_id>/move", methods=["POST"])
@needs(Need.EDIT, level=Level)
def move_level(project: Project, level: Level):
    if services.move_level(level, request.form.get("direction", "")):
        db.session.commit()
    return _to_chain(project.id, f"level-{level.id}")


@bp.route("/levels/<int:level_id>/delete", methods=["POST"])
@needs(Need.EDIT, level=Level)
def delete_level(project: Project, level: Level):
    try:
        services.delete_level(level)
    except services.ChainError as exc:
        flash(str(exc), "error")
        return _to_chain(project.id, f"level-{level.id}")
    db.session.commit()
    flash(f"Level “{level.name}” removed.", "success")
    return _to_chain(project.id)


# Steps --------------------------------------------------------------------------------------

@bp.route("/levels/<int:level_id>/steps", methods=["POST"])
@needs(Need.EDIT, level=Level)
def quick_add_step(project: Project, level: Level):
    form = QuickStepForm()
    if form.validate_on_submit():
        step = services.add_step(project, level, form.title.data)
        db.session.commit()
        flash(f"Step “{step.title}” added to {level.name}.", "success")
        return _to_chain(project.id, f"level-{level.id}")
    chain = services.load_chain(project.id)
    step_form = StepForm(formdata=None, level_id=level.id)
    step_form.level_id.choices = level_choices(chain)
    step_form.title.errors = list(form.title.errors)
    return render_template("toc/step_form.html", project=project, form=step_form, step=None), 400


@bp.route("/steps/new", methods=["GET", "POST"])
@needs(Need.EDIT)
def new_step(project: Project):
    chain = services.load_chain(project.id)
    form = StepForm(level_id=request.args.get("level_id", type=int))
    form.level_id.choices = level_choices(chain)
    if form.validate_on_submit():
        level = get_or_404(Level, form.level_id.data, project_id=project.id)
        step = services.add_step(project, level, form.title.data, form.description.data or "")
        db.session.commit()
        flash(f"Step “{step.title}” added.", "success")
        return redirect(url_for("toc.step", project_id=project.id, step_id=step.id))
    return render_template("toc/step_form.html", project=project, form=form, step=None), 400 if form.errors else 200


def _share_form(chain, step) -> ShareFactorForm:
    form = ShareFactorForm(formdata=None, prefix="share")
    form.set_factors(chain, step)
    return form


@bp.route("/steps/<int:step_id>")
@needs(Need.READ, step=Step)
def step(project: Project, step: Step):
    def render() -> str:
        chain = services.load_chain(project.id)
        return render_template(
            "toc/step.html", project=project, step=chain.step_by_id[step.id], chain=chain,
            factor_form=FactorForm(formdata=None), share_form=_share_form(chain, step),
            # The evidence and assessments shown on the page come from the parts that keep them.
            **page_context("toc.step", project_id=project.id, step_id=step.id,
                           factor_ids=[f.id for f in chain.factors_by_step[step.id]]),
        )
    return kept_page(project, render, active="chain")


@bp.route("/steps/<int:step_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, step=Step)
def edit_step(project: Project, step: Step):
    chain = services.load_chain(project.id)
    form = StepForm(obj=step)
    form.level_id.choices = level_choices(chain)
    edit = save_edit(step, form, lambda: services.update_step(
        step, title=form.title.data, description=form.description.data or "",
        level=get_or_404(Level, form.level_id.data, project_id=project.id)))
    if edit.saved:
        flash("Step saved.", "success")
        return redirect(url_for("toc.step", project_id=project.id, step_id=step.id))
    return render_template("toc/step_form.html", project=project, form=form, step=step,
                           conflict=edit.conflict), edit.status


@bp.route("/steps/<int:step_id>/move", methods=["POST"])
@needs(Need.EDIT, step=Step)
def move_step(project: Project, step: Step):
    if services.move_step(step, request.form.get("direction", "")):
        db.session.commit()
    return _to_chain(project.id, f"step-{step.id}")


@bp.route("/steps/<int:step_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT, step=Step)
def delete_step(project: Project, step: Step):
    link_count = services.step_link_count(step)
    chain = services.load_chain(project.id)
    # A factor that bears on other steps too stays on them; only those on this step alone go with it.
    factors = chain.factors_by_step.get(step.id, [])
    going = [factor for factor in factors if chain.factor_steps.get(factor.id) == [step.id]]
    staying = [factor for factor in factors if factor not in going]
    factor_count = len(going)
    held = trash.held_by(step)
    needs_confirmation = link_count or factor_count or any(held.values())
    if request.method == "POST" and (not needs_confirmation or request.form.get("confirm") == "yes"):
        title = step.title
        trash.delete_step(step, current_user)
        db.session.commit()
        flash(f"Step “{title}” deleted. You can restore it under “Recently deleted” below.", "success")
        return _to_chain(project.id, "recently-deleted")
    return render_template(
        "toc/step_delete.html", project=project, step=chain.step_by_id[step.id], chain=chain,
        link_count=link_count, factor_count=factor_count, held=held, going=going, staying=staying,
    )


@bp.route("/deleted/<int:deleted_id>/restore", methods=["POST"])
@needs(Need.EDIT)
def restore_step(project: Project, deleted_id: int):
    record = trash.record_or_404(project, deleted_id)
    try:
        notes = trash.restore_step(record)
    except services.ChainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _to_chain(project.id, "recently-deleted")
    db.session.commit()
    kind = record.payload.get("kind", "step")
    restored = ("with its links, assumptions and factors" if kind == "step" else
                "with its assumptions" if kind == "link" else "")
    flash(" ".join([f"{kind.capitalize()} “{record.title}” restored {restored}".rstrip() + ".", *notes]), "success")
    part = record.payload[kind]
    if kind == "link":
        return redirect(url_for("toc.link", project_id=project.id, link_id=part["id"]))
    if kind == "assumption":
        return redirect(url_for("toc.link", project_id=project.id, link_id=part["link_id"]))
    return redirect(url_for("toc.step", project_id=project.id, step_id=part["step_id" if kind == "factor" else "id"]))


from impact.toc import link_routes, revision_routes  # noqa: E402,F401  (they add routes to bp)
