"""Forms of the evidence library: an item, a link to the chain, and the library's filters."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from impact.evidence.files import ACCEPT
from impact.evidence.models import EvidenceKind, Stance, Strength
from impact.forms import BaseForm, VersionedForm, enum_choices, select_choices
from impact.projects.models import PartnerGroup

DATE_MESSAGE = "Enter a real date as YYYY-MM-DD, for example 2011-06-30."


class ClearDateField(DateField):
    """A date field whose "not a date" message tells people the format we expect."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_MESSAGE) from None


def _any(label: str, choices):
    return select_choices([("", label), *((choice.value, choice.label) for choice in choices)])


class ItemForm(VersionedForm):
    # No kind chosen for you: the first one (an action-card response) is normally made from follow-up answers.
    kind = SelectField("Kind of evidence", choices=[SelectChoice("", "Choose a kind"), *enum_choices(EvidenceKind)],
                       validators=[DataRequired(message="Choose the kind of evidence.")])
    title = StringField("Title", validators=[DataRequired(message="Give the item a title."), Length(max=200)])
    evidence_date = ClearDateField("Date of the evidence", validators=[InputRequired(message=DATE_MESSAGE)])
    source = StringField("Source", validators=[Optional(), Length(max=200)])
    partner_group = SelectField("Who it comes from", choices=enum_choices(PartnerGroup),
                                default=PartnerGroup.OTHER.value, validators=[DataRequired()])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=20000)], render_kw={"rows": 5})
    quote = TextAreaField("Quote", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    # No Optional(): it would stop the chain before validate_pseudonym sees an empty pseudonym.
    pseudonym = StringField("Pseudonym of the person quoted", validators=[Length(max=80)])
    consent_to_quote = BooleanField("They consented to being quoted")
    file = FileField("File (optional)", render_kw={"accept": ACCEPT})
    remove_file = BooleanField("Remove the attached file")
    # Only on the new-item form: link the item to steps straight away.
    link_step_ids = SelectMultipleField("Link to steps (optional)", coerce=int, validate_choice=True)
    link_stance = SelectField("Stance of those links", choices=enum_choices(Stance), default=Stance.SUPPORTS.value)
    submit = SubmitField("Save evidence")

    def validate_pseudonym(self, field) -> None:
        # A quote used with consent is always attributed, and only ever to a pseudonym.
        if self.quote.data and self.consent_to_quote.data and not field.data:
            raise ValidationError("Give a pseudonym for the person quoted: quotes are shown only with one.")

    def values(self) -> dict:
        return {
            "kind": EvidenceKind(self.kind.data),
            "title": self.title.data,
            "evidence_date": self.evidence_date.data,
            "source": self.source.data or "",
            "partner_group": PartnerGroup(self.partner_group.data),
            "summary": self.summary.data or "",
            "quote": self.quote.data or "",
            "pseudonym": self.pseudonym.data or "",
            "consent_to_quote": bool(self.consent_to_quote.data),
        }


# The link forms carry the item's version: links have none of their own, and changing one bumps the item's.

class LinkForm(VersionedForm):
    """Adding a link from an item to a step, link, assumption or factor (choices: "step:12" etc.)."""

    target = SelectField("Part of the chain", validators=[DataRequired(message="Choose what the item bears on.")])
    stance = SelectField("Stance", choices=enum_choices(Stance), default=Stance.SUPPORTS.value)
    strength = SelectField("Strength", choices=enum_choices(Strength), default=Strength.MODERATE.value)
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Add link")


class LinkEditForm(VersionedForm):
    # What the link points at ("step:12"), only so that, if someone removes the link meanwhile, the add form
    # can offer the same link again with the user's entries; never used to change a link.
    target = HiddenField()
    stance = SelectField("Stance", choices=enum_choices(Stance))
    strength = SelectField("Strength", choices=enum_choices(Strength))
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Save link")


class LinkRemoveForm(VersionedForm):
    """The confirmation of a link's removal: only a POST with confirm=yes removes it."""

    confirm = HiddenField()
    submit = SubmitField("Yes, remove the link")

    def confirmed(self) -> bool:
        return self.confirm.raw_data == ["yes"]  # what was posted, not a default


class UndoForm(BaseForm):
    """The Undo button shown after a link was removed: the signed token holds the link as it was."""

    token = HiddenField(validators=[DataRequired(message="This undo could not be read.")])


class FilterForm(BaseForm):
    """The library's search and filters, sent as GET parameters so a filtered list can be bookmarked."""

    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Search", validators=[Optional(), Length(max=200)], render_kw={"type": "search"})
    kind = SelectField("Kind", choices=_any("Any kind", EvidenceKind), default="")
    step = SelectField("Linked to step", default="")
    partner_group = SelectField("Who it comes from", choices=_any("Anyone", PartnerGroup), default="")
    date_from = ClearDateField("From date", validators=[Optional()], render_kw={"placeholder": "YYYY-MM-DD"})
    date_to = ClearDateField("To date", validators=[Optional()], render_kw={"placeholder": "YYYY-MM-DD"})
    stance = SelectField("Stance of a link", choices=_any("Any stance", Stance), default="")
    submit = SubmitField("Filter")

    def set_steps(self, steps) -> None:
        self.step.choices = select_choices([("", "Any step"), *((str(step.id), step.title) for step in steps)])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")

    def filters(self) -> dict:
        """The valid filters only: a bad value is reported next to its field and otherwise ignored."""
        ok = {name for name, field in self._fields.items() if not field.errors}
        values = {}
        if "q" in ok and self.q.data:
            values["q"] = self.q.data
        if "kind" in ok and self.kind.data:
            values["kind"] = EvidenceKind(self.kind.data)
        if "step" in ok and self.step.data:
            values["step_id"] = int(self.step.data)
        if "partner_group" in ok and self.partner_group.data:
            values["partner_group"] = PartnerGroup(self.partner_group.data)
        if "date_from" in ok and self.date_from.data:
            values["date_from"] = self.date_from.data
        if "date_to" in ok and self.date_to.data:
            values["date_to"] = self.date_to.data
        if "stance" in ok and self.stance.data:
            values["stance"] = Stance(self.stance.data)
        return values


class WithdrawForm(BaseForm):
    """Withdrawing one's consent to be quoted: a button (CSRF-protected)."""
