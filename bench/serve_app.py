"""The app as gunicorn serves it for the benchmark: production settings, on the benchmark's database.

Not ProductionConfig itself, which rightly refuses SQLite; the differences are only these: CSRF is off
(the benchmark logs in by posting the form once) unless BENCH_SERVE_CSRF=1 (bench/respond.py posts the
follow-up form with its token), rate limits are counted per worker in memory, and the API's and the
public forms' limits are far above what the load reaches, so their checks are timed but never refuse.
"""
from __future__ import annotations

import gc
import os

from config import Config
from impact import create_app


class ServeConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ["BENCH_SERVE_DATABASE_URL"]
    SECRET_KEY = os.environ["BENCH_SERVE_SECRET_KEY"]
    UPLOAD_FOLDER = os.environ["BENCH_SERVE_UPLOADS"]
    WTF_CSRF_ENABLED = os.environ.get("BENCH_SERVE_CSRF") == "1"
    RATELIMIT_STORAGE_URI = "memory://"
    API_RATE_LIMIT = "100000000 per minute"
    PUBLIC_FORM_RATE_LIMIT = "100000000 per minute"  # the follow-up form posted under load from one address
    BASE_URL = "http://127.0.0.1"


app = create_app(ServeConfig)
gc.collect()
gc.freeze()  # as wsgi.py does
