"""The codebook page and coding a response."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from impact.access import signed_in_only
from impact.coding import services
from impact.coding.models import FactorTheme
from impact.extensions import db
from impact.forms import BaseForm, select_choices
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
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
