from __future__ import annotations

from wtforms import DateField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from impact.events.models import EventKind
from impact.forms import EnumSelectField, VersionedForm
from impact.projects.models import PartnerGroup


class EventForm(VersionedForm):
    kind = EnumSelectField("Kind of event", enum_cls=EventKind, default=EventKind.SEMINAR)
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    event_date = DateField("Date", validators=[DataRequired(message="Enter the date as YYYY-MM-DD.")])
    place = StringField("Place", validators=[Optional(), Length(max=200)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    submit = SubmitField("Save event")

    def attendance_fields(self):
        return [getattr(self, f"attend_{group.value}") for group in PartnerGroup]

    def attendance(self) -> dict[PartnerGroup, int]:
        return {group: getattr(self, f"attend_{group.value}").data or 0 for group in PartnerGroup}


# Attendance by partner group: one number field per group, so the form works without JavaScript.
for _group in PartnerGroup:
    setattr(EventForm, f"attend_{_group.value}", IntegerField(
        _group.label,
        validators=[Optional(), NumberRange(min=0, max=100000, message="Enter a whole number, 0 or more.")],
        render_kw={"inputmode": "numeric"},
    ))
