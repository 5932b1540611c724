"""Files attached to evidence: checked on the server, stored once by content, served only to members."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from impact.evidence import files
from impact.evidence import services as library
from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from tests import factories

FORM = {"kind": "document", "title": "Good practice guide", "evidence_date": "2012-01-31",
        "partner_group": "academic", "source": "Project report", "summary": "The guide"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def _listing(app) -> set[str]:
    """Everything under UPLOAD_FOLDER, temporary files included."""
    root = _folder(app)
    return {str(path.relative_to(root)) for path in root.rglob("*")} if root.exists() else set()


def _post(client, project, name, content, **extra):
    data = {**FORM, **extra, "file": (io.BytesIO(content), name)}
    return client.post(f"/projects/{project.id}/evidence/new", data=data, content_type="multipart/form-data")


def _items() -> list[EvidenceItem]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)))


def _age(path: Path, hours: float = 2) -> None:
    """Make a file look untouched for a while, as the sweep judges by modification time."""
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


@pytest.fixture
def own_folder(app, tmp_path):
    """An UPLOAD_FOLDER of this test's own, so the sweep's counts see only this test's files."""
    saved = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield Path(app.config["UPLOAD_FOLDER"])
    app.config["UPLOAD_FOLDER"] = saved


def _store(content: bytes, name: str = "notes.txt") -> files.StoredFile:
    return files.store_upload(FileStorage(io.BytesIO(content), name))


@pytest.fixture
def small_limit(app):
    saved = app.config.get("EVIDENCE_FILE_MAX_BYTES")
    app.config["EVIDENCE_FILE_MAX_BYTES"] = 1000
    yield 1000
    if saved is None:
        app.config.pop("EVIDENCE_FILE_MAX_BYTES")
    else:
        app.config["EVIDENCE_FILE_MAX_BYTES"] = saved


