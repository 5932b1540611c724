"""What an error looks like: a page for people, and under /api/ a JSON body for programs.

API clients get ``{"error": {"code", "message", "fields"}}`` with the right status for every
error, including those raised before any API view runs (not found, CSRF, rate limits, 500s),
never an HTML page.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from impact.extensions import db, limiter
from impact.requests import refuse_nul_in_path

API_PREFIX = "/api/"


class ApiError(HTTPException):
    """An error an API view raises with a machine-readable code and, for bad input, the fields at fault."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code, self.error_code, self.fields = status, code, fields or {}

    @classmethod
    def invalid(cls, field: str, message: str) -> ApiError:
        """Input refused for one field's sake (422), the reason beside that field."""
        return cls(422, "invalid", message, fields={field: [message]})


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def answer(status: int, code: str, title: str, message: str, *, fields: dict | None = None, **page):
    if is_api_request():
        return jsonify(error={"code": code, "message": message, "fields": fields or {}}), status
    return render_template("error.html", status=status, title=title, message=message, **page), status


def _forbidden(error):
    # Reached from a pasted link to a page the menu hides for this role: say why and lead back.
    return answer(403, "forbidden", "Not allowed",
                  "Your role in this project does not allow that. If you need to do it, ask the project lead "
                  "to change your role.", project_id=(request.view_args or {}).get("project_id"))


def _too_large(error):
    limit = request.max_content_length or 0
    size = f"{limit / 2**20:.0f} MB" if limit >= 2**20 else f"{limit / 2**10:.0f} KB"
    return answer(413, "too_large", "Too large",
                  f"What you sent is larger than this site accepts ({size} in all), so nothing was saved. "
                  "Go back with your browser's Back button (what you typed is usually still there) and choose a "
                  "smaller file.")


def _too_many(error):
    # The login limit has an hourly part: "wait a minute" would be untrue after 50 tries.
    wait = _seconds_until_reset()
    when = "a minute" if wait <= 60 else f"{-(-wait // 60)} minutes"
    return answer(429, "rate_limited", "Too many attempts",
                  f"Too many attempts in a short time. Please wait {when} and try again.")


def _seconds_until_reset() -> int:
    """Seconds until the rate limit that refused this request lets it through again (60 if unknown)."""
    try:
        current = limiter.current_limit
    except RuntimeError:  # outside a request the limiter knows
        current = None
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def _csrf_failed(error):
    if is_api_request() and request.routing_exception is not None:
        # No API route takes this method here: the CSRF check (which runs first) is not the answer.
        return _other_http_error(request.routing_exception)
    return answer(400, "csrf_failed", "Form expired",
                  "The form had expired or came from elsewhere. Go back, reload the page and try again.")


def _server_error(error):
    db.session.rollback()
    return answer(500, "server_error", "Something went wrong",
                  "The error has been logged. Nothing you entered was saved; please try again.")


def _simultaneous_save(error):
    # A unique constraint lost a race (two people saving the same thing at once);
    # the forms check first, so reaching here means someone else just saved.
    db.session.rollback()
    current_app.logger.info("integrity error: %s", error)
    return answer(409, "conflict", "Saved by someone else",
                  "Someone else saved the same thing a moment ago. "
                  "Go back, reload the page and check before saving again.")


def invalid_fields(messages: dict) -> dict[str, list[str]]:
    """webargs' messages ({location: {field: [message]}}, nested for lists and objects) as {"field": [...]}."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            flat.setdefault(prefix or "_body", []).extend(value if isinstance(value, list) else [str(value)])

    for location, found in messages.items():
        walk("" if isinstance(found, dict) else location, found)
    return flat


def _other_http_error(error: HTTPException):
    if isinstance(error, ApiError):
        return answer(error.code, error.error_code, error.name, error.description, fields=error.fields)
    messages = (getattr(error, "data", None) or {}).get("messages")
    if is_api_request() and isinstance(messages, dict):  # the API's input, refused by its schema
        return answer(error.code or 422, "invalid", error.name,
                      "Some of what you sent is not valid: each field at fault says why.",
                      fields=invalid_fields(messages))
    if is_api_request():
        return answer(error.code or 500, (error.name or "error").lower().replace(" ", "_"), error.name,
                      error.description or error.name)
    return error  # a page: werkzeug's own, as before


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_nul_in_path)
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(404, lambda e: answer(404, "not_found", "Not found",
                                                     "There is nothing here, or you do not have access to it."))
    app.register_error_handler(405, lambda e: answer(405, "method_not_allowed", "Not allowed",
                                                     "That action is not available here."))
    app.register_error_handler(413, _too_large)
    app.register_error_handler(429, _too_many)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(IntegrityError, _simultaneous_save)
    app.register_error_handler(HTTPException, _other_http_error)
