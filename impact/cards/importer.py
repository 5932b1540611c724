"""Importing action cards from a spreadsheet (CSV or XLSX): all rows or none.

Whole-file problems (wrong kind of file, too big, unknown columns) raise ImportRefused;
problems in single rows are collected, every one of them, before anything is stored, so
the team can fix the whole file in one go.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import insert, select

from impact.cards.models import MAX_ACTIONS, Action, ActionCard, CardSource
from impact.cards.services import CardData, opted_out_emails, removal_problems, save_card
from impact.events.models import Event
from impact.extensions import db
from impact.mail.addresses import AddressError, normalise_address
from impact.projects import stamps
from impact.projects.models import PartnerGroup

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000  # a whole seminar series in one file; the import stays one transaction
# An xlsx is a zip: 5 MB of it can unpack to gigabytes, which openpyxl would try to hold.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Excel often carries thousands of formatted but empty rows below the data; scanning past
# this many means the sheet is not an action-card list.
MAX_SCANNED_ROWS = 100_000
EXTENSIONS = (".csv", ".xlsx")

ACTION_COLUMNS = tuple(f"action_{n}" for n in range(1, MAX_ACTIONS + 1))
COLUMNS = ("email", "name", "organisation", "partner_group", *ACTION_COLUMNS)
LIMITS = {"email": 254, "name": 200, "organisation": 200, **{column: 2000 for column in ACTION_COLUMNS}}
# Spellings people reach for first; anything else unknown is refused rather than silently dropped.
ALIASES = {"email_address": "email", "e_mail": "email", "organization": "organisation", "group": "partner_group"}
ROW = "row"  # key of the spreadsheet row number in read_rows' dicts (never a column: see COLUMNS)


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why, in the user's terms."""


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass
class ImportedCard(CardData):
    row: int = 0
    # Columns the file has: a column left out of the file leaves that detail of an existing card alone.
    given: frozenset[str] = frozenset(COLUMNS)
    # A blank name, organisation or partner group cell keeps what an existing card has (a new card
    # gets no name or organisation, and the group "other"). A blank action cell removes that action.
    group_given: bool = True


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (f"{self.created} card{'' if self.created == 1 else 's'} added, "
                f"{self.updated} updated, {self.unchanged} unchanged")


# Reading ---------------------------------------------------------------------------------

def normalise_header(value: object) -> str:
    name = re.sub(r"[\s\-]+", "_", str(value if value is not None else "").strip().lower())
    return ALIASES.get(name, name)


