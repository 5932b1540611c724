"""Forms of practitioner research: a PRP, and the two-minute update."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from impact.evidence.files import ACCEPT
from impact.forms import BaseForm, CheckboxListField, EnumSelectField, VersionedForm
from impact.local_time import today
from impact.research.models import QUOTE_NAME_MAX, ResearchStatus

TEXT_MAX = 5000


class ResearchProjectForm(VersionedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    local_authority = StringField("Local authority", validators=[Optional(), Length(max=200)])
    status = EnumSelectField("Status", enum_cls=ResearchStatus, default=ResearchStatus.PROPOSED)
    started_on = DateField("Started", validators=[Optional()])
    ended_on = DateField("Ended", validators=[Optional()])
    lead_ids = CheckboxListField("Practitioner leads", coerce=int, validators=[Optional()])
    mentor_id = SelectField("Academic mentor", coerce=lambda value: int(value) if value else None,
                            validators=[Optional()])
    step_ids = CheckboxListField("Steps of the chain it bears on", coerce=int, validators=[Optional()])
    aims = TextAreaField("Aims", validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"rows": 3})
    milestones = TextAreaField("Milestones", validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"rows": 3})
    outputs = TextAreaField("Report and outputs", validators=[Optional(), Length(max=TEXT_MAX)],
                            render_kw={"rows": 2})
    report = FileField("The PRP's report, as a file (optional)", render_kw={"accept": ACCEPT})
    reminder_weeks = IntegerField("Remind the leads to send an update every (weeks)", validators=[
        Optional(), NumberRange(min=1, max=52, message="Enter a whole number of weeks from 1 to 52.")],
        render_kw={"inputmode": "numeric"})
    submit_emailed_replies = BooleanField("Take an update emailed in reply to a reminder as submitted at once "
                                          "(otherwise it waits as a draft for its author to confirm)")
    submit = SubmitField("Save")

    def validate_ended_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError("The end date cannot be before the start.")

    def values(self) -> dict:
        return {"title": self.title.data, "local_authority": self.local_authority.data or "",
                "status": self.status.member, "started_on": self.started_on.data, "ended_on": self.ended_on.data,
                "aims": self.aims.data or "", "milestones": self.milestones.data or "",
                "outputs": self.outputs.data or "", "reminder_weeks": self.reminder_weeks.data,
                "submit_emailed_replies": self.submit_emailed_replies.data}


class UpdateForm(VersionedForm):
    """Made to take two minutes: the date, steps and partner group come filled in."""

    what_did = TextAreaField("What did you do?", validators=[Optional(), Length(max=TEXT_MAX)],
                             render_kw={"rows": 3})
    what_changed = TextAreaField("What changed?", validators=[Optional(), Length(max=TEXT_MAX)],
                                 render_kw={"rows": 3})
    changed_practice = BooleanField("In my own practice")
    changed_team = BooleanField("In my team")
    changed_families = BooleanField("For families")
    who_involved = StringField("Who was involved?", validators=[Optional(), Length(max=500)])
    quote = TextAreaField("A quote you want to record (optional)", validators=[Optional(), Length(max=TEXT_MAX)],
                          render_kw={"rows": 2})
    consent_to_quote = BooleanField("I agree that these words may be quoted, under the name below")
    pseudonym = StringField("Name to quote them under", validators=[Length(max=QUOTE_NAME_MAX)])
    update_date = DateField("Date", validators=[DataRequired(message="Enter the date as YYYY-MM-DD.")],
                            default=today)  # on the project's clock, not UTC's
    step_ids = CheckboxListField("Steps of the chain this is about", coerce=int, validators=[Optional()])
    file = FileField("A file or photo (optional)", render_kw={"accept": ACCEPT})
    remove_file = BooleanField("Remove the file")
    save_draft = SubmitField("Save as draft")
    submit = SubmitField("Submit update")

    def validate_pseudonym(self, field):
        if self.consent_to_quote.data and (self.quote.data or "").strip() and not (field.data or "").strip():
            raise ValidationError("Give a name to quote the words under (not your own, if you prefer).")

    def values(self) -> dict:
        return {"update_date": self.update_date.data, "what_did": self.what_did.data or "",
                "what_changed": self.what_changed.data or "", "changed_practice": self.changed_practice.data,
                "changed_team": self.changed_team.data, "changed_families": self.changed_families.data,
                "who_involved": self.who_involved.data or "", "quote": self.quote.data or "",
                "consent_to_quote": self.consent_to_quote.data, "pseudonym": self.pseudonym.data or ""}

    @classmethod
    def data_of(cls, update) -> dict:
        return {**{name: getattr(update, name) for name in ("update_date", "what_did", "what_changed",
                                                            "changed_practice", "changed_team", "changed_families",
                                                            "who_involved", "quote", "consent_to_quote",
                                                            "pseudonym")},
                "step_ids": [step.id for step in update.steps], "version": str(update.version)}


class OutputForm(BaseForm):
    """An output file of a PRP besides its report."""

    title = StringField("What it is", validators=[DataRequired(message="Say what the file is."), Length(max=150)])
    file = FileField("The file", validators=[FileRequired(message="Choose the file.")], render_kw={"accept": ACCEPT})
    submit = SubmitField("Add output")

    class Confirm(BaseForm):
        """Remove or restore: nothing to fill in."""
