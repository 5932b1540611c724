"""``flask mail receive``: one RFC 5322 message on standard input, as a mail server's pipe transport
delivers it, handed to the part that takes mail for its recipient (the mail_received signal).

Nothing is stored unless a part files the message; every refusal is logged with its reason and
answered with a sysexits status, which the mail server turns into a bounce or a log line.
"""
from __future__ import annotations

import email
import email.policy
import os
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

import click
from flask import current_app
from flask.cli import AppGroup

from impact.extensions import db
from impact.mail.addresses import AddressError, normalise_address
from impact.mail.signals import mail_received

EX_DATAERR, EX_NOUSER, EX_NOPERM = 65, 67, 77


class Refused(Exception):
    """A message no part will take; ``status`` is the sysexits code."""

    def __init__(self, reason: str, status: int = EX_NOPERM):
        super().__init__(reason)
        self.status = status


@dataclass
class Inbound:
    """A received message, read once: who sent it, to which address, its text and attachments."""

    message: EmailMessage
    recipient: str
    sender: str
    text: str
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


class _HtmlText(HTMLParser):
    """The words of an HTML mail, without scripts, styles or the quoted original (a blockquote)."""

    SKIPPED = ("script", "style", "blockquote")

    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skip += 1
        if tag in ("br", "p", "div", "li"):
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.chunks.append(data)


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    if part.get_content_type() != "text/html":
        return part.get_content()
    parser = _HtmlText()
    parser.feed(part.get_content())
    return "".join(parser.chunks)


def strip_quoted(text: str) -> str:
    """The new words of a reply: without the quoted original ("> ...", "On ... wrote:") or a signature."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped == "-- ":  # the signature
            break
        if stripped.startswith(">"):
            continue
        if stripped.endswith("wrote:") and (stripped.startswith("On ") or "<" in stripped):
            break
        if stripped.startswith("-----Original Message-----") or stripped.startswith("From: "):
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def parse(data: bytes, recipient: str | None) -> Inbound:
    limit = current_app.config["MAIL_RECEIVE_MAX_BYTES"]
    if len(data) > limit:
        raise Refused(f"message of {len(data)} bytes is over the limit of {limit}", EX_DATAERR)
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        sender = message["From"].addresses[0].addr_spec if message["From"] and message["From"].addresses else ""
        to = recipient or (message["To"].addresses[0].addr_spec if message["To"] and message["To"].addresses
                           else "")
        text = strip_quoted(_text_of(message))
        # The raw bytes of each attachment, text files included (get_content would decode those to str).
        attachments = [(part.get_filename() or "attachment", part.get_payload(decode=True) or b"")
                       for part in message.iter_attachments()]
    except Exception as exc:  # noqa: BLE001 (a malformed message can break the parser anywhere)
        raise Refused(f"malformed message: {exc.__class__.__name__}", EX_DATAERR) from None
    if not sender or not to:
        raise Refused("no sender or no recipient address", EX_DATAERR)
    try:
        sender = normalise_address(sender)  # as accounts store theirs (lower case, the domain in ASCII)
    except AddressError:
        raise Refused(f"the sender's address {sender!r} is not one an account could have", EX_NOPERM) from None
    # The recipient keeps its case: a tag in its local part (updates+TAG@...) may be case-sensitive.
    return Inbound(message, to, sender, text.replace("\x00", ""), attachments)


def receive(data: bytes, recipient: str | None) -> str:
    """File the message through the part that takes it; returns what was done, or raises Refused."""
    inbound = parse(data, recipient)
    for _receiver, outcome in mail_received.send(inbound):
        if outcome is not None:
            db.session.commit()
            return outcome
    raise Refused(f"no part takes mail for {inbound.recipient}", EX_NOUSER)


mail_cli = AppGroup("mail", help="Mail the app receives.")


@mail_cli.command("receive")
@click.option("--recipient", default=None,
              help="The envelope recipient (default: $ORIGINAL_RECIPIENT or $RECIPIENT, as Postfix sets them; "
                   "else the To header).")
def receive_command(recipient: str | None) -> None:
    """Read one message on standard input and file it (a practitioner's update sent by email...)."""
    recipient = recipient or os.environ.get("ORIGINAL_RECIPIENT") or os.environ.get("RECIPIENT")
    limit = current_app.config["MAIL_RECEIVE_MAX_BYTES"]
    data = sys.stdin.buffer.read(limit + 1)
    try:
        done = receive(data, recipient)
    except Refused as refused:
        db.session.rollback()
        current_app.logger.warning("mail receive refused a message: %s", refused)
        click.echo(f"refused: {refused}", err=True)
        sys.exit(refused.status)
    click.echo(done)
