"""Importing action cards from a spreadsheet through the web page."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import IntegrityError
from wtforms import SubmitField

from impact.access import signed_in_only
from impact.cards import importer
from impact.cards.models import MAX_ACTIONS
from impact.concurrency import CONFLICT_ERRORS
from impact.events.models import Event
from impact.extensions import db
from impact.forms import BaseForm
from impact.projects.models import PartnerGroup, Project
from impact.projects.permissions import Need, needs

bp = Blueprint("card_import", __name__, url_prefix="/projects/<int:project_id>/events/<int:event_id>/cards")


class ImportForm(BaseForm):
    file = FileField("Spreadsheet (.csv or .xlsx)",
                     validators=[FileRequired(message="Choose a .csv or .xlsx file to import.")],
                     render_kw={"accept": ".csv,.xlsx"})
    submit = SubmitField("Import cards")


signed_in_only(bp)



@bp.route("/import", methods=["GET", "POST"])
@needs(Need.EDIT, event=Event)
def import_cards(project: Project, event: Event):
    form = ImportForm()
    row_errors: list[importer.RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = importer.import_cards(event, upload.filename or "", upload.stream)
            if result.ok:
                db.session.commit()
                flash(f"{result.summary()}.", "success")
                return redirect(url_for("cards.index", project_id=project.id, event_id=event.id))
            row_errors = result.errors
        except importer.ImportRefused as refused:
            form.file.errors.append(str(refused))
        except (IntegrityError, *CONFLICT_ERRORS):
            # Someone entered or edited a card of the same person while the file was being stored.
            db.session.rollback()
            form.file.errors.append("Someone changed this event's cards while the file was being imported, "
                                    "so nothing was stored. Import the file again.")
    return render_template(
        "cards/import.html", project=project, event=event, form=form, row_errors=row_errors,
        columns=_column_notes(), max_rows=importer.MAX_ROWS, max_mb=importer.MAX_BYTES // (1024 * 1024),
    ), 400 if (form.errors or row_errors) else 200


@bp.route("/import/template.csv")
@needs(Need.EDIT, event=Event)
def template(project: Project, event: Event):
    # The BOM makes Excel open the file as UTF-8, so names like “Siân” survive a round trip.
    body = "\ufeff" + ",".join(importer.COLUMNS) + "\r\n"
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=action-cards-template.csv",
    })


def _column_notes() -> list[tuple[str, str, str]]:
    """(column, required?, what goes in it) for the page's table of columns."""
    groups = ", ".join(group.value for group in PartnerGroup)
    actions = [(f"action_{n}", "At least one of the actions",
                ("Free text, up to 2000 characters. Left blank: an existing card loses its action "
                 f"{n} (refused if someone answered a follow-up about it: change its wording instead)."))
               for n in range(1, MAX_ACTIONS + 1)]
    return [
        ("email", "Yes", ("Where the follow-up goes. One card per email: a row whose email already has a card "
                          "at this event updates that card instead of adding another.")),
        ("name", "No", "Up to 200 characters. Left blank: an existing card keeps its name."),
        ("organisation", "No", ("For example the local authority. Up to 200 characters. Left blank: an existing "
                                "card keeps its organisation.")),
        ("partner_group", "No", (f"One of {groups} (labels such as “Service user” work too). Left blank: "
                                 "“other” for a new card, and an existing card keeps its group.")),
        *actions,
    ]
