"""The team's follow-up pages: write the campaign, schedule it, watch the answers come in."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from impact.access import get_or_404, signed_in_only
from impact.concurrency import save_edit
from impact.events.models import Event
from impact.evidence.models import Stance, Strength
from impact.extensions import db
from impact.features import page_context
from impact.followups import services
from impact.followups.emails import DEFAULT_MESSAGE, DEFAULT_REMINDER, default_subject
from impact.followups.forms import CampaignForm
from impact.followups.models import Campaign, FollowUp, Response
from impact.followups.tracking import campaign_tracking, delivery_status
from impact.jobs.health import is_quiet, last_run
from impact.local_time import format_local, utc_to_wall_clock
from impact.model_types import utcnow
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, needs

bp = Blueprint("followups", __name__, url_prefix="/projects/<int:project_id>/events/<int:event_id>/followups")


signed_in_only(bp)



def _save(event, campaign, form):
    return services.save_campaign(
        event, campaign, subject=form.subject.data, message=form.message.data,
        reminder_message=form.reminder_message.data or "", send_at=form.in_utc("send_at"),
        reminder_at=form.in_utc("reminder_at"), closes_at=form.in_utc("closes_at"), user=current_user,
    )


@bp.route("/new", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event, by_the_minute=True)  # the form proposes times from now
def new(project: Project, event: Event):
    form = CampaignForm(time_zone=project.time_zone)
    if request.method == "GET":
        now = utc_to_wall_clock(utcnow().replace(second=0, microsecond=0), project.time_zone)
        form.subject.data = default_subject(event.title)
        form.message.data = DEFAULT_MESSAGE
        form.reminder_message.data = DEFAULT_REMINDER
        form.send_at.data = now + dt.timedelta(hours=1)
        form.reminder_at.data = now + dt.timedelta(days=14)
        form.closes_at.data = now + dt.timedelta(days=42)
    elif form.validate_on_submit():
        campaign = _save(event, None, form)
        db.session.commit()
        if campaign.send_at <= utcnow():
            flash("Follow-up saved. Its send time has come, so it goes out the next time the site's background work "
                  "runs (within a minute or two), or now with “Send the follow-up now”.", "success")
        else:
            flash(f"Follow-up scheduled for {format_local(campaign.send_at, 'long_datetime', project)}.",
                  "success")
        return redirect(url_for("followups.show", project_id=project.id, event_id=event.id, campaign_id=campaign.id))
    return render_template("followups/campaign_form.html", project=project, event=event, form=form,
                           campaign=None), 400 if form.errors else 200


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def edit(project: Project, event: Event, campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id, event_id=event.id)
    if campaign.sent_at is not None and campaign.reminders_sent_at is not None:
        flash("This follow-up and its reminder have been sent, so they can no longer be changed.", "info")
        return redirect(url_for("followups.show", project_id=project.id, event_id=event.id, campaign_id=campaign.id))
    form = CampaignForm(time_zone=project.time_zone, campaign=campaign)
    edit = save_edit(campaign, form, lambda: _save(event, campaign, form))
    if edit.saved:
        flash("Follow-up saved.", "success")
        return redirect(url_for("followups.show", project_id=project.id, event_id=event.id,
                                campaign_id=campaign.id))
    return render_template("followups/campaign_form.html", project=project, event=event, form=form,
                           campaign=campaign, conflict=edit.conflict), edit.status


@bp.route("/<int:campaign_id>")
@needs(Need.EDIT, event=Event, by_the_minute=True)
def show(project: Project, event: Event, campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id, event_id=event.id)
    query = (
        select(FollowUp).where(FollowUp.campaign_id == campaign.id)
        .options(selectinload(FollowUp.card), selectinload(FollowUp.response))
        .order_by(FollowUp.id)
    )
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    # Only this campaign's follow-ups and answers count; before it is sent, the event's cards are its recipients-to-be.
    tracking = campaign_tracking(campaign)
    delivery = delivery_status([followup.id for followup in page.items])
    now = utcnow()
    late = services.late_sends(campaign, now)
    background = last_run() if late else None
    return render_template("followups/campaign.html", project=project, event=event, campaign=campaign, page=page,
                           tracking=tracking, delivery=delivery, now=now, late=late, background=background,
                           background_quiet=is_quiet(background, now))


@bp.route("/<int:campaign_id>/send", methods=["POST"])
@needs(Need.EDIT, event=Event)
def send_now(project: Project, event: Event, campaign_id: int):
    """Queue the follow-up (or the reminder) now instead of waiting for its date."""
    campaign = get_or_404(Campaign, campaign_id, event_id=event.id)
    if campaign.is_closed(utcnow()):
        abort(409)
    what = request.form.get("what")
    if what == "reminder":
        if campaign.sent_at is None:
            abort(409)
        count = services.send_reminders(campaign)
        message = f"{count} reminder{'s' if count != 1 else ''} queued."
    elif what == "followup":
        count = services.send_campaign(campaign)
        message = f"{count} follow-up email{'s' if count != 1 else ''} queued."
    else:
        abort(400)
    db.session.commit()
    flash(message if count else "Nothing to send: it had already gone.", "success")
    return redirect(url_for("followups.show", project_id=project.id, event_id=event.id, campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/close", methods=["POST"])
@needs(Need.EDIT, event=Event)
def close(project: Project, event: Event, campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id, event_id=event.id)
    services.close_campaign(campaign)
    db.session.commit()
    flash("The follow-up is closed: its links no longer accept answers.", "success")
    return redirect(url_for("followups.show", project_id=project.id, event_id=event.id, campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/responses/<int:response_id>")
@needs(Need.EDIT, event=Event)
def response(project: Project, event: Event, campaign_id: int, response_id: int):
    campaign = get_or_404(Campaign, campaign_id, event_id=event.id)
    answer = db.session.get(Response, response_id)
    if answer is None or answer.followup.campaign_id != campaign.id:
        abort(404)
    return render_template("followups/response.html", project=project, event=event, campaign=campaign,
                           response=answer, stances=list(Stance), strengths=list(Strength),
                           # Coding the response is the codebook's part.
                           **page_context("followups.response", project=project, response=answer))
