"""The outbox as a page: in development (no SMTP) this is where emails can be read, and
where a site admin settles a message whose delivery is uncertain."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from impact.access import site_admins_only
from impact.extensions import db
from impact.mail.links import shown_bodies
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.outbox import STUCK_AFTER, delivery_uncertain, mark_sent, send_again
from impact.model_types import utcnow
from impact.pagination import page_number

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")


site_admins_only(bp)


def _uncertain_filter():
    return (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.next_attempt_at < utcnow() - STUCK_AFTER)


@bp.route("/")
def outbox():
    only_uncertain = request.args.get("show") == "uncertain"
    statement = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if only_uncertain:
        statement = statement.where(_uncertain_filter())
    page = db.paginate(
        statement,
        page=page_number(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
    )
    uncertain_count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(_uncertain_filter()))
    return render_template("mail/outbox.html", page=page, only_uncertain=only_uncertain,
                           uncertain_count=uncertain_count, uncertain=delivery_uncertain)


@bp.route("/<int:message_id>")
def message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    text, html = shown_bodies(message)
    return render_template("mail/message.html", message=message, uncertain=delivery_uncertain, text=text, html=html)


def _settle(message_id: int, action, done: str):
    db.get_or_404(OutboxMessage, message_id)
    if action(message_id):
        db.session.commit()
        flash(done, "success")
    else:
        db.session.rollback()
        flash("Nothing changed: that message is not waiting with an uncertain delivery (any more).", "info")
    return redirect(url_for("mail.message", message_id=message_id))


@bp.route("/<int:message_id>/send-again", methods=["POST"])
def resend(message_id: int):
    return _settle(message_id, send_again, "The message is back in the queue and will be sent on the next run.")


@bp.route("/<int:message_id>/mark-sent", methods=["POST"])
def mark_as_sent(message_id: int):
    return _settle(message_id, mark_sent, "The message is marked as sent; it will not be sent again.")
