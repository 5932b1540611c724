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

from impact.followups.models import Progress, Response
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


class ResponseForm(BaseForm):
    """A respondent's answers. The fields for each action are added by response_form_class."""

    helped = TextAreaField("What helped you, overall? (optional)", validators=[Optional(), Length(max=5000)],
                           render_kw={"rows": 3})
    hindered = TextAreaField("What got in the way, overall? (optional)", validators=[Optional(), Length(max=5000)],
                             render_kw={"rows": 3})
    anything_else = TextAreaField("Anything else you would like to tell us? (optional)",
                                  validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    consent_to_quote = BooleanField("You may quote my words, under the name shown above")
    submit = SubmitField("Send my answers")

    actions: list = []  # the card's actions, one set of fields each

    def fill_from(self, response: Response) -> None:
        """Show the answers given before, for each action (the overall ones come from obj=response)."""
        for answer in response.progress:
            self[f"progress_{answer.action_id}"].data = answer.progress.value
            self[f"helped_{answer.action_id}"].data = answer.helped
            self[f"hindered_{answer.action_id}"].data = answer.hindered

    def answers(self) -> dict:
        """The answers as services.save_response takes them (everything but the pseudonym)."""
        return {
            "progress": {action.id: (Progress(self[f"progress_{action.id}"].data),
                                     self[f"helped_{action.id}"].data or "",
                                     self[f"hindered_{action.id}"].data or "") for action in self.actions},
            "helped": self.helped.data or "", "hindered": self.hindered.data or "",
            "anything_else": self.anything_else.data or "", "consent_to_quote": self.consent_to_quote.data,
        }


def response_form(actions, response: Response | None = None) -> ResponseForm:
    """The form for a card's actions; coming back to amend, it holds the answers given before."""
    form = response_form_class(actions)(obj=response)
    if response is not None and not form.is_submitted():
        form.fill_from(response)
    return form


def response_form_class(actions) -> type[ResponseForm]:
    """A form with progress / helped / hindered for each of this person's actions."""

    class CardResponseForm(ResponseForm):
        pass

    CardResponseForm.actions = list(actions)
    for number, action in enumerate(actions, start=1):
        setattr(CardResponseForm, f"progress_{action.id}", RadioField(
            f"How much progress have you made with action {number}?", choices=enum_choices(Progress),
            validators=[DataRequired(message="Choose how much progress you made.")],
        ))
        setattr(CardResponseForm, f"helped_{action.id}", TextAreaField(
            "What helped? (optional)", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}))
        setattr(CardResponseForm, f"hindered_{action.id}", TextAreaField(
            "What got in the way? (optional)", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}))
    return CardResponseForm
