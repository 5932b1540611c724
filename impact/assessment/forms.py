"""Forms for assessing a step or link, and for the project's evidence standards."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from impact.assessment.models import AssumptionState, Confidence, ProgressRating
from impact.forms import BaseForm, VersionedForm, enum_choices, select_choices


def _revision_number(form, field) -> None:
    try:
        valid = 0 <= int(field.data) <= 2**31 - 1
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValidationError("The form was incomplete. Reload the page and enter your assessment again.")


class AssessmentForm(BaseForm):
    progress = RadioField("Progress: how far has this change happened?", choices=enum_choices(ProgressRating),
                          validators=[InputRequired("Choose how much progress there has been.")])
    confidence = RadioField("Confidence in the evidence", choices=enum_choices(Confidence),
                            validators=[InputRequired("Choose how confident the evidence lets you be.")])
    rationale = TextAreaField("Rationale", validators=[Optional(), Length(max=10000)], render_kw={"rows": 5})
    alternatives = TextAreaField("Alternative explanations considered", validators=[Optional(), Length(max=10000)],
                                 render_kw={"rows": 4})
    # The revision the author started from: a save based on an older one is refused (and kept).
    based_on = HiddenField(validators=[_revision_number])
    submit = SubmitField("Save assessment")

    assumption_fields: list[tuple[object, str]] = []

    def submitted_based_on(self) -> int:
        return int(self.based_on.data)


def assumption_field_name(assumption_id: int) -> str:
    return f"assumption_{assumption_id}"


def link_assessment_form(assumptions, **kwargs) -> AssessmentForm:
    """An AssessmentForm with a status select for each assumption and risk on the link."""

    class LinkAssessmentForm(AssessmentForm):
        pass

    for assumption in assumptions:
        setattr(LinkAssessmentForm, assumption_field_name(assumption.id), SelectField(
            f"{assumption.kind.label}: {assumption.text}",
            choices=select_choices((state.value, state.label_for(assumption.kind)) for state in AssumptionState),
            default=AssumptionState.UNKNOWN.value,
            validators=[InputRequired("Choose whether this risk materialised." if assumption.kind.value == "risk"
                                      else "Choose whether this holds.")],
        ))
    form = LinkAssessmentForm(**kwargs)
    form.assumption_fields = [(assumption, form[assumption_field_name(assumption.id)]) for assumption in assumptions]
    return form


class StandardsForm(VersionedForm):
    low = TextAreaField("Low confidence means", validators=[InputRequired("Say what counts as low confidence."),
                                                            Length(max=2000)], render_kw={"rows": 3})
    medium = TextAreaField("Medium confidence means",
                           validators=[InputRequired("Say what counts as medium confidence."), Length(max=2000)],
                           render_kw={"rows": 3})
    high = TextAreaField("High confidence means", validators=[InputRequired("Say what counts as high confidence."),
                                                             Length(max=2000)], render_kw={"rows": 3})
    medium_min_sources = IntegerField("Sources for it that medium confidence needs, at least",
                                      validators=[Optional(), NumberRange(0, 100, "Give a number from 0 to 100.")])
    medium_min_groups = IntegerField("Partner groups those sources come from, at least",
                                     validators=[Optional(), NumberRange(0, 100, "Give a number from 0 to 100.")])
    high_min_sources = IntegerField("Sources for it that high confidence needs, at least",
                                    validators=[Optional(), NumberRange(0, 100, "Give a number from 0 to 100.")])
    high_min_groups = IntegerField("Partner groups those sources come from, at least",
                                   validators=[Optional(), NumberRange(0, 100, "Give a number from 0 to 100.")])
    submit = SubmitField("Save evidence standards")

    MINIMUMS = ("medium_min_sources", "medium_min_groups", "high_min_sources", "high_min_groups")

    def minimums(self) -> dict[str, int]:
        """The counts given (one left empty keeps what the project has)."""
        return {name: self[name].data for name in self.MINIMUMS if self[name].data is not None}


class CommentForm(BaseForm):
    text = TextAreaField("Your comment on this assessment", validators=[DataRequired(), Length(max=2000)],
                        render_kw={"rows": 3})
    dissent = BooleanField("I disagree with this rating")
    submit = SubmitField("Add comment")
