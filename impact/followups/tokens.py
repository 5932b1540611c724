"""Personal links in follow-up emails: signed, expiring, no account needed."""
from __future__ import annotations

from flask import current_app

from impact.signing import LinkProblem
from impact.signing import make_token as _sign
from impact.signing import read_token as _read

RESPOND = "followup-response"
OPT_OUT = "followup-opt-out"

__all__ = ["LinkProblem", "OPT_OUT", "RESPOND", "make_token", "read_token"]


def make_token(followup_id: int, purpose: str = RESPOND) -> str:
    return _sign(purpose, followup_id)


def read_token(token: str, purpose: str = RESPOND) -> int:
    max_age = current_app.config.get("FOLLOWUP_LINK_MAX_AGE_DAYS", 365) * 86400
    value = _read(purpose, token, max_age)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LinkProblem("invalid")
    return value
