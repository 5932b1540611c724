"""Importing action cards from CSV and XLSX files: through the page and `flask cards import`."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter

import click
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from impact.cards.commands import cards_cli
from impact.cards.import_routes import bp as card_import_bp
from impact.cards.models import Action, ActionCard, CardSource
from impact.cards.services import CardData, save_card
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from tests.conftest import make_app

HEADER = ["email", "name", "organisation", "partner_group", "action_1", "action_2", "action_3"]
GROUPS = ["practitioner", "manager", "academic", "service_user", "carer", "funder", "other"]


@pytest.fixture(scope="module")
def app(app):
    """The session's app, or, until impact/__init__.py registers the import, one that has it.

    Flask refuses new blueprints on an app that has served requests, so the import is
    registered on a fresh app over the same database rather than on the shared one.
    """
    has_page = "card_import" in app.blueprints
    group = app.cli.commands.get("cards")
    has_command = isinstance(group, click.Group) and "import" in group.commands
    if has_page and has_command:
        yield app
        return
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"])
    other.config["BACKEND"] = app.config["BACKEND"]
    if not has_page:
        other.register_blueprint(card_import_bp)
    if not has_command:
        other.cli.add_command(cards_cli)
    with other.app_context():
        yield other
        _db.session.remove()
        _db.engine.dispose()


# Building files --------------------------------------------------------------------------

def good_rows(count: int, start: int = 1) -> list[list[str]]:
    """Rows cycling through the partner groups, with one, two or three actions."""
    rows = []
    for n in range(start, start + count):
        actions = [f"Action {k} of person {n}" for k in range(1, n % 3 + 2)]
        rows.append([f"person{n}@council.gov.uk", f"Person {n}", f"Council {n % 6}", GROUPS[n % len(GROUPS)],
                     *actions, *[""] * (3 - len(actions))])
    return rows


def csv_file(rows, header=HEADER, *, bom=False, encoding="utf-8", delimiter=",") -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode(encoding) + text.getvalue().encode(encoding)


def xlsx_file(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([cell if cell != "" else None for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def expected_actions(rows) -> int:
    return sum(1 for row in rows for cell in row[4:] if cell)


# Driving the app -------------------------------------------------------------------------

@pytest.fixture
def event(db, project):
    created = save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2011, 3, 15),
                         place="Glasgow", notes="", attendance={PartnerGroup.PRACTITIONER: 30})
    db.session.commit()
    return created


@pytest.fixture
def team(login_as, project):
    return login_as("team_member", project)


def page_url(event) -> str:
    return f"/projects/{event.project_id}/events/{event.id}/cards/import"


def upload(client, event, filename: str, content: bytes):
    # Encoded here, in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=filename)})
    return client.post(page_url(event), data=body, content_type=f"multipart/form-data; boundary={boundary}")


def cards_of(event) -> list[ActionCard]:
    _db.session.expire_all()  # the request stored them through its own session
    return list(_db.session.scalars(select(ActionCard).where(ActionCard.event_id == event.id)
                                    .options(selectinload(ActionCard.actions)).order_by(ActionCard.email)))


def action_count(event) -> int:
    return _db.session.scalar(select(func.count()).select_from(Action).join(ActionCard)
                              .where(ActionCard.event_id == event.id))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def reported_rows(page: str) -> list[str]:
    """The row numbers in the table of bad rows."""
    table = page.split("Rows that could not be imported", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>(\d+)</td>", table)


def imported(client, event, filename, content) -> str:
    """Uploads a file that must import; returns the card list page it leads to."""
    response = upload(client, event, filename, content)
    assert response.status_code == 302, text(response)
    assert response.headers["Location"].endswith(f"/events/{event.id}/cards/")
    return text(client.get(response.headers["Location"]))


# Through the page ------------------------------------------------------------------------

def test_the_page_explains_the_columns_and_offers_a_template(client, event, team):
    page = text(client.get(page_url(event)))
    assert "Import action cards from a spreadsheet" in page
    for column in HEADER:
        assert f"<code>{column}</code>" in page
    assert 'enctype="multipart/form-data"' in page
    template = client.get(page_url(event) + "/template.csv")
    assert template.status_code == 200
    assert template.mimetype == "text/csv"
    assert "attachment" in template.headers["Content-Disposition"]
    assert template.get_data().decode("utf-8-sig").strip() == ",".join(HEADER)


def test_the_filled_in_template_imports(client, event, team):
    template = client.get(page_url(event) + "/template.csv").get_data()
    filled = template + ("sian@council.gov.uk,Siân,Council A,Service user,"
                         "Tell my story at the next seminar,,\r\n").encode()
    page = imported(client, event, "action-cards-template.csv", filled)
    assert "1 card added, 0 updated, 0 unchanged" in page
    [card] = cards_of(event)
    assert (card.email, card.name, card.partner_group) == ("sian@council.gov.uk", "Siân", PartnerGroup.SERVICE_USER)


def test_26_good_rows_from_a_csv_with_bom_become_26_cards(client, event, team):
    rows = good_rows(26)
    page = imported(client, event, "cards.csv", csv_file(rows, bom=True))
    assert "26 cards added, 0 updated, 0 unchanged" in page
    assert "person1@council.gov.uk" in page and "Person 26" in page
    cards = cards_of(event)
    assert len(cards) == 26
    assert {card.email for card in cards} == {row[0] for row in rows}
    assert action_count(event) == expected_actions(rows)
    assert Counter(card.partner_group.value for card in cards) == Counter(row[3] for row in rows)
    assert {card.source for card in cards} == {CardSource.IMPORT}
    person5 = next(card for card in cards if card.email == "person5@council.gov.uk")
    assert [action.text for action in person5.actions] == ["Action 1 of person 5", "Action 2 of person 5",
                                                           "Action 3 of person 5"]


def test_26_good_rows_from_an_xlsx_with_friendly_headings_become_26_cards(client, event, team):
    rows = good_rows(26)
    # Headings as people type them, and groups by their labels.
    header = ["Email", "Name", "Organisation", "Partner group", "Action 1", "ACTION 2", " action_3 "]
    labelled = [[*row[:3], PartnerGroup(row[3]).label, *row[4:]] for row in rows]
    page = imported(client, event, "cards.xlsx", xlsx_file(labelled, header))
    assert "26 cards added, 0 updated, 0 unchanged" in page
    cards = cards_of(event)
    assert len(cards) == 26
    assert action_count(event) == expected_actions(rows)
    assert Counter(card.partner_group.value for card in cards) == Counter(row[3] for row in rows)


def test_one_bad_row_among_30_stores_nothing_and_names_that_row(client, event, team):
    rows = good_rows(30)
    rows[15][0] = "person16-at-council.gov.uk"  # data row 16 is spreadsheet row 17
    response = upload(client, event, "cards.csv", csv_file(rows))
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was stored: 1 row needs correcting" in page
    assert "<td>17</td><td>“person16-at-council.gov.uk” is not an email address. " in page
    assert reported_rows(page) == ["17"]
    assert cards_of(event) == []


def test_every_bad_row_is_reported_and_blank_rows_are_skipped(client, event, team):
    rows = good_rows(12)
    rows[0][0] = ""  # row 2: no email
    rows[2][4:] = ["", "", ""]  # row 4: no action
    rows[3][3] = "councillor"  # row 5: not a partner group
    rows[5][1] = "N" * 201  # row 7: name too long
    rows[7][0] = "PERSON7@council.gov.uk "  # row 9: the same email as row 8, in other case
    rows.insert(9, ["", "", "", "", "", "", ""])  # row 11 is blank: skipped, but it still counts
    rows[11][5] = "x" * 2001  # row 13: an action too long
    response = upload(client, event, "cards.csv", csv_file(rows))
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was stored: 6 rows need correcting" in page
    assert "<td>2</td><td>No email address.</td>" in page
    assert "<td>4</td><td>No action: write at least one in action_1, action_2 or action_3.</td>" in page
    assert "<td>5</td><td>“councillor” is not a partner group." in page
    assert "<td>7</td><td>Too long: name has 201 characters (at most 200).</td>" in page
    assert "<td>9</td><td>person7@council.gov.uk is already on row 8" in page
    assert "<td>13</td><td>Too long: action_2 has 2001 characters (at most 2000).</td>" in page
    assert reported_rows(page) == ["2", "4", "5", "7", "9", "13"]
    assert cards_of(event) == []


def test_importing_the_same_file_twice_keeps_one_set_of_cards(client, event, team):
    rows = good_rows(26)
    content = xlsx_file(rows)
    imported(client, event, "cards.xlsx", content)
    first = {card.email: (card.id, [action.id for action in card.actions]) for card in cards_of(event)}
    page = imported(client, event, "cards.xlsx", content)
    assert "0 cards added, 0 updated, 26 unchanged" in page
    again = {card.email: (card.id, [action.id for action in card.actions]) for card in cards_of(event)}
    assert again == first
    assert action_count(event) == expected_actions(rows)
    rows[4][1], rows[4][6] = "Person Five", ""  # a new name and one action fewer
    page = imported(client, event, "cards.xlsx", xlsx_file(rows))
    assert "0 cards added, 1 updated, 25 unchanged" in page
    person5 = next(card for card in cards_of(event) if card.email == "person5@council.gov.uk")
    assert person5.name == "Person Five" and len(person5.actions) == 2
    assert action_count(event) == expected_actions(rows)


def test_a_row_updates_the_card_its_email_already_has(client, event, team):
    save_card(event, CardData("ann@council.gov.uk", ["Write for the family"], name="Ann",
                              organisation="Council A", partner_group=PartnerGroup.MANAGER), CardSource.PAPER)
    save_card(event, CardData("bob@council.gov.uk", ["Ask what helps"], name="Bob"), CardSource.PAPER)
    _db.session.commit()
    # No organisation or partner_group column: those details of Ann's card stay as they were.
    rows = [["ANN@council.gov.uk", "Ann Smith", "Write for the family", "Share the guide"],
            ["bob@council.gov.uk", "Bob", "Ask what helps", ""],
            ["cat@council.gov.uk", "Cat", "Run a workshop", ""]]
    page = imported(client, event, "cards.csv", csv_file(rows, ["email", "name", "action_1", "action_2"]))
    assert "1 card added, 1 updated, 1 unchanged" in page
    ann, bob, cat = cards_of(event)
    assert (ann.name, ann.organisation, ann.partner_group) == ("Ann Smith", "Council A", PartnerGroup.MANAGER)
    assert [action.text for action in ann.actions] == ["Write for the family", "Share the guide"]
    assert ann.source == CardSource.PAPER
    assert (bob.name, cat.name, cat.partner_group) == ("Bob", "Cat", PartnerGroup.OTHER)


def test_excel_csv_in_the_windows_code_page_with_semicolons_imports(client, event, team):
    rows = [["sian@council.gov.uk", "Siân O’Neill", "Cyngor Gwynedd", "carer", "Ask about respite – soon", "", ""]]
    page = imported(client, event, "cards.csv", csv_file(rows, encoding="cp1252", delimiter=";"))
    assert "1 card added" in page
    [card] = cards_of(event)
    assert card.name == "Siân O’Neill"
    assert card.actions[0].text == "Ask about respite – soon"


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("cards.xls", b"\xd0\xcf\x11\xe0 old excel", "“cards.xls” is not a .csv or .xlsx file."),
    ("cards.txt", csv_file(good_rows(3)), "“cards.txt” is not a .csv or .xlsx file."),
    ("cards.xlsx", b"PK\x03\x04 this is not really a workbook", "could not be read as an Excel workbook"),
    ("cards.xlsx", csv_file(good_rows(3)), "could not be read as an Excel workbook"),
    ("cards.csv", b"", "The file is empty."),
    ("cards.csv", csv_file(good_rows(3), [*HEADER, "phone"]), "Unknown column “phone”."),
    ("cards.csv", csv_file([["ann@council.gov.uk", "Ann"]], ["email", "name"]), "no action columns"),
    ("cards.csv", csv_file(good_rows(10_001)), "more than 10000 action cards"),
    ("cards.csv", csv_file(good_rows(3)) + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
])
def test_a_file_that_cannot_be_imported_gets_a_clear_message(client, event, team, filename, content, message):
    response = upload(client, event, filename, content)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "Nothing was stored." in page
    assert "Traceback" not in page
    assert cards_of(event) == []


def test_no_file_chosen(client, event, team):
    response = client.post(page_url(event), data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file to import." in text(response)


@pytest.mark.parametrize("role", ["practitioner_researcher", "co_researcher", "funder"])
def test_only_those_who_edit_the_project_may_import(client, event, project, login_as, role):
    login_as(role, project)
    assert client.get(page_url(event)).status_code == 403
    assert upload(client, event, "cards.csv", csv_file(good_rows(2))).status_code == 403
    assert client.get(page_url(event) + "/template.csv").status_code == 403
    assert cards_of(event) == []


def test_anonymous_visitors_are_sent_to_log_in(client, event):
    response = client.get(page_url(event))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Through the command line ----------------------------------------------------------------

def test_the_command_imports_and_prints_the_counts(app, event, tmp_path):
    path = tmp_path / "cards.xlsx"
    path.write_bytes(xlsx_file(good_rows(26)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cards", "import", str(event.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "First seminar: 26 cards added, 0 updated, 0 unchanged." in result.output
    assert len(cards_of(event)) == 26
    again = runner.invoke(args=["cards", "import", str(event.id), str(path)])
    assert again.exit_code == 0
    assert "0 cards added, 0 updated, 26 unchanged" in again.output
    assert len(cards_of(event)) == 26


def test_the_command_lists_every_bad_row_and_stores_nothing(app, event, tmp_path):
    rows = good_rows(30)
    rows[3][0] = "not-an-email"  # row 5
    rows[20][4:] = ["", "", ""]  # row 22
    path = tmp_path / "cards.csv"
    path.write_bytes(csv_file(rows))
    result = app.test_cli_runner().invoke(args=["cards", "import", str(event.id), str(path)])
    assert result.exit_code != 0
    assert "Row 5: “not-an-email” is not an email address." in result.output
    assert "Row 22: No action" in result.output
    assert "Nothing was stored: 2 rows need correcting." in result.output
    assert cards_of(event) == []


def test_the_command_refuses_an_unreadable_file_or_unknown_event(app, event, tmp_path):
    path = tmp_path / "cards.xlsx"
    path.write_bytes(b"not a workbook")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cards", "import", str(event.id), str(path)])
    assert result.exit_code != 0
    assert "could not be read as an Excel workbook" in result.output and "Nothing was stored." in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(args=["cards", "import", str(event.id + 1000), str(path)])
    assert missing.exit_code != 0 and f"There is no event {event.id + 1000}." in missing.output
    assert cards_of(event) == []
