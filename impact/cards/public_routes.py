"""The online card form attendees fill in at the event, through a link the team shares."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from impact.cards import services
from impact.cards.forms import PublicCardForm
from impact.cards.models import CardSource
from impact.events.services import get_event_by_card_link_or_404
from impact.extensions import db, limiter

bp = Blueprint("public_cards", __name__, url_prefix="/cards")


def _public_limit() -> str:
    return current_app.config.get("PUBLIC_FORM_RATE_LIMIT", "20 per minute; 200 per hour")


@bp.route("/<key>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def card(key: str):
    event = get_event_by_card_link_or_404(key)
    if not event.card_form_open:
        return render_template("cards/public_closed.html", event=event), 410
    form = PublicCardForm()
    if form.validate_on_submit():
        try:
            _, created = services.save_card(event, form.card_data(), CardSource.ONLINE)
        except services.CardRefused as refused:
            form.show_refusal(refused)
        else:
            db.session.commit()
            return render_template("cards/public_thanks.html", event=event, created=created)
    return render_template("cards/public_form.html", event=event, form=form), 400 if form.errors else 200
