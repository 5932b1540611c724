"""A whole project as one JSON document (format "impact-project", version 1), and back.

What a project holds is read off the schema, as the trash reads what hangs on a row
(impact/dependents.py): every table whose rows cascade from the project's row is exported, so a
new feature's table travels without this module knowing it. A table a project owns but that must
not travel says so in EXCLUDED; a table no project owns is in GLOBAL. tests/test_transfer.py fails
on any table that is in none of the three.

The document:

    {"format": "impact-project", "version": 1, "exported_at": "...", "project_id": 7,
     "tables": {"projects": [{...}], "levels": [...], ...},   # rows as dependents.to_json gives them
     "users": [{"id": 3, "email": "...", "name": "..."}],      # everyone a row names (authors, members)
     "files": {"<sha256>": "<base64>"}}                         # every stored file a row refers to

Importing keeps every id, so everything that names a row by id (snapshots, revisions, published
reports, trash records) still means the same row: the target database must not hold any of them
yet (a project is moved between installations, or brought back after it was deleted). People are
matched by email; someone the target does not know gets an account without a password, which
they set with "Forgot your password?". Anything wrong in the document (another format, a row of
another project, a reference to a row it does not hold, a file whose content does not match its
hash) refuses the whole import with a message, and nothing is stored.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select, text

from impact import change_counters, dependents
from impact.auth.models import User
from impact.auth.services import create_user, find_user_by_email
from impact.evidence import files
from impact.extensions import db
from impact.local_time import is_zone
from impact.model_types import utcnow
from impact.projects import stamps

FORMAT, VERSION = "impact-project", 1

# Owned by a project, but not moved with it.
EXCLUDED = {
    "invitations": "an invitation is a signed offer to one person, sent again rather than moved",
    "evidence_tallies": "counts of the evidence links, which the database's triggers make afresh as the links go in",
}
# Columns of the installation's bookkeeping, not of the project: an import gives them afresh.
NOT_MOVED = {
    "projects": {"change_stamp": "what the installation keeps pages under (impact/projects/stamps.py)"},
}
# Owned by no project.
GLOBAL = {
    "users": "people have accounts of their own; the document names those its rows refer to",
    "login_sessions": "a sign-in belongs to a browser, not to a project",
    "outbox_messages": "email sent or queued, kept for delivery and then forgotten",
    "job_runs": "the record of background work",
    "api_tokens": "a person's key to the API, for every project they are in; never handed on in a file",
    "change_counters": "counts of changes across the installation, which an import advances",
}


class ImportRefused(ValueError):
    """A document that cannot be imported, with the reason; nothing was stored."""


def project_tables() -> list[Table]:
    """The tables whose rows cascade from a project's row, parents first."""
    names = {"projects"} | {table.name for table, constraint in dependents.hanging_keys(["projects"])
                            if (constraint.ondelete or "").upper() == "CASCADE"}
    return [table for table in db.metadata.sorted_tables if table.name in names]


def _user_columns(table: Table) -> list[str]:
    return [element.parent.name for constraint in table.foreign_key_constraints
            if constraint.referred_table.name == "users" for element in constraint.elements]


def _sorted(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    key = [column.name for column in table.primary_key.columns]
    return sorted(rows, key=lambda row: tuple(row[k] for k in key))


def export_project(project_id: int) -> dict[str, Any]:
    captured = dependents.capture(["projects"], {"projects": [project_id]})
    rows = {"projects": dependents.copy_rows("projects", [project_id]), **captured["rows"]}
    tables = {table.name: _sorted(table, rows[table.name]) for table in project_tables()
              if table.name not in EXCLUDED and rows.get(table.name)}
    for name, columns in NOT_MOVED.items():
        for row in tables.get(name, []):
            for column in columns:
                row.pop(column, None)
    user_ids = {row[column] for table in project_tables() for column in _user_columns(table)
                for row in tables.get(table.name, []) if row.get(column) is not None}
    users = [{"id": user.id, "email": user.email, "name": user.name}
             for user in db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))]
    hashes = sorted({row["file_sha256"] for taken in tables.values() for row in taken if row.get("file_sha256")})
    stored = {sha: files.path_for(sha) for sha in hashes}
    return {"format": FORMAT, "version": VERSION, "exported_at": utcnow().isoformat(), "project_id": project_id,
            "tables": tables, "users": users,
            "files": {sha: base64.b64encode(path.read_bytes()).decode("ascii")
                      for sha, path in stored.items() if path.is_file()}}


# Importing -------------------------------------------------------------------------------------

def _check_shape(document: Any) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused("This is not an impact project export (its \"format\" is not \"impact-project\").")
    if document.get("version") != VERSION:
        raise ImportRefused(f"This export is version {document.get('version')!r}; this installation reads "
                            f"version {VERSION}.")
    tables = document.get("tables")
    if not isinstance(tables, dict) or not isinstance(tables.get("projects"), list) or len(tables["projects"]) != 1:
        raise ImportRefused("The export must hold exactly one project.")
    known = {table.name: table for table in project_tables() if table.name not in EXCLUDED}
    for name, rows in tables.items():
        if name not in known:
            raise ImportRefused(f"The export holds a table this installation does not know: {name!r}.")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ImportRefused(f"The rows of {name!r} are not a list of records.")
        columns = {column.name for column in known[name].columns}
        for row in rows:
            unknown = set(row) - columns
            if unknown:
                raise ImportRefused(f"A row of {name!r} has columns this installation does not know: "
                                    f"{', '.join(sorted(unknown))}.")
    project_id = tables["projects"][0].get("id")
    if not isinstance(project_id, int):
        raise ImportRefused("The project has no id.")
    # Every page of the project reads its times in this zone; a file without one (made before
    # projects had one) gets the column's default.
    zone = tables["projects"][0].get("time_zone")
    if zone is not None and not is_zone(zone):
        raise ImportRefused(f"The project's time zone {zone!r} is not one this installation knows "
                            "(an IANA name such as Europe/London).")
    return project_id, tables


