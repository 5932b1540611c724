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

from impact.followups.models import Campaign, Progress, Response
from impact.forms import BaseForm, VersionedForm, enum_choices
from impact.local_time import NonexistentTime, utc_to_wall_clock, wall_clock_to_utc

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class CampaignForm(VersionedForm):
    """Times are typed on the project's clock (``time_zone``) and stored in UTC (``in_utc``)."""

    subject = StringField("Email subject", validators=[DataRequired(), Length(max=200)])
    message = TextAreaField(
        "Message", validators=[DataRequired(), Length(max=3000)], render_kw={"rows": 5},
        description="Keep it short. {event} is replaced by the event's title. Each person's actions, "
                    "their personal link and an opt-out link are added below it.",
    )
    send_at = DateTimeLocalField("Send on", format=LOCAL_FORMAT,
                                 validators=[DataRequired(message="Enter a date and time.")])
    reminder_at = DateTimeLocalField("Send a reminder on (optional)", format=LOCAL_FORMAT,
                                     validators=[Optional()])
    reminder_message = TextAreaField("Reminder message (optional)", validators=[Optional(), Length(max=3000)],
                                     render_kw={"rows": 3})
    closes_at = DateTimeLocalField("Answers close on", format=LOCAL_FORMAT,
                                   validators=[DataRequired(message="Enter a date and time.")])
    submit = SubmitField("Save follow-up")

    TIMES = ("send_at", "reminder_at", "closes_at")

    def __init__(self, *args, time_zone: str, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, obj=campaign, **kwargs)
        self.time_zone = time_zone
        if campaign is not None and not self.is_submitted():
            for name in self.TIMES:  # the stored UTC times, as the project's clock reads them
                self[name].data = utc_to_wall_clock(getattr(campaign, name), time_zone)

    def validate_send_at(self, field):
        self._exists(field)

    def validate_reminder_at(self, field):
        self._exists(field)
        if field.data and self.send_at.data and field.data <= self.send_at.data:
            raise ValidationError("The reminder must come after the follow-up is sent.")

    def validate_closes_at(self, field):
        self._exists(field)
        if field.data and self.send_at.data and field.data <= self.send_at.data:
            raise ValidationError("Answers must close after the follow-up is sent.")
        if field.data and self.reminder_at.data and field.data <= self.reminder_at.data:
            raise ValidationError("Answers must close after the reminder is sent.")

    def _exists(self, field) -> None:
        if field.data:
            try:
                wall_clock_to_utc(field.data, self.time_zone)
            except NonexistentTime as skipped:
                raise ValidationError(str(skipped)) from None

    def in_utc(self, name: str) -> dt.datetime | None:
        """A time as typed, on the project's clock, as the UTC time stored."""
        value = self[name].data
        return wall_clock_to_utc(value, self.time_zone) if value else None


class ResponseForm(BaseForm):
    """A respondent's answers. The fields for each action are added by response_form_class.

    Its CSRF token is not the session's: respond_routes checks tokens.form_token, bound to the link.
    """

    class Meta:
        csrf = False

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
