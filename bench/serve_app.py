"""The app as gunicorn serves it for the benchmark: production settings, on the benchmark's database.

Not ProductionConfig itself, which rightly refuses SQLite; the differences are only these: CSRF is off
(the benchmark logs in by posting the form once), rate limits are counted per worker in memory, and
the API's limit is far above what the load reaches, so its check is timed but never refuses.
"""
from __future__ import annotations

import os

from config import Config
from impact import create_app


class ServeConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ["BENCH_SERVE_DATABASE_URL"]
    SECRET_KEY = os.environ["BENCH_SERVE_SECRET_KEY"]
    UPLOAD_FOLDER = os.environ["BENCH_SERVE_UPLOADS"]
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    API_RATE_LIMIT = "100000000 per minute"
    BASE_URL = "http://127.0.0.1"


app = create_app(ServeConfig)
