"""Action cards: typed in from paper, sent through the event's link, imported from a spreadsheet."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.cards.commands import cards_cli
    from impact.cards.import_routes import bp as imports
    from impact.cards.public_routes import bp as public
    from impact.cards.routes import bp
    from impact.cards.sheet_routes import bp as sheet
    from impact.cards.sheet_routes import event_page_qr

    contributions.blueprints += [bp, public, imports, sheet]
    contributions.add_to_page("events.show", event_page_qr)
    contributions.commands.append(cards_cli)
