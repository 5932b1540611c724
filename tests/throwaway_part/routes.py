from __future__ import annotations

from flask import Blueprint
from sqlalchemy import func, select

from impact.extensions import db
from impact.projects.permissions import Need, get_project_or_404
from tests.throwaway_part.models import notes

bp = Blueprint("throwaway", __name__, url_prefix="/projects/<int:project_id>/notes")


@bp.route("/", endpoint="notes")
def notes_page(project_id: int):
    get_project_or_404(project_id, Need.READ)
    return f"{db.session.scalar(select(func.count()).select_from(notes))} notes"



def count_notes() -> dict[str, int]:
    return {"notes": db.session.scalar(select(func.count()).select_from(notes))}
