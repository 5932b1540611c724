"""The online card form attendees fill in at the event, through a link the team shares."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from impact.access import public_form_limit
from impact.cards import online, services
from impact.cards.forms import PublicCardForm
from impact.events.models import Event
from impact.extensions import db
from impact.forms import BaseForm

bp = Blueprint("public_cards", __name__, url_prefix="/cards")



@bp.route("/<key>", methods=["GET", "POST"])
@public_form_limit
def card(key: str):
    event = db.first_or_404(select(Event).filter_by(card_link_key=key))
    if not event.card_form_open:
        return render_template("cards/public_closed.html", event=event), 410
    form = PublicCardForm()
    if form.validate_on_submit():
        try:
            online.submit(event, form.card_data())
        except services.CardRefused as refused:
            form.show_refusal(refused)
        else:
            db.session.commit()
            return render_template("cards/public_thanks.html", event=event)
    return render_template("cards/public_form.html", event=event, form=form), 400 if form.errors else 200


class ConfirmForm(BaseForm):
    pass


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public_form_limit
def confirm(token: str):
    try:
        confirmation = online.confirmation_for(token)
    except online.ConfirmationProblem as problem:
        return render_template("cards/confirm.html", problem=str(problem)), 400
    form = ConfirmForm()
    refused = None
    if form.validate_on_submit():
        try:
            online.confirm(confirmation)
        except services.CardRefused as exc:
            db.session.rollback()
            refused = " ".join(exc.errors.values())
        else:
            db.session.commit()
            return render_template("cards/confirm.html", done=True, event=confirmation.card.event)
    return render_template("cards/confirm.html", confirmation=confirmation, card=confirmation.card,
                           proposed=online.proposed_card(confirmation), form=form, refused=refused), \
        (409 if refused else 200)
