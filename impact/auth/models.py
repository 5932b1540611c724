"""User accounts."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String, false, func, true
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
    # Bumped whenever the password changes: invalidates reset links already sent.
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def session_stamp(self) -> str:
        """Short keyed digest of the password hash: changes whenever the password does.

        Keyed with SECRET_KEY because the session cookie is signed, not encrypted, so its
        contents are readable; a plain digest would hand out something derived from the hash.
        """
        key = current_app.config["SECRET_KEY"].encode()
        message = b"session-stamp:" + (self.password_hash or "").encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the remember cookie: carrying the stamp
        # means a password change or reset logs out every other browser (see load_user).
        return f"{self.id}:{self.session_stamp}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"