def _referred_values(table: Table, column: str, tables: dict[str, list[dict[str, Any]]]) -> set:
    return {row.get(column) for row in tables.get(table.name, [])}


def _check_references(project_id: int, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Every row is the project's, and points only at rows of the document (or at people)."""
    for table in project_tables():
        rows = tables.get(table.name, [])
        if "project_id" in table.c and any(row.get("project_id") != project_id for row in rows):
            raise ImportRefused(f"A row of {table.name!r} belongs to another project.")
        for constraint in table.foreign_key_constraints:
            referred = constraint.referred_table
            if referred.name == "users":
                continue
            for element in constraint.elements:
                local, target = element.parent.name, element.column.name
                present = _referred_values(referred, target, tables)
                missing = {row.get(local) for row in rows if row.get(local) is not None} - present
                if missing:
                    raise ImportRefused(f"Rows of {table.name!r} refer to {referred.name} the export does not "
                                        f"hold (ids {', '.join(map(str, sorted(missing)[:5]))}).")


def _check_ids_free(tables: dict[str, list[dict[str, Any]]]) -> None:
    for table in project_tables():
        ids = {row.get("id") for row in tables.get(table.name, [])} - {None}
        if "id" in table.c and ids and db.session.scalar(select(table.c.id).where(table.c.id.in_(ids)).limit(1)):
            title = tables["projects"][0].get("title", "")
            raise ImportRefused(f"This database already holds rows with this export's ids, in {table.name!r}: the "
                                f"project “{title}” may be here already. Import it into another installation, "
                                "or delete that project first.")


def _people(document: dict[str, Any]) -> dict[int, int]:
    """Exported user id → the id of the account with that email here (made if there is none)."""
    mapping = {}
    for person in document.get("users") or []:
        if not isinstance(person, dict) or not isinstance(person.get("id"), int):
            raise ImportRefused("A person in the export has no id.")
        email, name = str(person.get("email") or ""), str(person.get("name") or "")
        user = find_user_by_email(email) if email else None
        if user is None:
            try:
                user = create_user(email, name or email, None)
            except Exception as problem:  # an address that is not one: the whole import is refused
                raise ImportRefused(f"A person's email is not usable: {problem}") from None
            db.session.flush()
        mapping[person["id"]] = user.id
    return mapping


def _repoint_people(tables: dict[str, list[dict[str, Any]]], people: dict[int, int]) -> None:
    for table in project_tables():
        for column in _user_columns(table):
            for row in tables.get(table.name, []):
                if row.get(column) is not None:
                    if row[column] not in people:
                        raise ImportRefused(f"A row of {table.name!r} names a person the export does not list.")
                    row[column] = people[row[column]]


def _fill_missing_columns(tables: dict[str, list[dict[str, Any]]]) -> None:
    """A file made before a column existed lacks it: the column's default stands in, as the migration
    that added the column gave the rows already stored (a project's time zone, Europe/London)."""
    for table in project_tables():
        defaults = {column.name: column.default.arg for column in table.columns
                    if column.default is not None and column.default.is_scalar}
        for row in tables.get(table.name, []):
            for name, value in defaults.items():
                row.setdefault(name, value)


def _files(document: dict[str, Any]) -> dict[str, bytes]:
    contents = {}
    for sha, encoded in (document.get("files") or {}).items():
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ImportRefused(f"The file {sha[:12]}… is not valid base64.") from None
        if hashlib.sha256(content).hexdigest() != sha:
            raise ImportRefused(f"The file {sha[:12]}… does not match its hash: the export was changed.")
        contents[sha] = content
    return contents


def _advance_sequences(names: Iterable[str]) -> None:
    """PostgreSQL hands out ids from a sequence that rows given their ids did not move: move it past them."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's AUTOINCREMENT keeps track of the largest id by itself
    for name in names:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"))


def import_project(document: Any) -> int:
    """Store the project the document holds, under its own ids; returns its id. The caller commits."""
    project_id, tables = _check_shape(document)
    _check_references(project_id, tables)
    contents = _files(document)
    _check_ids_free(tables)
    tables = {name: [dict(row) for row in rows] for name, rows in tables.items()}
    _fill_missing_columns(tables)
    for row in tables.get("projects", []):
        row["change_stamp"] = stamps.fresh_stamp()  # never one its id was kept under before
    _repoint_people(tables, _people(document))
    for sha, content in contents.items():
        path = files.path_for(sha)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)  # content-addressed: if the import fails, the sweep removes it
    if dependents.put_back(tables):
        raise ImportRefused("Some rows of the export could not be stored.")
    _advance_sequences(table.name for table in project_tables()
                       if "id" in table.c and tables.get(table.name) and table.c.id.autoincrement)
    change_counters.advance_all()  # the rows went in without the ORM, which counts changes at each flush
    db.session.flush()
    return project_id
