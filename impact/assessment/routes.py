"""Assessing steps and links, and the project's evidence standards."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/projects/<int:project_id>/assessment")
