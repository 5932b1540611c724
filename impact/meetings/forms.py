"""Forms of the meetings part: a meeting, who attended, a quote, a theme."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from impact.evidence.files import RECORDING_ACCEPT
from impact.forms import BaseForm, CheckboxListField, EnumSelectField, VersionedForm
from impact.local_time import today
from impact.meetings.models import NAME_MAX, MeetingKind
from impact.projects.models import PartnerGroup

TEXT_MAX = 20000


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class MeetingForm(VersionedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = EnumSelectField("Kind of meeting", enum_cls=MeetingKind, default=MeetingKind.IMPACT)
    held_on = DateField("Date", validators=[DataRequired(message="Enter the date as YYYY-MM-DD.")],
                        default=today)  # on the project's clock, not UTC's
    place = StringField("Place", validators=[Optional(), Length(max=200)])
    consent_to_record = BooleanField("Everyone present agreed to the meeting being recorded")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"rows": 6})
    notes_voice = EnumSelectField("The notes mostly record the words of", enum_cls=PartnerGroup,
                                  default=PartnerGroup.PRACTITIONER)
    step_ids = CheckboxListField("Steps of the chain the notes bear on", coerce=int, validators=[Optional()])
    recording = FileField("Audio recording or transcript (mp3, m4a, wav, txt or docx; optional)",
                          render_kw={"accept": RECORDING_ACCEPT})
    remove_file = BooleanField("Remove the recording")
    submit = SubmitField("Save")

    def values(self) -> dict:
        return {"kind": self.kind.member, "title": self.title.data, "held_on": self.held_on.data,
                "place": self.place.data or "", "consent_to_record": self.consent_to_record.data,
                "notes": self.notes.data or "", "notes_voice": self.notes_voice.member}


class AttendanceForm(BaseForm):
    name = StringField("Name in the record (e.g. Practitioner 1; optional)", validators=[Optional(),
                                                                                       Length(max=NAME_MAX)])
    partner_group = EnumSelectField("Partner group", enum_cls=PartnerGroup, default=PartnerGroup.PRACTITIONER)
    people = IntegerField("How many people", default=1, validators=[
        DataRequired(message="Enter how many people, from 1 to 1000."),
        NumberRange(min=1, max=1000, message="Enter how many people, from 1 to 1000.")],
        render_kw={"inputmode": "numeric"})
    research_project_id = SelectField("Practitioner research project", coerce=_optional_id,
                                      validators=[Optional()])
    user_id = SelectField("A member of this project (their quotes are then theirs to withdraw)",
                          coerce=_optional_id, validators=[Optional()])
    add = SubmitField("Add to who attended")

    def validate_people(self, field):
        if (self.name.data or self.user_id.data) and field.data and field.data > 1:
            raise ValidationError("A named person is one person: leave the name empty to record several.")

    def values(self) -> dict:
        return {"name": self.name.data or "", "partner_group": self.partner_group.member, "people": self.people.data,
                "research_project_id": self.research_project_id.data, "user_id": self.user_id.data}


class QuoteForm(VersionedForm):
    words = TextAreaField("Their words", validators=[DataRequired(message="Enter the words said."),
                                                     Length(max=TEXT_MAX)], render_kw={"rows": 4})
    consent_to_quote = BooleanField("They agreed to these words being quoted, under the name below")
    pseudonym = StringField("Name to quote them under", validators=[Length(max=NAME_MAX)])
    speaker_id = SelectField("Who said it", coerce=_optional_id, validators=[Optional()])
    partner_group = EnumSelectField("Their partner group (when not one of those who attended)",
                                    enum_cls=PartnerGroup, default=PartnerGroup.PRACTITIONER)
    heading = StringField("A short heading (optional)", validators=[Optional(), Length(max=150)])
    context = TextAreaField("What they were talking about, in the team's words",
                            validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"rows": 3})
    step_ids = CheckboxListField("Steps of the chain it bears on", coerce=int, validators=[Optional()])
    submit = SubmitField("Save quote")

    def validate_pseudonym(self, field):
        if self.consent_to_quote.data and not (field.data or "").strip():
            raise ValidationError("Give the name to quote the words under (a pseudonym, such as Practitioner 2).")

    def values(self) -> dict:
        return {"words": self.words.data if "words" in self else None, "consent_to_quote": self.consent_to_quote.data,
                "pseudonym": self.pseudonym.data or "", "speaker_id": self.speaker_id.data,
                "partner_group": self.partner_group.member, "heading": self.heading.data or "",
                "context": self.context.data or ""}

    @classmethod
    def data_of(cls, quote) -> dict:
        return {"words": "" if quote.consent_withdrawn_at else quote.words,
                "consent_to_quote": quote.consent_to_quote, "pseudonym": quote.pseudonym,
                "speaker_id": quote.speaker_id or "", "partner_group": quote.partner_group, "heading": quote.heading,
                "context": quote.context, "step_ids": [step.id for step in quote.steps],
                "version": str(quote.version)}


class ThemeForm(VersionedForm):
    title = StringField("Theme", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("What was said about it", validators=[Optional(), Length(max=TEXT_MAX)],
                                render_kw={"rows": 3})
    step_ids = CheckboxListField("Steps of the chain it bears on", coerce=int, validators=[Optional()])
    factor_ids = CheckboxListField("Influencing factors it bears on", coerce=int, validators=[Optional()])
    submit = SubmitField("Save theme")

    @classmethod
    def data_of(cls, theme) -> dict:
        return {"title": theme.title, "description": theme.description,
                "step_ids": [step.id for step in theme.steps], "factor_ids": [factor.id for factor in theme.factors],
                "version": str(theme.version)}


class ConfirmForm(BaseForm):
    """A POST with nothing to fill in: remove, restore."""

    submit = SubmitField("Remove")
