"""Lists come a page at a time: the page's rows and a count, two queries whatever the list's length.

The first pages of a project's whole list (no filters, a standard page size) are kept as their JSON
until the project changes, as the pages' lists are (impact/projects/kept.py): a client that syncs a
project reads those again and again, and most of a page's time is the rows made into JSON.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app, request

from impact.api.schemas import PER_PAGE_DEFAULT, PER_PAGE_MAX
from impact.extensions import db
from impact.projects.kept import KEPT_PAGES, kept_data
from impact.projects.models import Project

KEPT_PER_PAGE = (PER_PAGE_DEFAULT, PER_PAGE_MAX)


def page_of_rows(query, args: dict, present) -> dict:
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": present(list(page.items)), "page": page.page, "per_page": page.per_page,
            "pages": page.pages, "total": page.total}


def kept_page_of_rows(project: Project, schema: type[ma.Schema], query, args: dict, present) -> dict | Response:
    """page_of_rows, answered from the cache when it is one of the project's first KEPT_PAGES of the whole
    list at a standard size (a filtered or far page is made each time: those would fill the cache)."""
    filtered = any(value for name, value in args.items() if name not in ("page", "per_page"))
    if filtered or args["page"] > KEPT_PAGES or args["per_page"] not in KEPT_PER_PAGE:
        return page_of_rows(query, args, present)

    def as_json() -> bytes:
        return current_app.json.response(schema().dump(page_of_rows(query, args, present))).get_data()

    name = f"api:{request.endpoint}:{sorted(request.view_args.items())}:{args['page']}:{args['per_page']}"
    return Response(kept_data(name, project, as_json), mimetype=current_app.json.mimetype)
