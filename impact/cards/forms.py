from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Length, Optional

from impact.cards.models import MAX_ACTIONS
from impact.cards.services import CardData
from impact.forms import BaseForm, EmailAddressField, enum_choices
from impact.projects.models import PartnerGroup


class CardForm(BaseForm):
    email = EmailAddressField("Email", render_kw={"autocomplete": "off"})
    name = StringField("Name (optional)", validators=[Optional(), Length(max=200)])
    organisation = StringField("Organisation (optional)", validators=[Optional(), Length(max=200)])
    partner_group = SelectField("Partner group", choices=enum_choices(PartnerGroup),
                                default=PartnerGroup.PRACTITIONER.value)
    action_1 = TextAreaField("Action 1", validators=[Length(max=2000)], render_kw={"rows": 2})
    action_2 = TextAreaField("Action 2 (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    action_3 = TextAreaField("Action 3 (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    save_and_add = SubmitField("Save and add another")
    submit = SubmitField("Save card")

    def validate_action_1(self, field):
        if not any((getattr(self, f"action_{n}").data or "").strip() for n in range(1, MAX_ACTIONS + 1)):
            raise ValidationError("Write at least one action.")

    def card_data(self) -> CardData:
        return CardData(
            email=self.email.data, name=self.name.data or "", organisation=self.organisation.data or "",
            partner_group=PartnerGroup(self.partner_group.data),
            actions=[getattr(self, f"action_{n}").data or "" for n in range(1, MAX_ACTIONS + 1)],
        )

    def show_refusal(self, refused) -> None:
        """Put a CardRefused's reasons next to their fields."""
        for name, message in refused.errors.items():
            self[name].errors.append(message)

    def fill_from(self, card) -> None:
        self.email.data, self.name.data, self.organisation.data = card.email, card.name, card.organisation
        self.partner_group.data = card.partner_group.value
        for action in card.actions:
            getattr(self, f"action_{action.position}").data = action.text


class PublicCardForm(CardForm):
    """What attendees fill in themselves through the event link."""

    save_and_add = None
    submit = SubmitField("Send my card")


class TagForm(BaseForm):
    action_ids = SelectMultipleField("Actions", coerce=int, validate_choice=False)
    step_id = SelectField("Step", coerce=int)
    add = SubmitField("Tag the selected actions with this step")
    remove = SubmitField("Remove this step from the selected actions")

    def validate_action_ids(self, field):
        if not field.data:
            raise ValidationError("Tick at least one action.")
