"""What a card holder sees after clicking their personal link. No account needed."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from impact.access import public_form_limit
from impact.cards import services as card_services
from impact.cards.models import ActionCard
from impact.events.models import Event
from impact.extensions import db
from impact.followups import services
from impact.followups.forms import response_form
from impact.followups.models import Campaign, FollowUp
from impact.followups.tokens import OPT_OUT, RESPOND, LinkProblem, read_token
from impact.model_types import utcnow

bp = Blueprint("respond", __name__, url_prefix="/followup")



def _followup_from(token: str, purpose: str) -> tuple[FollowUp | None, str | None]:
    try:
        followup_id = read_token(token, purpose)
    except LinkProblem as problem:
        return None, str(problem)
    # With everything the page shows in one statement (it read the campaign, card, event and project one by one).
    followup = db.session.scalar(
        select(FollowUp).where(FollowUp.id == followup_id)
        .options(joinedload(FollowUp.campaign).joinedload(Campaign.event).joinedload(Event.project),
                 joinedload(FollowUp.card).selectinload(ActionCard.actions)))
    if followup is None:
        return None, "invalid"
    return followup, None


def _problem_page(problem: str):
    status = {"invalid": 404, "expired": 410, "closed": 410}[problem]
    return render_template("followups/link_problem.html", problem=problem), status


@bp.route("/<token>", methods=["GET", "POST"])
@public_form_limit
def form(token: str):
    followup, problem = _followup_from(token, RESPOND)
    if problem:
        return _problem_page(problem)
    campaign, card = followup.campaign, followup.card
    if campaign.is_closed(utcnow()):
        return _problem_page("closed")
    response = services.response_to(followup)
    pseudonym = services.offered_pseudonym(followup, response)
    form = response_form(card.actions, response)
    saved = False
    if form.validate_on_submit():
        answered = services.save_response(followup, **form.answers(), pseudonym=pseudonym)
        # Someone answering at the same moment may have taken the name offered: show the one given.
        pseudonym = answered.pseudonym or pseudonym
        db.session.commit()
        saved = True
    return render_template("followups/respond.html", form=form, actions=form.actions, campaign=campaign, card=card,
                           pseudonym=pseudonym, saved=saved, amending=response is not None), 400 if form.errors else 200


@bp.route("/<token>/opt-out", methods=["GET", "POST"])
@public_form_limit
def opt_out(token: str):
    followup, problem = _followup_from(token, OPT_OUT)
    if problem:
        return _problem_page(problem)

    done = False
    if request.method == "POST":
        # The page promises the whole project: every card of this email in it, and any it gets later.
        try:
            card_services.opt_out(followup.card)
            db.session.commit()
        except IntegrityError:  # the same opt-out sent twice at once: the other one recorded it
            db.session.rollback()
        done = True
    return render_template("followups/opt_out.html", done=done or followup.card.opted_out_at is not None)
