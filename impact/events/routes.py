"""Events: list, create, edit, and the tracking page of each."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from impact.concurrency import save_edit
from impact.events import services
from impact.events.blueprint import bp
from impact.events.forms import EventForm
from impact.events.models import Event, EventKind
from impact.extensions import db
from impact.features import page_context
from impact.model_types import utcnow
from impact.pagination import page_number
from impact.projects.kept import kept_page
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs


@bp.route("/")
@needs(Need.READ)
def index(project: Project):
    page = db.paginate(services.events_query(project), page=page_number(), per_page=25, error_out=False)
    return render_template("events/index.html", project=project, page=page)


def _save(project, event, form):
    return services.save_event(
        project, event, kind=EventKind(form.kind.data), title=form.title.data, event_date=form.event_date.data,
        place=form.place.data or "", notes=form.notes.data or "", attendance=form.attendance(),
    )


@bp.route("/new", methods=["GET", "POST"])
@needs(Need.EDIT)
def new(project: Project):
    form = EventForm()
    if form.validate_on_submit():
        event = _save(project, None, form)
        db.session.commit()
        flash(f"Event “{event.title}” added.", "success")
        return redirect(url_for("events.show", project_id=project.id, event_id=event.id))
    return render_template("events/form.html", project=project, form=form, event=None), 400 if form.errors else 200


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def edit(project: Project, event: Event):
    form = EventForm(obj=event)
    if request.method == "GET":
        for row in event.attendance:
            getattr(form, f"attend_{row.partner_group.value}").data = row.attendees
    edit = save_edit(event, form, lambda: _save(project, event, form))
    if edit.saved:
        flash("Event saved.", "success")
        return redirect(url_for("events.show", project_id=project.id, event_id=event.id))
    return render_template("events/form.html", project=project, form=form, event=event,
                           conflict=edit.conflict), edit.status


@bp.route("/<int:event_id>")
@needs(Need.READ, event=Event, by_the_minute=True)
def show(project: Project, event: Event):
    may_edit = may(project, Need.EDIT)
    # Its follow-up campaigns and their figures come from the follow-ups part.
    return kept_page(project, lambda: render_template(
        "events/show.html", project=project, event=event, may_edit=may_edit, now=utcnow(),
        **page_context("events.show", event=event, may_edit=may_edit)), active="events", by_the_minute=True)


@bp.route("/<int:event_id>/card-form", methods=["POST"])
@needs(Need.EDIT, event=Event)
def card_form(project: Project, event: Event):
    state = request.form.get("state")
    if state not in ("open", "closed"):
        abort(400)
    services.set_card_form_open(event, state == "open")
    db.session.commit()
    flash("The online card form is open: share its address with attendees." if state == "open"
          else "The online card form is closed.", "success")
    return redirect(url_for("events.show", project_id=project.id, event_id=event.id) + "#online-cards")
