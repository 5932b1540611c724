"""Signed, expiring tokens for links that work without an account (emailed links, undo buttons).

Each kind of link signs with its own purpose (the salt), so a token made for one kind of link
is useless for another.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkProblem(Exception):
    """Why a link cannot be used: "expired" or "invalid" (shown to the person as a page)."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make_token(purpose: str, value) -> str:
    return _serializer(purpose).dumps(value)


def read_token(purpose: str, token: str, max_age: int):
    """The signed value, or LinkProblem("expired"/"invalid")."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkProblem("expired") from exc
    except BadSignature as exc:
        raise LinkProblem("invalid") from exc
