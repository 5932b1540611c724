"""The evidence library: items, their files, their links to the chain, and the trash."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/projects/<int:project_id>/evidence")
