"""The team's card pages: enter from paper, correct, delete, and tag actions with steps."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from impact.access import get_or_404, signed_in_only
from impact.cards import services
from impact.cards.forms import CardForm, TagForm
from impact.cards.models import ActionCard, CardSource
from impact.events.models import Event
from impact.extensions import db
from impact.forms import select_choices
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.toc.models import Step
from impact.toc.services import load_chain

bp = Blueprint("cards", __name__, url_prefix="/projects/<int:project_id>/events/<int:event_id>/cards")


signed_in_only(bp)



@bp.route("/")
@needs(Need.EDIT, event=Event)
def index(project: Project, event: Event):
    page = db.paginate(services.cards_query(event), page=page_number(), per_page=50, error_out=False)
    return render_template("cards/index.html", project=project, event=event, page=page)


@bp.route("/new", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def new(project: Project, event: Event):
    """Typing in paper cards: the form comes straight back, empty and focused, after each save."""
    form = CardForm()
    # The next card starts where the typist's hands already are.
    form.email.render_kw = {**form.email.render_kw, "autofocus": True}
    existing = None
    if form.validate_on_submit():
        try:
            card, _ = services.save_card(event, form.card_data(), CardSource.PAPER)
        except services.CardRefused as refused:
            form.show_refusal(refused)
            existing = refused.existing
        else:
            db.session.commit()
            count = services.card_count(event)
            flash(f"Card for {card.email} saved. {count} card{'s' if count != 1 else ''} for this event.", "success")
            if form.save_and_add.data:
                return redirect(url_for("cards.new", project_id=project.id, event_id=event.id,
                                        group=form.partner_group.data, organisation=form.organisation.data or None))
            return redirect(url_for("cards.index", project_id=project.id, event_id=event.id))
    if request.method == "GET":  # most cards in a pile come from one group, often from one organisation
        form.partner_group.data = request.args.get("group") or form.partner_group.data
        form.organisation.data = request.args.get("organisation", "")[:200] or form.organisation.data
    return render_template("cards/form.html", project=project, event=event, form=form, card=None,
                           count=services.card_count(event), existing=existing), 400 if form.errors else 200


@bp.route("/<int:card_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def edit(project: Project, event: Event, card_id: int):
    card = get_or_404(ActionCard, card_id, event_id=event.id)
    form = CardForm()
    existing = None
    if request.method == "GET":
        form.fill_from(card)
    elif form.validate_on_submit():
        try:
            services.save_card(event, form.card_data(), card.source, card=card)
        except services.CardRefused as refused:
            form.show_refusal(refused)
            existing = refused.existing if refused.existing is not card else None
        else:
            db.session.commit()
            flash("Card saved.", "success")
            return redirect(url_for("cards.index", project_id=project.id, event_id=event.id))
    return render_template("cards/form.html", project=project, event=event, form=form, card=card,
                           count=None, existing=existing), 400 if form.errors else 200


@bp.route("/<int:card_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def delete(project: Project, event: Event, card_id: int):
    card = get_or_404(ActionCard, card_id, event_id=event.id)
    answered = services.has_response(card)
    if request.method == "POST" and request.form.get("confirm") == "yes" and not answered:
        services.delete_card(card)
        db.session.commit()
        flash(f"Card for {card.email} deleted.", "success")
        return redirect(url_for("cards.index", project_id=project.id, event_id=event.id))
    return render_template("cards/delete.html", project=project, event=event, card=card, answered=answered)


@bp.route("/tags", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def tags(project: Project, event: Event):
    """Bulk tagging: tick actions, pick a step, tag (or untag) them all at once."""
    chain = load_chain(project.id)
    form = TagForm()
    level_names = {level.id: level.name for level in chain.levels}
    form.step_id.choices = select_choices(
        (step.id, f"{level_names[step.level_id]}: {step.title}") for step in chain.steps
    )
    if form.validate_on_submit():
        step = get_or_404(Step, form.step_id.data, project_id=project.id)
        if form.remove.data:
            changed = services.untag_actions(event, form.action_ids.data, step)
            flash(f"Removed “{step.title}” from {changed} action{'s' if changed != 1 else ''}.", "success")
        else:
            changed = services.tag_actions(project, event, form.action_ids.data, step)
            flash(f"Tagged {changed} action{'s' if changed != 1 else ''} with “{step.title}”.", "success")
        db.session.commit()
        return redirect(url_for("cards.tags", project_id=project.id, event_id=event.id, page=request.args.get("page")))
    page = db.paginate(services.actions_query(event), page=page_number(), per_page=100, error_out=False)
    return render_template("cards/tags.html", project=project, event=event, form=form, page=page,
                           chain=chain), 400 if form.errors else 200
