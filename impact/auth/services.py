"""Accounts: creating users, checking logins, login sessions, signed password-reset links."""
from __future__ import annotations

import datetime as dt
import secrets
from functools import lru_cache

from flask import current_app, g
from sqlalchemy import bindparam, delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from impact.auth.models import LoginSession, User, session_key_hash
from impact.extensions import db
from impact.external_urls import external_url
from impact.mail.addresses import AddressError, normalise_address
from impact.mail.links import EmailLinks, link_maker
from impact.mail.outbox import queue_email
from impact.model_types import utcnow
from impact.signing import LinkProblem, make_token, read_token

RESET_SALT = "password-reset"


class AccountError(ValueError):
    """A problem with account data that the user can fix (shown next to the field)."""


def login_email(email: str) -> str:
    """The form of a typed email that accounts are looked up by, and login attempts counted by.

    The rate limit and the lookup must agree on it, or variants of one address (case, spaces,
    NUL bytes, full-width letters, an IDN domain in Unicode or punycode) would each get their own
    allowance of guesses at the same account. Text that is no address matches no account.
    """
    try:
        return normalise_address(email)
    except AddressError:
        return email.replace("\x00", "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == login_email(email)))


def create_user(email: str, name: str, password: str | None, *, is_admin: bool = False) -> User:
    try:
        address = normalise_address(email)
    except AddressError as exc:
        raise AccountError(str(exc)) from None
    if find_user_by_email(address) is not None:
        raise AccountError(f"A user with the email {address} already exists.")
    user = User(email=address, name=name.strip(), is_admin=is_admin)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.active or not user.password_hash:
        # Hash the guess anyway, with the configured method, so an unknown, deactivated or
        # not-yet-activated account answers as slowly as a wrong password: response time
        # must not tell whether an email has an account.
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


# Login sessions --------------------------------------------------------------------------------

def session_lifetime() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["SESSION_LIFETIME_DAYS"])


def start_session(user: User) -> None:
    """A new login session for this browser; sets user.session_key for Flask-Login to store."""
    key = secrets.token_urlsafe(24)
    db.session.add(LoginSession(user_id=user.id, key_hash=session_key_hash(key)))
    db.session.flush()
    user.session_key = key


# On a view function: LIVE_SESSION_USER with the columns the view reads first (user_for_session's read_along).
READ_WITH_USER = "read_with_user"

# Built once: every signed-in request asks, and building the statement cost as much as running it.
LIVE_SESSION_USER = (
    select(User).join(LoginSession, LoginSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), LoginSession.key_hash == bindparam("key_hash"),
           LoginSession.ended_at.is_(None), LoginSession.created_at > bindparam("since"))
)


def user_for_session(session_id: str, read_along=None, arguments: dict | None = None) -> User | None:
    """The user of a live login session named by a cookie's "id:key", in one query.

    ``read_along``: LIVE_SESSION_USER with the columns the request reads next (its parameters among
    ``arguments``), run in its place, one round trip fewer; what its other columns hold is kept for the
    request (read_along_user).
    """
    user_id, _, key = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or not key or int(user_id) > 2**31 - 1:
        return None
    parameters = {"user_id": int(user_id), "key_hash": session_key_hash(key), "since": utcnow() - session_lifetime()}
    if read_along is None:
        user = db.session.scalar(LIVE_SESSION_USER, parameters)
    else:
        row = db.session.execute(read_along, {**(arguments or {}), **parameters}).first()
        user = None if row is None else row[0]
        if user is not None:
            g.read_along_user = (read_along, user.id, tuple(row[1:]))
    if user is not None:
        user.session_key = key
    return user


def read_along_user(statement, user) -> tuple | None:
    """What the rest of ``statement`` held when it loaded ``user`` for this request (None if it did not)."""
    kept = g.pop("read_along_user", None)
    if kept is None or kept[0] is not statement or kept[1] != user.id:
        return None
    return kept[2]


def end_session(user: User) -> None:
    """End the login session this user object was loaded for (logging out)."""
    if user.session_key:
        db.session.execute(update(LoginSession).where(LoginSession.key_hash == session_key_hash(user.session_key),
                                                      LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all_sessions(user: User) -> None:
    """End every login session of the user (the password changed, or the account was deactivated)."""
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))


def purge_old_sessions(now: dt.datetime | None = None) -> dict[str, int]:
    """Due work: login sessions ended or expired over a lifetime ago are of no use to anyone."""
    cutoff = (now or utcnow()) - session_lifetime()
    removed = db.session.execute(
        delete(LoginSession).where((LoginSession.created_at < cutoff) | (LoginSession.ended_at < cutoff))
    ).rowcount
    db.session.commit()
    return {"login sessions removed": removed}


def set_password(user: User, password: str) -> None:
    """A new password: every link sent before and every browser logged in before stops working."""
    user.set_password(password)
    end_all_sessions(user)
    db.session.flush()


# Password reset and set-password links ----------------------------------------------------------

def make_reset_token(user: User) -> str:
    # The random stamp changes when the password is set, so each link works once and cannot be
    # made from the user's id alone, even by someone who knew the signing key.
    return make_token(RESET_SALT, {"uid": user.id, "stamp": user.token_stamp})


def user_for_reset_token(token: str) -> tuple[User | None, str | None]:
    """Return (user, None) for a good token, or (None, reason) for a bad one."""
    try:
        data = read_token(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    except LinkProblem as problem:
        if str(problem) == "expired":
            return None, "This reset link has expired. Ask for a new one."
        return None, "This reset link is not valid. Check you copied the whole link, or ask for a new one."
    user_id = data.get("uid") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or not secrets.compare_digest(str(data.get("stamp")), user.token_stamp):
        return None, "This reset link has already been used. Ask for a new one."
    return user, None


@link_maker("password-reset")
def reset_url(user_id: int) -> str | None:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return external_url("auth.reset_password", token=make_reset_token(user))


def send_password_reset(user: User) -> None:
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    links = EmailLinks(reset=("password-reset", user.id))
    queue_email(
        kind="password_reset",
        to=user.email,
        subject="Reset your impact password",
        body=(
            f"Hello {user.name},\n\n"
            f"To choose a new password for impact, open this link within {minutes} minutes:\n\n"
            f"{links['reset']}\n\n"
            "If you did not ask for this, ignore this email; your password stays as it is.\n"
        ),
        links=links.stored(),
    )
