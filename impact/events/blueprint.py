from flask import Blueprint

from impact.access import signed_in_only

bp = Blueprint("events", __name__, url_prefix="/projects/<int:project_id>/events")


signed_in_only(bp)