def read_rows(filename: str, stream: BinaryIO) -> list[dict]:
    """The data rows of the file's first sheet as {column: text, ROW: row number}, blank rows left out."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise ImportRefused(f"“{filename or 'The file'}” is not a .csv or .xlsx file. Save the spreadsheet as "
                            "CSV (comma-separated) or Excel workbook (.xlsx) and try again.")
    content = stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. "
                            f"Split it into smaller files of at most {MAX_ROWS} rows.")
    if not content.strip():
        raise ImportRefused("The file is empty.")
    lines = _csv_lines(content) if extension == ".csv" else _xlsx_lines(content)
    return _rows_from(lines)


def _csv_lines(content: bytes) -> Iterator[list[object]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Excel in many European locales saves "CSV" with semicolons.
    delimiter = max([",", ";", "\t"], key=first_line.count) if first_line.count(",") == 0 else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise ImportRefused(f"The CSV file could not be read ({error}). Save it again from the spreadsheet "
                            "program as CSV and try again.") from None


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]  # Excel's "Unicode text"
    else:
        # Older Excel saves CSV in the Windows code page, not UTF-8.
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("The CSV file's characters could not be read. Save it as “CSV UTF-8” and try again.")


def _xlsx_lines(content: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    unreadable = ImportRefused("The file could not be read as an Excel workbook (.xlsx): it may be damaged, "
                               "or another kind of file renamed. Open it in a spreadsheet program, save it "
                               "as .xlsx or CSV, and try again.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportRefused("The workbook holds too much data to import. Copy the action cards into "
                                    "a new workbook, or save them as CSV, and try again.")
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- openpyxl raises many kinds (KeyError, XML errors...) for a damaged file
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportRefused("The workbook has no sheet to import.")
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 -- read_only mode parses lazily: damage can surface row by row
        raise unreadable from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in Excel comes back as 3.0
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).strip()


def _rows_from(lines: Iterable[list[object]]) -> list[dict]:
    lines = iter(lines)
    header = next(lines, None)
    if header is None or not any(_cell_text(cell) for cell in header):
        raise ImportRefused("The first row must name the columns, e.g. email, name, action_1.")
    columns = [normalise_header(cell) for cell in header]
    _check_columns(columns)
    rows: list[dict] = []
    for number, line in enumerate(lines, start=2):
        if number > MAX_SCANNED_ROWS:
            raise ImportRefused(f"The sheet goes on past row {MAX_SCANNED_ROWS}. Delete the rows below the "
                                "action cards and try again.")
        texts = [_cell_text(cell) for cell in line]
        if not any(texts):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS} action cards. Split it into files of "
                                f"at most {MAX_ROWS} rows and import them one by one.")
        for position, text in enumerate(texts):
            if text and (position >= len(columns) or not columns[position]):
                raise ImportRefused(f"Row {number} has a value in column {_column_letter(position)}, which has "
                                    "no heading in the first row. Give the column a heading or empty it.")
        row = {column: texts[position] if position < len(texts) else ""
               for position, column in enumerate(columns) if column}
        row[ROW] = number
        rows.append(row)
    return rows


def _check_columns(columns: list[str]) -> None:
    named = [column for column in columns if column]
    unknown = sorted({column for column in named if column not in COLUMNS})
    if unknown:
        raise ImportRefused(f"Unknown column{'s' if len(unknown) > 1 else ''} "
                            f"{', '.join(f'“{column}”' for column in unknown)}. "
                            f"The columns an import understands are: {', '.join(COLUMNS)}.")
    repeated = sorted({column for column in named if named.count(column) > 1})
    if repeated:
        raise ImportRefused(f"The column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} "
                            f"appear{'' if len(repeated) > 1 else 's'} more than once in the first row.")
    if "email" not in named:
        raise ImportRefused("The file has no email column: every card needs the email its follow-up goes to.")
    if not any(column in named for column in ACTION_COLUMNS):
        raise ImportRefused("The file has no action columns (action_1, action_2, action_3): "
                            "every card needs at least one action.")


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# Checking --------------------------------------------------------------------------------

_GROUPS = {**{group.value: group for group in PartnerGroup},
           **{normalise_header(group.label): group for group in PartnerGroup}}


def partner_group_of(text: str) -> PartnerGroup | None:
    """The group a cell names: its value ("service_user") or its label ("Service user"), any case."""
    return _GROUPS.get(normalise_header(text))


def validate(rows: list[dict]) -> tuple[list[ImportedCard], list[RowError]]:
    """The cards the rows describe, and one RowError per bad row naming all its problems."""
    cards: list[ImportedCard] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        number = row[ROW]
        reasons = _row_problems(row)
        email = _address_or_blank(row.get("email", ""))
        if email and email in first_row_of:
            reasons.append(f"{email} is already on row {first_row_of[email]} (one card per email per event).")
        elif email:
            first_row_of[email] = number
        if reasons:
            errors.append(RowError(number, " ".join(reasons)))
            continue
        group = row.get("partner_group", "")
        cards.append(ImportedCard(
            email=email, name=row.get("name", ""), organisation=row.get("organisation", ""),
            partner_group=partner_group_of(group) if group else PartnerGroup.OTHER,
            actions=[row.get(column, "") for column in ACTION_COLUMNS],
            row=number, given=frozenset(column for column in COLUMNS if column in row), group_given=bool(group),
        ))
    return cards, errors


def _address_or_blank(text: str) -> str:
    try:
        return normalise_address(text)
    except AddressError:
        return ""


def _row_problems(row: dict) -> list[str]:
    reasons = []
    for column in COLUMNS:
        if "\x00" in row.get(column, ""):
            # PostgreSQL cannot store NUL; in a spreadsheet it usually means a damaged or binary file.
            reasons.append(f"The {column} cell holds a NUL character, which cannot be stored: delete it.")
    for column, limit in LIMITS.items():
        length = len(row.get(column, ""))
        if length > limit:
            reasons.append(f"Too long: {column} has {length} characters (at most {limit}).")
    email = row.get("email", "")
    if not email:
        reasons.append("No email address.")
    elif len(email) <= LIMITS["email"] and "\x00" not in email:
        try:
            normalise_address(email)
        except AddressError as problem:
            reasons.append(f"“{email[:80]}” is not an email address. {problem}")
    if not any(row.get(column) for column in ACTION_COLUMNS):
        reasons.append("No action: write at least one in action_1, action_2 or action_3.")
    group = row.get("partner_group", "")
    if group and partner_group_of(group) is None:
        reasons.append(f"“{group[:60]}” is not a partner group. Use one of: "
                       f"{', '.join(group.value for group in PartnerGroup)}.")
    return reasons


# Storing ---------------------------------------------------------------------------------

def import_cards(event: Event, filename: str, stream: BinaryIO) -> ImportResult:
    """Check the whole file, then store every card or (on any problem) none; the caller commits.

    Raises ImportRefused for a file that cannot be read at all.
    """
    cards, errors = validate(read_rows(filename, stream))
    if errors:
        return ImportResult(errors=errors)
    existing = _existing_cards(event)
    result = ImportResult()
    new: list[ImportedCard] = []
    changed: list[ImportedCard] = []
    for data in cards:
        card, texts = existing.get(data.email, (None, {}))
        if card is None:
            new.append(data)
            continue
        _keep_what_the_file_leaves_out(data, card, texts)
        if _same(card, texts, data):
            result.unchanged += 1
            continue
        # Checked for every row before anything is stored: all rows or none.
        for column in removal_problems(card, data.slots()):
            result.errors.append(RowError(data.row, (
                f"{column} is empty, but this action of {data.email}'s card has a follow-up answer: "
                "change its wording instead of removing it.")))
        changed.append(data)
    if result.errors:
        return ImportResult(errors=result.errors)
    for data in changed:
        save_card(event, data, CardSource.IMPORT)
        result.updated += 1
    _insert_new(event, new)
    result.created = len(new)
    db.session.flush()
    return result


def _insert_new(event: Event, cards: list[ImportedCard]) -> None:
    """New cards in two batched INSERTs, with the same content save_card would give them.

    save_card flushes every card on its own: 5000 new cards took a minute on PostgreSQL, past
    a web worker's timeout. Updates (rarely many) still go through save_card.
    """
    if not cards:
        return
    # An email that opted out of the project's follow-ups stays out on its new cards.
    opted_out = opted_out_emails(event.project_id)
    ids = db.session.scalars(
        insert(ActionCard).returning(ActionCard.id, sort_by_parameter_order=True),
        [{"project_id": event.project_id, "event_id": event.id, "email": data.email,
          "name": data.name.strip(), "organisation": data.organisation.strip(),
          "partner_group": data.partner_group, "source": CardSource.IMPORT,
          "opted_out_at": opted_out.get(data.email)} for data in cards],
    ).all()
    db.session.execute(insert(Action), [
        {"project_id": event.project_id, "card_id": card_id, "position": position, "text": text}
        for card_id, data in zip(ids, cards, strict=True)
        for position, text in data.slots().items()
    ])
    stamps.advance(db.session, [event.project_id])  # written without the ORM


def _existing_cards(event: Event) -> dict[str, tuple[ActionCard, dict[int, str]]]:
    """Each card of the event by email, with its action texts by position: two queries, however many cards."""
    cards = db.session.scalars(select(ActionCard).where(ActionCard.event_id == event.id)).all()
    texts: dict[int, dict[int, str]] = {card.id: {} for card in cards}
    for card_id, position, text in db.session.execute(
        select(Action.card_id, Action.position, Action.text).join(ActionCard, ActionCard.id == Action.card_id)
        .where(ActionCard.event_id == event.id)
    ):
        texts[card_id][position] = text
    return {card.email: (card, texts[card.id]) for card in cards}


def _keep_what_the_file_leaves_out(data: ImportedCard, card: ActionCard, texts: dict[int, str]) -> None:
    """A column left out of the file, or an empty name, organisation or group cell, keeps the stored value."""
    if not data.name.strip():
        data.name = card.name
    if not data.organisation.strip():
        data.organisation = card.organisation
    if not data.group_given:
        data.partner_group = card.partner_group
    data.actions = [text if column in data.given else texts.get(position, "")
                    for position, (column, text) in enumerate(zip(ACTION_COLUMNS, data.actions, strict=True), start=1)]


def _same(card: ActionCard, texts: dict[int, str], data: CardData) -> bool:
    return (card.name == data.name.strip() and card.organisation == data.organisation.strip()
            and card.partner_group == data.partner_group and texts == data.slots())
