"""Permission cases for a project's export and import, and its data as files (see permission_cases/__init__)."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from impact import dependents
from impact.extensions import db as _db
from impact.projects.models import Project
from impact.projects.permissions import Need
from impact.transfer.document import FORMAT, VERSION
from tests.permission_cases import CREATOR, UPLOAD, Case, get, post

CASES: list[Case] = [
    get("transfer.export", "/projects/{p}/export.json", Need.MANAGE),
    get("transfer.import_page", "/projects/import", CREATOR),
    post("transfer.import_page", "/projects/import", CREATOR, file=UPLOAD + "project.json:{tr_document}"),
    # The project's data as files: people's emails and words, so the team's, like the cards pages.
    get("reports.data_index", "/projects/{p}/data/", Need.EDIT),
    get("reports.data_csv", "/projects/{p}/data/cards.csv", Need.EDIT),
    get("reports.data_xlsx", "/projects/{p}/data.xlsx", Need.EDIT),
]


def furnish(project, step) -> None:
    """Nothing: the document to import is made by world()."""


def world(project) -> dict[str, object]:
    """A project of one row under an id no project has: what an allowed import stores."""
    row = dependents.copy_rows("projects", [project.id])[0]
    row.update(id=project.id + 100000, title="Imported project")
    return {"tr_document": json.dumps({"format": FORMAT, "version": VERSION, "project_id": row["id"],
                                       "tables": {"projects": [row]}, "users": [], "files": {}})}


def state(project) -> tuple:
    return (_db.session.scalar(select(func.count()).select_from(Project)),)
