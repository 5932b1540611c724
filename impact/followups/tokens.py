"""Personal links in follow-up emails: signed, expiring, no account needed."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

RESPOND = "followup-response"
OPT_OUT = "followup-opt-out"


class LinkProblem(Exception):
    """Why a personal link cannot be used; the message is shown to the person as is."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make_token(followup_id: int, purpose: str = RESPOND) -> str:
    return _serializer(purpose).dumps(followup_id)


def read_token(token: str, purpose: str = RESPOND) -> int:
    max_age = current_app.config.get("FOLLOWUP_LINK_MAX_AGE_DAYS", 365) * 86400
    try:
        value = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkProblem("expired") from exc
    except BadSignature as exc:
        raise LinkProblem("invalid") from exc
    if not isinstance(value, int):
        raise LinkProblem("invalid")
    return value
