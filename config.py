"""Settings, read from environment variables only (see README, "Settings")."""
from __future__ import annotations

import datetime as dt
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


# Published in this repository, so it signs nothing outside a developer's laptop.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
MIN_SECRET_KEY_BYTES = 32


class Config:
    ENVIRONMENT = "production"  # each environment's class below says which it is
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'impact.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DATABASE_PING_AFTER_IDLE_SECONDS = 10  # a pooled connection idle this long is checked before use
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")  # STARTTLS on a plain connection (usually port 587)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")  # implicit TLS from the first byte (usually port 465)
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "465" if MAIL_USE_SSL else "25"))
    # A PEM bundle of the CAs that may sign the relay's certificate, instead of the system's.
    MAIL_CA_FILE = os.environ.get("MAIL_CA_FILE") or None
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "impact@example.org")
    # `flask mail receive`: the largest message taken (bigger ones are refused unread), and the address
    # practitioners write updates to (reminders reply to it, with a signed tag: updates+TAG@...).
    MAIL_RECEIVE_MAX_BYTES = int(os.environ.get("MAIL_RECEIVE_MAX_BYTES", str(25 * 1024 * 1024)))
    RESEARCH_UPDATE_ADDRESS = os.environ.get("RESEARCH_UPDATE_ADDRESS", "")

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024)))
    # One evidence file; below MAX_CONTENT_LENGTH so an oversized file gets a message beside the field.
    EVIDENCE_FILE_MAX_BYTES = int(os.environ.get("EVIDENCE_FILE_MAX_BYTES", str(10 * 1024 * 1024)))
    # A meeting's audio recording: two hours of speech at 128 kbit/s is about 115 MB.
    RECORDING_FILE_MAX_BYTES = int(os.environ.get("RECORDING_FILE_MAX_BYTES", str(200 * 1024 * 1024)))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")  # per address and account
    LOGIN_NETWORK_RATE_LIMIT = os.environ.get("LOGIN_NETWORK_RATE_LIMIT", "60 per minute; 600 per hour")
    # Rendered parts of pages that change rarely (a published report, a portfolio), under keys that name
    # everything they show. Each worker keeps its own by default; CACHE_REDIS_URL shares one between them.
    CACHE_TYPE = "RedisCache" if os.environ.get("CACHE_REDIS_URL") else "SimpleCache"
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "64"))  # entries per worker (SimpleCache)
    CACHE_DEFAULT_TIMEOUT = 24 * 3600
    CACHE_KEY_PREFIX = "impact:"
    # API requests per person, whichever of their tokens they use (without a valid token: per address).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute; 5000 per hour")
    # Card links and follow-up forms need no account, so they are limited per address.
    PUBLIC_FORM_RATE_LIMIT = os.environ.get("PUBLIC_FORM_RATE_LIMIT", "20 per minute; 200 per hour")
    FOLLOWUP_LINK_MAX_AGE_DAYS = int(os.environ.get("FOLLOWUP_LINK_MAX_AGE_DAYS", "365"))
    # Sent, bounced and failed messages lose their bodies after this many days (the row stays).
    OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
    # The outbox page shows working links only in development without a mail server, where
    # it is the only mailbox there is (impact/mail/links.py).
    OUTBOX_SHOWS_LINKS = False
    # How many reverse proxies in front of the app to trust for X-Forwarded-For/-Proto. 0 trusts
    # none: behind a proxy every visitor would then share the proxy's address (and its rate
    # limit), but without a proxy a trusted header would let anyone pick their own address.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A login (and its "keep me logged in" cookie) ends on the server after this many days.
    SESSION_LIFETIME_DAYS = int(os.environ.get("SESSION_LIFETIME_DAYS", "30"))
    INVITATION_MAX_AGE_DAYS = int(os.environ.get("INVITATION_MAX_AGE_DAYS", "14"))
    REMEMBER_COOKIE_DURATION = dt.timedelta(days=SESSION_LIFETIME_DAYS)
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session: long forms must not expire mid-entry

    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's memory-hard default
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds an emailed reset link stays valid
    ITEMS_PER_PAGE = 50
    # Times are stored in UTC and shown in the project's own time zone; pages about no project
    # (admin, outbox, account) show them in this one, and new projects start in it.
    DEFAULT_TIME_ZONE = os.environ.get("DEFAULT_TIME_ZONE", "Europe/London")


class DevelopmentConfig(Config):
    ENVIRONMENT = "development"
    DEBUG = True
    OUTBOX_SHOWS_LINKS = True


class TestConfig(Config):
    ENVIRONMENT = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # the test fixtures point this at the database under test
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # the rate-limit test switches it back on
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast on purpose: tests log in hundreds of times
    MAIL_SERVER = None
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENVIRONMENT = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with settings that are only safe on a laptop."""
        problems = []
        key = os.environ.get("SECRET_KEY", "")
        if not key:
            problems.append("SECRET_KEY is not set")
        elif key == DEV_SECRET_KEY:
            problems.append("SECRET_KEY is the published development key")
        elif len(key.encode()) < MIN_SECRET_KEY_BYTES:
            problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes")
        if not os.environ.get("RATELIMIT_STORAGE_URI"):
            # Each gunicorn worker would count on its own, multiplying every limit by the workers.
            problems.append("RATELIMIT_STORAGE_URI is not set (redis://localhost:6379 to share the rate limits "
                            "between workers, or memory:// for a single worker)")
        if not os.environ.get("BASE_URL"):
            # Every emailed link is built from it; the default would mail links to 127.0.0.1.
            problems.append("BASE_URL is not set (the site's address, e.g. https://impact.example.org, used in "
                            "every emailed link)")
        url = os.environ.get("DATABASE_URL", "")
        if not url or url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at a PostgreSQL server")
        if _bool("MAIL_USE_TLS") and _bool("MAIL_USE_SSL"):
            problems.append("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL (implicit TLS) are both set; choose one")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
