"""A whole project as one JSON document, and back: export then import gives the same project."""
from __future__ import annotations

import base64
import copy
import hashlib
import json

import pytest
from sqlalchemy import func, select, text

from impact.evidence import files
from impact.evidence.models import EvidenceItem
from impact.extensions import db as _db
from impact.projects.models import Project
from impact.toc.models import Step
from impact.transfer.document import EXCLUDED, GLOBAL, ImportRefused, export_project, import_project, project_tables
from tests import factories, test_cli_processes
from tests.test_cli_processes import succeeded

migrated, site = test_cli_processes.migrated, test_cli_processes.site
CONTENT = b"The carers' voices report\n"


def _demo(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    project = _db.session.scalar(select(Project))
    # Give one item a file, so the round trip carries files too.
    sha = hashlib.sha256(CONTENT).hexdigest()
    files.path_for(sha).parent.mkdir(parents=True, exist_ok=True)
    files.path_for(sha).write_bytes(CONTENT)
    item = _db.session.scalar(select(EvidenceItem).where(EvidenceItem.project_id == project.id)
                              .order_by(EvidenceItem.id))
    item.file_name, item.file_sha256, item.file_size, item.file_type = "report.txt", sha, len(CONTENT), "text/plain"
    _db.session.commit()
    return project


def _same(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "exported_at"}


def test_every_table_is_exported_excluded_or_owned_by_no_project(app):
    exported = {table.name for table in project_tables()}
    every = set(_db.metadata.tables)
    unaccounted = every - exported - set(GLOBAL)
    assert not unaccounted, f"tables neither exported, excluded nor global: {sorted(unaccounted)}"
    assert set(EXCLUDED) <= exported and not set(GLOBAL) & exported
    assert {"steps", "action_cards", "responses", "evidence_links", "assessments", "claim_tests", "story_snapshots",
            "research_updates", "meeting_quotes", "published_reports", "trash_records"} <= exported


def test_export_then_import_gives_the_same_project_files_included(app, db):
    project = _demo(app)
    before = export_project(project.id)
    assert len(before["tables"]) > 30 and before["files"] == {
        hashlib.sha256(CONTENT).hexdigest(): base64.b64encode(CONTENT).decode()}
    counts = {name: len(rows) for name, rows in before["tables"].items()}
    assert counts["evidence_items"] > 40 and counts["meeting_quotes"] == 10 and counts["published_reports"] == 1

    _db.session.delete(project)
    _db.session.commit()
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0
    files.path_for(hashlib.sha256(CONTENT).hexdigest()).unlink()

    if _db.engine.dialect.name == "postgresql":
        # As in a new installation, whose sequences have handed out no ids yet.
        for table in ("projects", "steps", "evidence_items"):
            _db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)"))
        _db.session.commit()

    document = json.loads(json.dumps(before))  # as it travels: through a file
    assert import_project(document) == before["project_id"]
    _db.session.commit()
    after = export_project(before["project_id"])
    assert _same(after) == _same(before)
    assert files.path_for(hashlib.sha256(CONTENT).hexdigest()).read_bytes() == CONTENT
    # New rows after an import take new ids, not the imported ones.
    assert factories.chain_project().id != before["project_id"]


def _refused(document, message: str) -> None:
    before = _db.session.scalar(select(func.count()).select_from(Project))
    with pytest.raises(ImportRefused, match=message):
        import_project(document)
    _db.session.rollback()
    assert _db.session.scalar(select(func.count()).select_from(Project)) == before


def test_a_wrong_tampered_or_foreign_document_is_refused_and_changes_nothing(app, db):
    project = _demo(app)
    other = factories.chain_project()
    document = export_project(project.id)
    _refused(document, "already holds rows with this export's ids")  # it is still here
    _db.session.delete(_db.session.get(Project, project.id))
    _db.session.commit()

    _refused({"format": "something else"}, "not an impact project export")
    _refused({**document, "version": 2}, "version 2")
    tampered = copy.deepcopy(document)
    tampered["tables"]["steps"][0]["project_id"] = other.id
    _refused(tampered, "belongs to another project")
    foreign = copy.deepcopy(document)
    other_step = _db.session.scalar(select(func.min(Step.id)).where(Step.project_id == other.id))
    link = next(row for row in foreign["tables"]["evidence_links"] if row["step_id"])
    link["step_id"] = other_step
    _refused(foreign, "refer to steps the export does not hold")
    changed = copy.deepcopy(document)
    sha = next(iter(changed["files"]))
    changed["files"][sha] = base64.b64encode(b"something else").decode()
    _refused(changed, "does not match its hash")
    unknown = copy.deepcopy(document)
    unknown["tables"]["secret_table"] = []
    _refused(unknown, "does not know")
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0

    import_project(document)  # the untouched document still imports
    _db.session.commit()
    assert _db.session.get(Project, project.id).title == document["tables"]["projects"][0]["title"]


def test_people_are_matched_by_email_and_new_ones_get_an_account_without_a_password(app, db):
    from impact.auth.models import User

    project = _demo(app)
    document = export_project(project.id)
    _db.session.delete(_db.session.get(Project, project.id))
    funder = _db.session.scalar(select(User).where(User.email == "funder@demo.example.org"))
    _db.session.delete(funder)
    _db.session.commit()
    import_project(document)
    _db.session.commit()
    funder = _db.session.scalar(select(User).where(User.email == "funder@demo.example.org"))
    assert funder is not None and not funder.password_hash
    lead = _db.session.scalar(select(User).where(User.email == "lead@demo.example.org"))
    assert lead.check_password("demo-password")  # the same account as before, not a copy


def test_export_and_import_run_as_commands(site, tmp_path):
    succeeded(site.flask("demo", "load", *site.demo_flags))
    with site.app.app_context():
        project_id = _db.session.scalar(select(Project.id))
        _db.session.remove()
    path = tmp_path / "project.json"
    exported = site.flask("export", "project", str(project_id), "-o", str(path))
    succeeded(exported)
    document = json.loads(path.read_text())
    assert document["format"] == "impact-project" and document["version"] == 1
    again = site.flask("import", "project", str(path))
    assert again.returncode == 1 and "Nothing was imported" in again.stderr and "already" in again.stderr
    with site.app.app_context():
        _db.session.delete(_db.session.get(Project, project_id))
        _db.session.commit()
        _db.session.remove()
    imported = site.flask("import", "project", str(path))
    succeeded(imported)
    assert "Imported project" in imported.stdout
    second = tmp_path / "again.json"
    succeeded(site.flask("export", "project", str(project_id), "-o", str(second)))
    assert _same(json.loads(second.read_text())) == _same(document)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    refused = site.flask("import", "project", str(broken))
    assert refused.returncode == 1 and "not a JSON file" in refused.stderr


def test_the_project_travels_with_its_time_zone_and_an_unknown_zone_is_refused(app, db):
    project = factories.chain_project()
    project.time_zone = "Asia/Tokyo"
    _db.session.commit()
    document = export_project(project.id)
    assert document["tables"]["projects"][0]["time_zone"] == "Asia/Tokyo"
    _db.session.delete(project)
    _db.session.commit()

    unknown = copy.deepcopy(document)
    unknown["tables"]["projects"][0]["time_zone"] = "Mars/Olympus"
    _refused(unknown, "time zone 'Mars/Olympus' is not one this installation knows")
    older = copy.deepcopy(document)  # made before projects had a time zone
    del older["tables"]["projects"][0]["time_zone"]
    import_project(older)
    _db.session.commit()
    assert _db.session.get(Project, document["project_id"]).time_zone == "Europe/London"
