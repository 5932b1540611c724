"""Accounts: creating users, checking logins, signed password-reset links."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from impact.auth.models import User
from impact.extensions import db
from impact.mail.outbox import queue_email
from impact.model_types import utcnow

RESET_SALT = "password-reset"


class AccountError(ValueError):
    """A problem with account data that the user can fix (shown next to the field)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str | None, *, is_admin: bool = False) -> User:
    if find_user_by_email(email) is not None:
        raise AccountError(f"A user with the email {normalise_email(email)} already exists.")
    user = User(email=normalise_email(email), name=name.strip(), is_admin=is_admin)
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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_stamp(user: User) -> str:
    # Part of the token: once the password changes, every earlier link stops working.
    return user.password_changed_at.isoformat() if user.password_changed_at else "never"


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "stamp": _password_stamp(user)})


def user_for_reset_token(token: str) -> tuple[User | None, str | None]:
    """Return (user, None) for a good token, or (None, reason) for a bad one."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        return None, "This reset link has expired. Ask for a new one."
    except BadSignature:
        return None, "This reset link is not valid. Check you copied the whole link, or ask for a new one."
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("stamp") != _password_stamp(user):
        return None, "This reset link has already been used. Ask for a new one."
    return user, None


def send_password_reset(user: User) -> None:
    link = current_app.config["BASE_URL"] + url_for("auth.reset_password", token=make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_email(
        kind="password_reset",
        to=user.email,
        subject="Reset your impact password",
        body=(
            f"Hello {user.name},\n\n"
            f"To choose a new password for impact, open this link within {minutes} minutes:\n\n"
            f"{link}\n\n"
            "If you did not ask for this, ignore this email; your password stays as it is.\n"
        ),
    )
