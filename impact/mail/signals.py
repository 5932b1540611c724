"""What the outbox tells the parts that send mail, without knowing them."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the OutboxMessage as sender and reason="550 ..." when the server refused the recipient for
# good; the part named by message.about_kind records it against its own row (in the same transaction).
mail_bounced = _signals.signal("mail-bounced")

# Sent with an inbound.Inbound (a message piped to ``flask mail receive``): the part that takes mail for its
# recipient files it and returns what it did, in words; it raises inbound.Refused to refuse it, with why;
# every other receiver returns None.
mail_received = _signals.signal("mail-received")

# Sent with the parts' about_kind as sender and ids=[about_id, ...] when messages about those rows changed
# their delivery status (sent, retried, failed, bounced, settled by hand), in the transaction that changed
# them, so the part can mark what its pages show of them as changed. Status changes are written without
# the ORM, so nothing else would tell.
mail_settled = _signals.signal("mail-settled")
