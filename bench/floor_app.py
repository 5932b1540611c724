"""The framework's floor, served like the app: a bare Flask page, and one that runs one SQL query.

The query reads one project's title by id through SQLAlchemy on the benchmark's database, as the
cheapest real page would; the app's pages are read as multiples of its rate.
"""
from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["BENCH_SERVE_DATABASE_URL"])


@app.get("/plain")
def plain():
    return "ok"


@app.get("/query")
def query():
    with engine.connect() as connection:
        title = connection.execute(text("SELECT title FROM projects WHERE id = :id"), {"id": 1}).scalar()
    return title or ""
