"""The contribution story, its snapshots, and the gaps in the evidence."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("story", __name__, url_prefix="/projects/<int:project_id>/story")
