from __future__ import annotations

import datetime as dt

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from impact.followups.models import Progress
from impact.forms import BaseForm, VersionedForm, enum_choices

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class CampaignForm(VersionedForm):
    subject = StringField("Email subject", validators=[DataRequired(), Length(max=200)])
    message = TextAreaField(
        "Message", validators=[DataRequired(), Length(max=3000)], render_kw={"rows": 5},
        description="Keep it short. {event} is replaced by the event's title. Each person's actions, "
                    "their personal link and an opt-out link are added below it.",
    )
    send_at = DateTimeLocalField("Send on (UTC)", format=LOCAL_FORMAT,
                                 validators=[DataRequired(message="Enter a date and time.")])
    reminder_at = DateTimeLocalField("Send a reminder on (UTC, optional)", format=LOCAL_FORMAT,
                                     validators=[Optional()])
    reminder_message = TextAreaField("Reminder message (optional)", validators=[Optional(), Length(max=3000)],
                                     render_kw={"rows": 3})
    closes_at = DateTimeLocalField("Answers close on (UTC)", format=LOCAL_FORMAT,
                                   validators=[DataRequired(message="Enter a date and time.")])
    submit = SubmitField("Save follow-up")

    def validate_reminder_at(self, field):
        if field.data and self.send_at.data and field.data <= self.send_at.data:
            raise ValidationError("The reminder must come after the follow-up is sent.")

    def validate_closes_at(self, field):
        if field.data and self.send_at.data and field.data <= self.send_at.data:
            raise ValidationError("Answers must close after the follow-up is sent.")
        if field.data and self.reminder_at.data and field.data <= self.reminder_at.data:
            raise ValidationError("Answers must close after the reminder is sent.")

    @staticmethod
    def aware(value: dt.datetime | None) -> dt.datetime | None:
        return value.replace(tzinfo=dt.timezone.utc) if value else None


def response_form_class(actions):
    """A form with progress / helped / hindered for each of this person's actions."""

    class ResponseForm(BaseForm):
        helped = TextAreaField("What helped you, overall? (optional)", validators=[Optional(), Length(max=5000)],
                               render_kw={"rows": 3})
        hindered = TextAreaField("What got in the way, overall? (optional)", validators=[Optional(), Length(max=5000)],
                                 render_kw={"rows": 3})
        anything_else = TextAreaField("Anything else you would like to tell us? (optional)",
                                      validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
        consent_to_quote = BooleanField("You may quote my words, under the name shown above")
        submit = SubmitField("Send my answers")

    for number, action in enumerate(actions, start=1):
        setattr(ResponseForm, f"progress_{action.id}", RadioField(
            f"How much progress have you made with action {number}?", choices=enum_choices(Progress),
            validators=[DataRequired(message="Choose how much progress you made.")],
        ))
        setattr(ResponseForm, f"helped_{action.id}", TextAreaField(
            "What helped? (optional)", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}))
        setattr(ResponseForm, f"hindered_{action.id}", TextAreaField(
            "What got in the way? (optional)", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}))
    return ResponseForm
