"""The online card form's address as a QR code: on the event page, and on an A5 sheet for the room."""
from __future__ import annotations

import re

import segno

from impact.events.models import Event
from impact.extensions import db as _db
from tests.test_followups import _create_event, _url


def _modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules the SVG draws (segno's path: rows of horizontal runs, 'M x y.5 h n m dx dy...')."""
    path = re.search(r'class="qrline"[^>]*d="([^"]+)"', svg) or re.search(r'd="([^"]+)"[^>]*class="qrline"', svg)
    dark, x, y = set(), 0.0, 0.0
    for command, a, b in re.findall(r"([Mmhv])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command == "h":
            dark.update((int(x) + i, int(y)) for i in range(int(float(a))))
            x += float(a)
    return dark


def test_the_sheet_holds_the_forms_address_and_a_code_that_encodes_it(client, project, login_as):
    login_as("team_member", project)
    event = _db.session.get(Event, _create_event(client, project))
    address = f"http://localhost/cards/{event.card_link_key}"
    sheet = client.get(_url(project, event.id, "cards/sheet"))
    assert sheet.status_code == 200
    page = sheet.get_data(as_text=True)
    assert f"<code>{address}</code>" in page
    assert "The online card form is closed." in page  # the code would lead to a closed form
    # The drawn code is the QR code of that address: its dark modules, read back from the SVG.
    drawn = _modules(page[page.index('<svg'):page.index("</svg>")])
    expected = {(x, y) for y, row in enumerate(segno.make(address, error="m").matrix_iter(border=4))
                for x, dark in enumerate(row) if dark}
    assert drawn == expected and len(drawn) > 200

    client.post(_url(project, event.id, "card-form"), data={"state": "open"})
    assert "The online card form is closed." not in client.get(_url(project, event.id, "cards/sheet")).get_data(
        as_text=True)
    assert client.get(address.removeprefix("http://localhost")).status_code == 200  # the address opens the form
    event_page = client.get(_url(project, event.id)).get_data(as_text=True)
    assert 'aria-label="QR code that opens the card form"' in event_page and "/cards/sheet" in event_page
