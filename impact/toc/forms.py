from __future__ import annotations

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from impact.forms import BaseForm, EnumRadioField, VersionedForm, select_choices
from impact.local_time import today
from impact.toc.models import AssumptionKind, FactorDirection


class LevelForm(BaseForm):
    name = StringField("Level name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Save level")


class StepForm(VersionedForm):
    title = StringField("Step title", validators=[DataRequired(), Length(max=200)])
    level_id = SelectField("Level", coerce=int)
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    submit = SubmitField("Save step")


class QuickStepForm(BaseForm):
    """The one-line "add a step" form shown under each level of the editor."""

    title = StringField("New step title", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Add step")


class LinkForm(BaseForm):
    source_id = SelectField("From step", coerce=int)
    target_id = SelectField("To step", coerce=int)
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Add link")


class AssumptionForm(VersionedForm):
    kind = EnumRadioField("Kind", enum_cls=AssumptionKind, default=AssumptionKind.ASSUMPTION,
                          validators=[DataRequired()])
    text = TextAreaField("Text", validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Save")


class FactorForm(VersionedForm):
    title = StringField("Influencing factor", validators=[DataRequired(), Length(max=200)])
    direction = EnumRadioField("Direction", enum_cls=FactorDirection, default=FactorDirection.HELPING,
                               validators=[DataRequired()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Save")


class ShareFactorForm(BaseForm):
    """An influencing factor already on another step, to bear on this one too (its evidence comes with it)."""

    factor_id = SelectField("Influencing factor", coerce=int, validators=[DataRequired("Choose a factor.")])
    submit = SubmitField("Add to this step")

    def set_factors(self, chain, step) -> None:
        self.factor_id.choices = select_choices(
            (factor.id, f"{factor.title} ({factor.direction.label.lower()}; "
                        f"on {', '.join(chain.factor_step_titles(factor))})")
            for factor in chain.factors if step.id not in chain.factor_steps.get(factor.id, [factor.step_id]))


class RevisionForm(BaseForm):
    name = StringField("Revision name", validators=[DataRequired(), Length(max=200)])
    revision_date = DateField("Date", validators=[DataRequired()],
                              default=today)  # on the project's clock, not UTC's
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Save revision")
