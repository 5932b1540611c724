"""Who may reach a page at all, and loading a row only through the object it belongs to.

What a user may do inside a project is the projects part's (projects.permissions); these are the
checks every part repeats before that: a whole blueprint for signed-in users, or for site admins.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy import select

from impact.extensions import db, limiter


# login_required sends anyone not signed in to the login page (and lets CORS preflights through).
@login_required
def _signed_in():
    return None


@login_required
def _site_admin():
    if not current_user.is_admin:
        abort(404)  # a page a non-admin may not see does not exist for them


def signed_in_only(bp: Blueprint) -> Blueprint:
    """Every page of ``bp`` needs a signed-in user (the login page otherwise); each view checks the project."""
    bp.before_request(_signed_in)
    return bp


def site_admins_only(bp: Blueprint) -> Blueprint:
    """Every page of ``bp`` is for site admins; anyone else signed in gets 404."""
    bp.before_request(_site_admin)
    return bp


def get_or_404(model, object_id: int, *criteria, **belongs_to):
    """The row with this id, if it belongs where the URL says (``project_id=project.id``, or a criterion
    such as ``Assumption.link.has(project_id=...)``), else 404.

    Loading every row through its parent, itself loaded through the project check, is what keeps one
    project's ids from opening another project's rows.
    """
    return db.first_or_404(select(model).where(model.id == object_id, *criteria).filter_by(**belongs_to))


def _public_form_rate() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


# Pages anyone may post to (card forms, emailed answer and invitation links): each address may send
# only so many a minute and an hour, so the forms cannot be used to flood the project or the outbox.
public_form_limit = limiter.limit(_public_form_rate, methods=["POST"])


# The limiter counts posted forms (each limited where it is declared) and, for blueprints that ask, every
# request (the API, per token). Any other read has nothing to count, and the limiter's own search for
# limits that apply took 6 % of a page served from the cache.
_EVERY_REQUEST_COUNTED: set[str] = set()


def count_every_request(bp: Blueprint) -> Blueprint:
    """The rate limits on ``bp`` count its reads too, not only what is posted to it."""
    _EVERY_REQUEST_COUNTED.add(bp.name)
    return bp


@limiter.request_filter
def _read_not_counted() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS") and _EVERY_REQUEST_COUNTED.isdisjoint(request.blueprints)
