"""Creating, finding and revoking API tokens; reading the one a request carries."""
from __future__ import annotations

import datetime as dt
import secrets

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from impact.api.models import TOKEN_PREFIX, ApiToken, token_hash
from impact.extensions import db
from impact.model_types import utcnow

# last_used_at is for the owner ("used yesterday"), not an audit log: one write an hour at most,
# so reading the API is not a database write per request.
USE_NOTED_EVERY = dt.timedelta(hours=1)
_NOT_LOOKED_UP = object()


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself, which is stored nowhere and shown once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(raw), hint=raw[:len(TOKEN_PREFIX) + 6])
    db.session.add(token)
    db.session.flush()
    return token, raw


def tokens_of(user):
    """The user's tokens, live ones first, newest first (a select())."""
    return (select(ApiToken).where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()))


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def bearer() -> str | None:
    """The token of this request's ``Authorization: Bearer ...`` header, if it has one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value.startswith(TOKEN_PREFIX) else None


def request_token() -> ApiToken | None:
    """The live token this request carries, of an active user (None: none, unknown, revoked); looked up once."""
    found = g.get("api_token", _NOT_LOOKED_UP)
    if found is _NOT_LOOKED_UP:
        raw = bearer()
        found = None if raw is None else db.session.scalar(
            select(ApiToken).options(joinedload(ApiToken.user))
            .where(ApiToken.token_hash == token_hash(raw), ApiToken.revoked_at.is_(None)))
        if found is not None and not found.user.active:
            found = None
        g.api_token = found
    return found


def note_use(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= USE_NOTED_EVERY:
        token.last_used_at = now
        db.session.commit()
