"""The codebook page and coding a response."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from impact.access import signed_in_only
from impact.coding import services
from impact.coding import workbench as queues
from impact.coding.models import FactorTheme
from impact.extensions import db
from impact.forms import BaseForm, select_choices
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
from impact.text_filters import counted
from impact.toc.models import FactorDirection
from impact.toc.services import load_chain

bp = Blueprint("coding", __name__, url_prefix="/projects/<int:project_id>")


signed_in_only(bp)


class ThemeForm(BaseForm):
    name = StringField("Theme", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    factor_ids = SelectMultipleField("Influencing factors this theme evidences", coerce=int,
                                     render_kw={"size": 8})
    submit = SubmitField("Save theme")


def _theme_form(project, theme=None, **kwargs) -> ThemeForm:
    form = ThemeForm(obj=theme, **kwargs)
    chain = load_chain(project.id)
    form.factor_ids.choices = select_choices(
        (factor.id, f"{factor.title} ({factor.direction.value}, on "
                    f"{', '.join(f'“{title}”' for title in chain.factor_step_titles(factor))})")
        for factor in chain.factors
    )
    if theme is not None and request.method == "GET":
        form.factor_ids.data = [factor.id for factor in theme.factors]
    return form


@bp.route("/codebook", methods=["GET", "POST"])
@needs(Need.READ, to_post=Need.EDIT)
def codebook(project: Project):
    form = _theme_form(project) if may(project, Need.EDIT) else None
    if request.method == "POST" and form.validate_on_submit():
        if services.name_taken(project, form.name.data):
            form.name.errors.append("There is already a theme with this name.")
        else:
            services.save_theme(project, None, name=form.name.data, description=form.description.data or "",
                                factor_ids=form.factor_ids.data)
            db.session.commit()
            flash(f"Theme “{form.name.data}” added.", "success")
            return redirect(url_for("coding.codebook", project_id=project.id))
    themes = db.session.scalars(services.themes_query(project)).all()
    return render_template("coding/codebook.html", project=project, themes=themes, form=form,
                           counts=services.code_counts(project)), 400 if form and form.errors else 200


@bp.route("/codebook/defaults", methods=["POST"])
@needs(Need.EDIT)
def add_defaults(project: Project):
    added = services.add_default_themes(project)
    db.session.commit()
    flash(f"{added} default theme{'s' if added != 1 else ''} added.", "success")
    return redirect(url_for("coding.codebook", project_id=project.id))


@bp.route("/codebook/<int:theme_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, theme=FactorTheme)
def edit_theme(project: Project, theme: FactorTheme):
    form = _theme_form(project, theme)
    if form.validate_on_submit():
        if services.name_taken(project, form.name.data, theme):
            form.name.errors.append("There is already a theme with this name.")
        else:
            services.save_theme(project, theme, name=form.name.data, description=form.description.data or "",
                                factor_ids=form.factor_ids.data)
            db.session.commit()
            flash("Theme saved.", "success")
            return redirect(url_for("coding.codebook", project_id=project.id))
    return render_template("coding/theme_form.html", project=project, theme=theme,
                           form=form), 400 if form.errors else 200


@bp.route("/codebook/<int:theme_id>/delete", methods=["POST"])
@needs(Need.EDIT, theme=FactorTheme)
def delete_theme(project: Project, theme: FactorTheme):
    try:
        services.delete_theme(theme)
    except services.CodebookError as problem:
        flash(str(problem), "error")
    else:
        db.session.commit()
        flash(f"Theme “{theme.name}” removed.", "success")
    return redirect(url_for("coding.codebook", project_id=project.id))


@bp.route("/responses/<int:response_id>/codes", methods=["POST"])
@needs(Need.EDIT)
def code_response(project: Project, response_id: int):
    response = services.get_response_or_404(project, response_id)
    chosen = _codes(request.form.getlist("code"))
    if request.form.get("shown") == "codes":
        # The form says which codes it showed ticked: only what this coder changed is changed, so two people
        # coding the same answer at once add up instead of one silently undoing the other.
        shown = _codes(request.form.getlist("was"))
        chosen = (services.codes_of(response) - (shown - chosen)) | (chosen - shown)
    services.set_codes(project, response, chosen)
    db.session.commit()
    if request.form.get("back") == "workbench":
        waiting, _ = queues.queue_counts(project)
        flash(f"Coding saved. {counted(waiting, 'answer')} left to code.", "success")
        page = request.form.get("page", "")
        return redirect(url_for("coding.workbench", project_id=project.id,
                                page=int(page) if page.isdigit() and int(page) > 1 else None) + "#queue")
    flash("Coding saved.", "success")
    followup = response.followup
    return redirect(url_for("followups.response", project_id=project.id, event_id=followup.campaign.event_id,
                            campaign_id=followup.campaign_id, response_id=response.id))


def _codes(values: list[str]) -> set[tuple[int, FactorDirection]]:
    """("theme id:direction", ...) as sent by the coding forms, the malformed ones left out."""
    found = set()
    for value in values:
        theme_id, _, direction = value.partition(":")
        if theme_id.isdigit() and direction in {d.value for d in FactorDirection}:
            found.add((int(theme_id), FactorDirection(direction)))
    return found


WORKBENCH_PAGE = 10  # answers shown to code at once: enough to work through, few enough to read


@bp.route("/coding")
@needs(Need.EDIT)
def workbench(project: Project):
    page = db.paginate(queues.queue_query(project), page=page_number(), per_page=WORKBENCH_PAGE, error_out=False)
    if not page.items and page.page > 1:  # the last answer of the last page was just coded: the page before
        return redirect(url_for("coding.workbench", project_id=project.id,
                                page=page.pages if page.pages > 1 else None) + "#queue")
    waiting, done = queues.queue_counts(project)
    themes = db.session.scalars(services.themes_query(project)).all()
    return render_template("coding/workbench.html", project=project, page=page, waiting=waiting, done=done,
                           themes=themes, counts=queues.theme_counts(project),
                           codes=queues.codes_of(list(page.items)), directions=list(FactorDirection),
                           passages=queues.passages)


@bp.route("/coding/themes/<int:theme_id>")
@needs(Need.EDIT, theme=FactorTheme)
def theme_passages(project: Project, theme: FactorTheme):
    direction = FactorDirection.HINDERING if request.args.get("direction") == "hindering" else FactorDirection.HELPING
    page = db.paginate(queues.coded_query(theme, direction), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"])
    counts = queues.theme_counts(project).get(theme.id, {})
    return render_template("coding/theme_passages.html", project=project, theme=theme, direction=direction,
                           page=page, counts=counts, directions=list(FactorDirection), passages=queues.passages)
