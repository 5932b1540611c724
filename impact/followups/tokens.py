"""Personal links in follow-up emails: signed, expiring, no account needed; and the answer form's CSRF token."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_wtf.csrf import CSRFError

from impact.signing import LinkProblem
from impact.signing import make_token as _sign
from impact.signing import read_token as _read

RESPOND = "followup-response"
OPT_OUT = "followup-opt-out"
_FORM = b"followup-response-form\x00"  # what the form token signs besides the link: no other HMAC of it

__all__ = ["LinkProblem", "OPT_OUT", "RESPOND", "check_form_token", "form_token", "make_token", "read_token"]


def make_token(followup_id: int, purpose: str = RESPOND) -> str:
    return _sign(purpose, followup_id)


def read_token(token: str, purpose: str = RESPOND) -> int:
    max_age = current_app.config.get("FOLLOWUP_LINK_MAX_AGE_DAYS", 365) * 86400
    value = _read(purpose, token, max_age)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LinkProblem("invalid")
    return value


def form_token(link: str) -> str:
    """The answer form's CSRF token: an HMAC, under the app's secret key, of the signed link it is posted to.

    Respondents arrive without a cookie; a token kept in a session made each of their visits start one
    (and send it back as a cookie). This one needs nothing stored: only who holds the link (and so can open
    the form) can send it, and it is no use on another respondent's link.
    """
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, _FORM + link.encode(), hashlib.sha256).hexdigest()


def check_form_token(link: str, sent: str | None) -> None:
    """Refuse (CSRFError: the "Form expired" page, as for every other form) an answer without the form's token."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if not sent or not hmac.compare_digest(sent.encode(), form_token(link).encode()):
        raise CSRFError("The CSRF token is missing or does not match the link.")
