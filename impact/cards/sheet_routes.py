"""The online card form's address as a QR code, on the event page and on a printable A5 sheet for the room."""
from __future__ import annotations

import segno
from flask import Blueprint, current_app, render_template, url_for
from markupsafe import Markup

from impact.access import signed_in_only
from impact.events.models import Event
from impact.projects.models import Project
from impact.projects.permissions import Need, needs

bp = Blueprint("card_sheet", __name__, url_prefix="/projects/<int:project_id>/events/<int:event_id>/cards")
signed_in_only(bp)


def card_form_address(event: Event) -> str:
    return current_app.config["BASE_URL"] + url_for("public_cards.card", key=event.card_link_key)


def qr_code(address: str) -> Markup:
    """The address as an SVG QR code (medium error correction: it still scans from a creased printout).
    Drawn here, so the page needs no script and no other host."""
    return Markup(segno.make(address, error="m").svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code"))


@bp.route("/sheet")
@needs(Need.EDIT, event=Event)
def sheet(project: Project, event: Event):
    address = card_form_address(event)
    return render_template("cards/sheet.html", project=project, event=event, address=address, qr=qr_code(address))


def event_page_qr(event: Event, may_edit: bool) -> dict:
    """The code beside the address the event page shows the team while the form is open (drawn only then)."""
    return {"card_form_qr": qr_code(card_form_address(event))} if may_edit and event.card_form_open else {}
