"""Links in emails are made when the message is sent, never stored.

A queued message's bodies hold placeholders, and ``OutboxMessage.links`` says what each one
points at: a kind of link and an id, e.g. ``{"nonce": "…", "targets": {"respond":
["followup-respond", 42]}}``. Delivery asks the feature that registered the kind for a fresh
signed URL. So the outbox, and every backup of it, holds no working reset, follow-up or
invitation link, and a link's lifetime starts when it is sent, not when it was queued.

Each message's placeholders carry a random nonce made when it is written. Bodies quote what
other people typed (a card's name, a campaign's message, a project's title), and a placeholder
they could type would be filled with the recipient's personal link, wherever they put it.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import current_app
from markupsafe import escape

# A kind of link -> function(id) -> the absolute URL, or None when what it points at is gone.
LinkMaker = Callable[[int], "str | None"]
_MAKERS: dict[str, LinkMaker] = {}

HIDDEN = "[personal link: made when the email is sent]"


class LinkGone(Exception):
    """What a link in the message points at no longer exists (or may no longer be used)."""


def link_maker(kind: str) -> Callable[[LinkMaker], LinkMaker]:
    """Register the function that makes links of this kind (used as a decorator by features)."""

    def register(fn: LinkMaker) -> LinkMaker:
        _MAKERS[kind] = fn
        return fn

    return register


class EmailLinks:
    """The links of one email being written: ``links["respond"]`` is the placeholder to put in its
    bodies, ``links.stored()`` the value for OutboxMessage.links."""

    def __init__(self, **targets: tuple[str, int]):
        for kind, _ in targets.values():
            if kind not in _MAKERS:
                raise KeyError(f"no link maker registered for {kind!r}")
        self.targets = targets
        self.nonce = secrets.token_hex(8)

    def __getitem__(self, name: str) -> str:
        if name not in self.targets:
            raise KeyError(name)
        return _placeholder(name, self.nonce)

    def stored(self) -> dict:
        return {"nonce": self.nonce, "targets": {name: [kind, target] for name, (kind, target) in self.targets.items()}}


def _placeholder(name: str, nonce: str) -> str:
    return f"[[link:{name}:{nonce}]]"


def _fill(text: str, links: dict, urls: dict[str, str], *, html: bool) -> str:
    for name, url in urls.items():
        text = text.replace(_placeholder(name, links["nonce"]), str(escape(url)) if html else url)
    return text


def make_urls(links: dict | None) -> dict[str, str]:
    """Fresh URLs for each of a message's links; LinkGone if one cannot be made."""
    urls = {}
    for name, (kind, target_id) in (links or {}).get("targets", {}).items():
        url = _MAKERS[kind](target_id)
        if url is None:
            raise LinkGone(f"The {name.replace('_', ' ')} link points at something that no longer exists.")
        urls[name] = url
    return urls


def filled_bodies(message) -> tuple[str, str]:
    """(text, html) of a message as it is sent, with working links."""
    urls = make_urls(message.links)
    return (_fill(message.body_text, message.links, urls, html=False),
            _fill(message.body_html, message.links, urls, html=True))


def shown_bodies(message) -> tuple[str, str]:
    """(text, html) as the outbox page shows them.

    In development with no mail server the outbox is the only mailbox, so its links work there
    (OUTBOX_SHOWS_LINKS); anywhere else a person reading the outbox must not get working links.
    """
    if current_app.config.get("OUTBOX_SHOWS_LINKS") and not current_app.config.get("MAIL_SERVER"):
        try:
            return filled_bodies(message)
        except LinkGone:
            pass
    hidden = {name: HIDDEN for name in (message.links or {}).get("targets", {})}
    return (_fill(message.body_text, message.links, hidden, html=False),
            _fill(message.body_html, message.links, hidden, html=True))
