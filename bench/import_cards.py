"""Time importing an action-card CSV (5,000 rows, or 10,000 at the portfolio's scale) through
impact.cards.importer, as the import page does."""
from __future__ import annotations

import csv
import io
import time

from bench import counting_statements
from bench.generate import Generated

ROWS = 5000  # bench.pages; bench.serve imports 10,000 (importer.MAX_ROWS)


def card_csv(rows: int = ROWS) -> bytes:
    """A spreadsheet of new cards, every column filled, as a team would export it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "organisation", "partner_group", "action_1", "action_2", "action_3"])
    groups = ["practitioner", "Manager", "service_user", "academic", ""]
    for n in range(rows):
        writer.writerow([f"Imported.Person{n}@Example.org", f"Imported person {n}", f"Council {'ABCDEF'[n % 6]}",
                         groups[n % len(groups)], f"Try the approach with family {n}",
                         "Share the guide with my team" if n % 2 else "", "Reflect in supervision" if n % 3 else ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def time_import(app, made: Generated, rows: int = ROWS) -> None:
    from impact.cards import importer
    from impact.events.models import Event
    from impact.extensions import db

    content = card_csv(rows)
    print(f"\nCard import into a small event of the project ({len(content) / 1024:.0f} KB CSV, {rows:,} rows, "
          "committed as the import page does):\n")
    print(f"| {'run':<32} | {'seconds':>7} | {'SQL statements':>14} | result |")
    print(f"|{'-' * 34}|{'-' * 8}:|{'-' * 15}:|--------|")
    for label in (f"new cards (all {rows:,} added)", "same file again (all unchanged)"):
        with app.test_request_context(), counting_statements(db.engine) as statements:
            event = db.session.get(Event, made.import_event_id)
            start = time.perf_counter()
            result = importer.import_cards(event, "cards.csv", io.BytesIO(content))
            db.session.commit()
            elapsed = time.perf_counter() - start
        assert result.ok, result.errors[:3]
        print(f"| {label:<32} | {elapsed:>7.2f} | {len(statements):>14} | {result.summary()} |")
