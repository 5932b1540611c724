from flask import Blueprint
from flask_login import login_required

bp = Blueprint("events", __name__, url_prefix="/projects/<int:project_id>/events")


@bp.before_request
@login_required
def require_login():
    """Every event page needs a logged-in user; the project check follows in each view."""
