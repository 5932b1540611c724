"""Reading the page number of a paginated list from the query string."""
from __future__ import annotations

from flask import request

# Far beyond any real list; keeps a tampered ?page= from overflowing the database's integers.
MAX_PAGE = 10**6


def page_number() -> int:
    """The ?page= argument as a page number from 1 to MAX_PAGE (1 when missing or not a number)."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)
