"""Bayesian contribution tracing: claims and the evidence tests that update them."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tracing", __name__, url_prefix="/projects/<int:project_id>/tracing")