def test_member_downloads_the_file_and_outsiders_do_not(app, client, project, login_as):
    login_as("co_researcher", project)
    content = "Attendance: 42 practitioners from 6 councils\n".encode()
    response = _post(client, project, "../../attendance figures.txt", content)
    assert response.status_code == 302
    [item] = _items()
    sha = hashlib.sha256(content).hexdigest()
    assert (item.file_name, item.file_sha256, item.file_size) == ("attendance figures.txt", sha, len(content))
    assert (_folder(app) / sha[:2] / sha).read_bytes() == content
    page = client.get(f"/projects/{project.id}/evidence/{item.id}").get_data(as_text=True)
    assert f"/evidence/{item.id}/file" in page and "attendance figures.txt" in page and f"{len(content)} bytes" in page

    download = client.get(f"/projects/{project.id}/evidence/{item.id}/file")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "attendance figures.txt" in download.headers["Content-Disposition"]
    assert download.mimetype == "text/plain"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Office PCs are shared: neither a shared cache nor the browser's own may keep a copy.
    cache_control = download.headers["Cache-Control"]
    assert cache_control == "private, no-store" and "no-cache" not in cache_control
    again = client.get(f"/projects/{project.id}/evidence/{item.id}/file", headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "private, no-store"

    for role in ("outsider", "anonymous"):
        other = app.test_client()
        if role == "outsider":
            user = factories.user_with_role("outsider", None)
            other.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        response = other.get(f"/projects/{project.id}/evidence/{item.id}/file")
        assert response.status_code == (404 if role == "outsider" else 302)
        assert content not in response.data


def test_served_type_comes_from_our_list_not_the_client(client, project, login_as):
    login_as("lead", project)
    data = {**FORM, "file": (io.BytesIO(PDF), "guide.pdf", "text/html")}
    assert client.post(f"/projects/{project.id}/evidence/new", data=data,
                       content_type="multipart/form-data").status_code == 302
    [item] = _items()
    download = client.get(f"/projects/{project.id}/evidence/{item.id}/file")
    assert download.mimetype == "application/pdf" and download.data == PDF


@pytest.mark.parametrize(("name", "content", "message"), [
    ("setup.exe", b"MZ\x90\x00 executable", "This type of file is not accepted"),
    ("guide.pdf", b"<html><script>alert(1)</script></html>", "not a real .pdf file"),
    ("report.docx", b"%PDF-1.4 not a zip", "not a real .docx file"),
    ("photo.png", b"\xff\xd8\xff\xe0 a jpeg", "not a real .png file"),
    ("notes.txt", b"caf\xe9 in latin-1", "must be saved as UTF-8"),
    ("data.csv", b"a,b\n1,\x00\n", "not plain text"),
    ("no_extension", b"hello", "This type of file is not accepted"),
    ("empty.txt", b"", "The file is empty"),
])
def test_refused_types_leave_nothing_behind(app, client, project, login_as, name, content, message):
    login_as("lead", project)
    before = _listing(app)
    response = _post(client, project, name, content)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and message in page
    assert 'value="Good practice guide"' in page  # the other values are kept
    assert _items() == []
    assert _listing(app) == before


def test_too_large_is_refused_and_leaves_nothing_behind(app, client, project, login_as, small_limit):
    login_as("lead", project)
    before = _listing(app)
    response = _post(client, project, "big.txt", b"x" * (small_limit + 1))
    assert response.status_code == 400
    assert "The file is too large: the limit is 1000 bytes" in response.get_data(as_text=True)
    assert _items() == []
    assert _listing(app) == before
    # Exactly at the limit is fine.
    assert _post(client, project, "fits.txt", b"y" * small_limit).status_code == 302


def test_same_content_is_stored_once(app, client, project, login_as):
    login_as("lead", project)
    before = _listing(app)
    assert _post(client, project, "guide.pdf", PDF).status_code == 302
    assert _post(client, project, "guide-copy.pdf", PDF, title="Same guide again").status_code == 302
    first, second = _items()
    assert first.file_sha256 == second.file_sha256 and second.file_name == "guide-copy.pdf"
    assert _listing(app) - before == {first.file_sha256[:2], f"{first.file_sha256[:2]}/{first.file_sha256}"} - before


def test_replace_and_remove_a_file_on_edit(app, client, project, login_as, own_folder):
    login_as("lead", project)
    assert _post(client, project, "one.txt", b"first version\n").status_code == 302
    [item] = _items()
    old_path = files.path_for(item.file_sha256)
    edit = f"/projects/{project.id}/evidence/{item.id}/edit"
    response = client.post(edit, content_type="multipart/form-data",
                           data={**FORM, "version": str(item.version), "file": (io.BytesIO(b"second\n"), "two.txt")})
    assert response.status_code == 302
    [item] = _items()
    assert item.file_name == "two.txt" and files.path_for(item.file_sha256).read_bytes() == b"second\n"
    # No other item uses the old file, but it stays until the sweep: an upload of the same content
    # may have just found it and not yet saved its item.
    assert old_path.read_bytes() == b"first version\n"
    new_path = files.path_for(item.file_sha256)
    response = client.post(edit, data={**FORM, "version": str(item.version), "remove_file": "y"})
    assert response.status_code == 302
    [item] = _items()
    assert (item.file_name, item.file_sha256, item.file_size) == ("", None, None)
    assert client.get(f"/projects/{project.id}/evidence/{item.id}/file").status_code == 404
    assert new_path.exists()
    assert files.sweep_unused_files()["unused files removed"] == 0  # both still too young
    assert old_path.exists() and new_path.exists()
    _age(old_path)
    _age(new_path)
    files.sweep_unused_files()
    assert not old_path.exists() and not new_path.exists()


def test_a_file_shared_by_another_item_is_kept_when_one_drops_it(app, client, project, login_as):
    login_as("lead", project)
    _post(client, project, "guide.pdf", PDF)
    _post(client, project, "guide.pdf", PDF, title="Second")
    first, second = _items()
    response = client.post(f"/projects/{project.id}/evidence/{first.id}/edit",
                           data={**FORM, "version": str(first.version), "remove_file": "y"})
    assert response.status_code == 302
    assert files.path_for(second.file_sha256).read_bytes() == PDF
    assert client.get(f"/projects/{project.id}/evidence/{second.id}/file").data == PDF


def test_a_failed_save_removes_the_new_file(app, project):
    before = _listing(app)
    stored = files.store_upload(FileStorage(io.BytesIO(b"orphan to be\n"), "orphan.txt"))
    assert files.path_for(stored.sha256).exists()
    values = {"kind": EvidenceKind.DOCUMENT, "title": "", "evidence_date": dt.date(2012, 1, 1),
              "partner_group": PartnerGroup.OTHER}
    with pytest.raises(IntegrityError), files.kept_only_if_saved(stored):
        library.create_item(project, None, values, stored)  # an empty title breaks a CHECK constraint
    assert not files.path_for(stored.sha256).exists()
    assert _listing(app) - before <= {stored.sha256[:2]}  # at most the emptied folder
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_deleted_items_file_is_not_served(client, project, login_as):
    login_as("lead", project)
    _post(client, project, "guide.pdf", PDF)
    [item] = _items()
    assert client.post(f"/projects/{project.id}/evidence/{item.id}/delete").status_code == 302
    assert client.get(f"/projects/{project.id}/evidence/{item.id}/file").status_code == 404
    assert files.path_for(item.file_sha256).exists()  # kept: the item can be restored


def test_an_item_of_another_project_is_not_found(client, project, login_as):
    user = login_as("lead", project)
    _post(client, project, "guide.pdf", PDF)
    [item] = _items()
    other = factories.chain_project(lead=user)  # a member of both: only the item lookup can refuse
    assert client.get(f"/projects/{other.id}/evidence/").status_code == 200
    assert client.get(f"/projects/{other.id}/evidence/{item.id}/file").status_code == 404


def test_sweep_removes_only_old_unused_files_and_old_temporary_files(app, project, own_folder):
    live, trashed, unused_old, unused_young = (_store(f"file {n}\n".encode()) for n in range(4))
    values = {"kind": EvidenceKind.DOCUMENT, "evidence_date": dt.date(2012, 1, 1), "partner_group": PartnerGroup.OTHER}
    library.create_item(project, None, {**values, "title": "Live"}, live)
    library.delete_item(library.create_item(project, None, {**values, "title": "In the trash"}, trashed), None)
    _db.session.commit()
    old_temp, young_temp = own_folder / f"{files.TEMP_PREFIX}crashed", own_folder / f"{files.TEMP_PREFIX}in-flight"
    old_temp.write_bytes(b"half an upload")
    young_temp.write_bytes(b"an upload going on")
    stray = own_folder / "README"  # not ours to judge: left alone
    stray.write_text("notes by the administrator")
    for stored in (live, trashed, unused_old):
        _age(files.path_for(stored.sha256))
    _age(old_temp)
    _age(stray)

    assert files.sweep_unused_files() == {"unused files removed": 1, "temporary files removed": 1}
    assert not files.path_for(unused_old.sha256).exists()
    assert files.path_for(unused_young.sha256).read_bytes() == b"file 3\n"
    assert files.path_for(live.sha256).read_bytes() == b"file 0\n"
    assert files.path_for(trashed.sha256).read_bytes() == b"file 1\n"  # the item can still be restored
    assert not old_temp.exists() and young_temp.exists() and stray.exists()
    # A shorter grace period is honoured too.
    assert files.sweep_unused_files(grace=dt.timedelta(0)) == {"unused files removed": 1,
                                                                "temporary files removed": 1}
    assert not files.path_for(unused_young.sha256).exists() and not young_temp.exists()
    assert files.path_for(live.sha256).exists() and files.path_for(trashed.sha256).exists()


def test_an_upload_reusing_an_old_unused_file_keeps_it_from_the_sweep(app, project, login_as, client, own_folder):
    """The race: the file is unused and old, a new upload of the same content finds it, and the sweep runs
    before that upload's item is saved."""
    path = files.path_for(_store(b"the same minutes\n").sha256)
    _age(path)
    again = _store(b"the same minutes\n")  # finds the stored copy: nothing new written ...
    assert not again.created and files.path_for(again.sha256) == path
    assert files.sweep_unused_files()["unused files removed"] == 0  # ... and the sweep comes before its commit
    values = {"kind": EvidenceKind.DOCUMENT, "title": "Minutes", "evidence_date": dt.date(2012, 1, 1),
              "partner_group": PartnerGroup.OTHER}
    item = library.create_item(project, None, values, again)
    _db.session.commit()
    login_as("lead", project)
    assert client.get(f"/projects/{project.id}/evidence/{item.id}/file").data == b"the same minutes\n"


def test_a_failed_save_keeps_a_new_file_another_upload_has_just_reused(app, project):
    first = _store(b"two people, one file\n")
    second = _store(b"two people, one file\n")  # the other upload, whose item is not saved yet
    assert first.created and not second.created
    values = {"kind": EvidenceKind.DOCUMENT, "title": "", "evidence_date": dt.date(2012, 1, 1),
              "partner_group": PartnerGroup.OTHER}
    with pytest.raises(IntegrityError), files.kept_only_if_saved(first):
        library.create_item(project, None, values, first)  # the first save fails
    assert files.path_for(second.sha256).read_bytes() == b"two people, one file\n"


def test_jobs_run_sweeps_unused_files(app, db, own_folder):
    stored = _store(b"replaced long ago\n")
    _age(files.path_for(stored.sha256))
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "sweep_unused_files: unused files removed: 1, temporary files removed: 0" in result.output
    assert not files.path_for(stored.sha256).exists()
