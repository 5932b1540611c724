"""Settings, read from environment variables only (see README, "Settings")."""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy 2 wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'impact.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "impact@example.org")

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024)))
    # One evidence file; below MAX_CONTENT_LENGTH so an oversized file gets a message beside the field.
    EVIDENCE_FILE_MAX_BYTES = int(os.environ.get("EVIDENCE_FILE_MAX_BYTES", str(10 * 1024 * 1024)))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")  # per address and account
    LOGIN_NETWORK_RATE_LIMIT = os.environ.get("LOGIN_NETWORK_RATE_LIMIT", "60 per minute; 600 per hour")
    # Card links and follow-up forms need no account, so they are limited per address.
    PUBLIC_FORM_RATE_LIMIT = os.environ.get("PUBLIC_FORM_RATE_LIMIT", "20 per minute; 200 per hour")
    FOLLOWUP_LINK_MAX_AGE_DAYS = int(os.environ.get("FOLLOWUP_LINK_MAX_AGE_DAYS", "365"))
    # How many reverse proxies in front of the app to trust for X-Forwarded-For/-Proto. 0 trusts
    # none: behind a proxy every visitor would then share the proxy's address (and its rate
    # limit), but without a proxy a trusted header would let anyone pick their own address.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session: long forms must not expire mid-entry

    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's memory-hard default
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds an emailed reset link stays valid
    ITEMS_PER_PAGE = 50


class DevelopmentConfig(Config):
    DEBUG = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # the test fixtures point this at the database under test
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # the rate-limit test switches it back on
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast on purpose: tests log in hundreds of times
    MAIL_SERVER = None
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with settings that are only safe on a laptop."""
        problems = []
        if not os.environ.get("SECRET_KEY"):
            problems.append("SECRET_KEY is not set")
        url = os.environ.get("DATABASE_URL", "")
        if not url or url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at a PostgreSQL server")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
