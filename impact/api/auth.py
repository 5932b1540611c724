"""Every API view is reached with a token only: its user acts, with the same permission checks as the pages.

A session cookie is ignored under /api/ (so the API needs no CSRF token, and a page on another site
cannot make a signed-in browser write through it); each person has a rate limit, whichever token they use.
"""
from __future__ import annotations

from flask import current_app, g, jsonify
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from impact.access import count_every_request
from impact.api.tokens import note_use, request_token
from impact.extensions import csrf, limiter


class _Parser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except (ValueError, RecursionError) as error:  # a 5,000-digit number, nesting past Python's limit
            return self._handle_invalid_json_error(error, req)


class ApiBlueprint(Blueprint):
    """A blueprint of the API: a body JSON cannot hold as Python values is bad input (400), not a crash."""

    ARGUMENTS_PARSER = _Parser()


def _rate() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _rate_key() -> str:
    token = request_token()
    # Per person, however many tokens they make; requests without a valid token share their address's
    # bucket, so guessing tokens is limited too.
    return f"api-user:{token.user_id}" if token is not None else f"api-address:{get_remote_address()}"


def _require_token():
    token = request_token()
    if token is None:
        body = jsonify(error={"code": "unauthorized", "fields": {},
                              "message": "Send a valid API token: Authorization: Bearer imp_... "
                                         "(create one on your account page)."})
        return body, 401, {"WWW-Authenticate": 'Bearer realm="impact"'}
    # Flask-Login's current user for this request (it keeps it in g): the token's owner, never the
    # session's, so every permission check the pages use applies to the token's user.
    g._login_user = token.user
    note_use(token)
    return None


def token_only(bp: ApiBlueprint) -> ApiBlueprint:
    csrf.exempt(bp)
    limiter.limit(_rate, key_func=_rate_key)(count_every_request(bp))
    bp.before_request(_require_token)
    return bp
