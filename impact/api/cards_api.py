"""Action cards of an event: read them, and add one (the team's, like the cards pages: they hold emails)."""
from __future__ import annotations

from flask.views import MethodView
from sqlalchemy.orm import selectinload

from impact.access import get_or_404
from impact.api.auth import ApiBlueprint, token_only
from impact.api.pages import kept_page_of_rows
from impact.api.schemas import IN_QUERY, CardIn, CardOut, PageArgs, page_of
from impact.cards import services
from impact.cards.models import Action, ActionCard, CardSource
from impact.errors import ApiError
from impact.events.models import Event
from impact.extensions import db
from impact.projects.models import Project
from impact.projects.permissions import Need, get_project_or_404

bp = token_only(ApiBlueprint("api_cards", __name__,
                          url_prefix="/api/v1/projects/<int:project_id>/events/<int:event_id>/cards",
                          description="The action cards written at an event: up to three actions and an email."))
CARD_PAGE = page_of(CardOut, "CardPage")


def _card(card: ActionCard) -> dict:
    return {
        **{name: getattr(card, name) for name in (
            "id", "event_id", "email", "name", "organisation", "partner_group", "created_at")},
        "source": card.source.value, "opted_out": card.opted_out_at is not None,
        "actions": [{"id": action.id, "position": action.position, "text": action.text,
                     "step_ids": [step.id for step in action.steps]} for action in card.actions],
    }


def _event(project_id: int, event_id: int) -> tuple[Project, Event]:
    project = get_project_or_404(project_id, Need.EDIT)
    return project, get_or_404(Event, event_id, project_id=project.id)


@bp.route("")
class Cards(MethodView):
    @bp.arguments(PageArgs, **IN_QUERY)
    @bp.response(200, CARD_PAGE)
    def get(self, args, project_id: int, event_id: int):
        """The event's cards, newest first."""
        project, event = _event(project_id, event_id)
        query = services.cards_query(event).options(
            selectinload(ActionCard.actions).selectinload(Action.steps))
        return kept_page_of_rows(project, CARD_PAGE, query, args, lambda rows: [_card(row) for row in rows])

    @bp.arguments(CardIn)
    @bp.response(201, CardOut)
    def post(self, values, project_id: int, event_id: int):
        """Add a card, as an import row would be (one card per email per event: 409 if it has one)."""
        _, event = _event(project_id, event_id)
        data = services.CardData(email=values["email"], actions=values["actions"], name=values["name"],
                                 organisation=values["organisation"], partner_group=values["partner_group"])
        if not data.slots():
            message = "Give at least one action."
            raise ApiError.invalid("actions", message)
        existing = services.find_card(event, data.email)
        if existing is not None:
            raise ApiError(409, "card_exists", f"This email already has a card at this event (card {existing.id}).")
        try:
            card, _ = services.save_card(event, data, CardSource.IMPORT)
        except services.CardRefused as refused:
            raise ApiError(422, "invalid", str(refused),
                           fields={name: [message] for name, message in refused.errors.items()}) from None
        db.session.commit()
        return _card(card)
