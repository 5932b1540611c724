"""What a card holder sees after clicking their personal link. No account needed."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from impact.access import public_form_limit
from impact.cards import services as card_services
from impact.extensions import csrf, db
from impact.followups import services
from impact.followups.forms import response_form
from impact.followups.models import FollowUp
from impact.followups.tokens import OPT_OUT, RESPOND, LinkProblem, check_form_token, form_token, read_token
from impact.model_types import utcnow

bp = Blueprint("respond", __name__, url_prefix="/followup")


def _followup_id(token: str, purpose: str) -> tuple[int | None, str | None]:
    try:
        return read_token(token, purpose), None
    except LinkProblem as problem:
        return None, str(problem)


def _problem_page(problem: str):
    status = {"invalid": 404, "expired": 410, "closed": 410}[problem]
    return render_template("followups/link_problem.html", problem=problem), status


@bp.route("/<token>", methods=["GET", "POST"])
@public_form_limit
def form(token: str):
    if request.method == "POST":
        check_form_token(token, request.form.get("csrf_token"))
    followup_id, problem = _followup_id(token, RESPOND)
    found = services.respondent(followup_id, answering=request.method == "POST") if followup_id is not None else None
    if problem or found is None:
        return _problem_page(problem or "invalid")
    followup = found.followup
    if followup.campaign.is_closed(utcnow()):
        return _problem_page("closed")
    response = found.response
    pseudonym = found.pseudonym()
    page = services.form_page(followup)
    form = response_form(page.actions, response)
    saved = False
    if form.validate_on_submit():
        answers = form.answers()
        try:
            quoted_as = services.save_response(followup, **answers).pseudonym  # read before the commit expires it
            db.session.commit()
        except StaleDataError:
            # The same link's answers sent twice at once (two tabs, a double click): the evidence item moved
            # under this request. Read it as the other left it and write these answers on top.
            db.session.rollback()
            again = services.respondent(followup_id, answering=True).followup
            quoted_as = services.save_response(again, **answers).pseudonym
            db.session.commit()
        # Someone answering at the same moment may have taken the name offered: show the one given.
        pseudonym = quoted_as or pseudonym
        saved = True
    return render_template("followups/respond.html", form=form, page=page, pseudonym=pseudonym, saved=saved,
                           amending=response is not None, csrf_token=form_token(token)), 400 if form.errors else 200


# Its token is checked above (tokens.form_token), needing no session; every other form keeps Flask-WTF's.
csrf.exempt(form)


@bp.route("/<token>/opt-out", methods=["GET", "POST"])
@public_form_limit
def opt_out(token: str):
    followup_id, problem = _followup_id(token, OPT_OUT)
    followup = db.session.scalar(select(FollowUp).where(FollowUp.id == followup_id)
                                 .options(joinedload(FollowUp.card))) if followup_id is not None else None
    if problem or followup is None:
        return _problem_page(problem or "invalid")

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
