"""The outbox as a page: in development (no SMTP) this is where emails can be read."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from impact.extensions import db
from impact.mail.models import OutboxMessage

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(404)


@bp.route("/")
def outbox():
    page = db.paginate(
        select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["ITEMS_PER_PAGE"],
    )
    return render_template("mail/outbox.html", page=page)


@bp.route("/<int:message_id>")
def message(message_id: int):
    return render_template("mail/message.html", message=db.get_or_404(OutboxMessage, message_id))
