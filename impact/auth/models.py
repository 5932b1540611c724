"""User accounts."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from impact.extensions import db
from impact.model_types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from impact.projects.models import Membership


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased so uniqueness is case-insensitive on every backend.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Random, part of every reset and set-password link, and replaced whenever the password is set:
    # a link cannot be forged from the user's id and dates alone, and each one works once.
    token_stamp: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    # Site admins may always create projects; other accounts only when an admin allows it.
    can_create_projects: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # The key of the login session this object was loaded for (see LoginSession); not a column.
    session_key = None

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.password_changed_at = utcnow()
        self.token_stamp = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def may_create_projects(self) -> bool:
        return self.is_admin or self.can_create_projects

    def get_id(self) -> str:
        # Flask-Login keeps this in the session cookie and the remember cookie. The key names a
        # LoginSession row, so logging out (or a password change) ends the cookie on the server too.
        if not self.session_key:
            raise RuntimeError("log in through auth.services.start_session, which gives the session its key")
        return f"{self.id}:{self.session_key}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def session_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class LoginSession(db.Model):
    """One browser's login, so a session can be ended on the server (logout, password change).

    The cookie is signed but readable, so only a digest of its key is stored here: a copy of
    the database does not let anyone take over a session.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
