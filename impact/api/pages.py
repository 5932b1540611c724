"""Lists come a page at a time: the page's rows and a count, two queries whatever the list's length."""
from __future__ import annotations

from impact.extensions import db


def page_of_rows(query, args: dict, present) -> dict:
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": present(list(page.items)), "page": page.page, "per_page": page.per_page,
            "pages": page.pages, "total": page.total}
