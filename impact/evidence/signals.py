"""What the evidence library asks of the parts built on it, without knowing them."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with an EvidenceItem as sender: the part that writes the item from its own rows returns a
# services.DerivedFrom (where its source is); every other receiver returns None.
item_derived_from = _signals.signal("evidence-item-derived-from")

# Sent with the EvidenceItem (flushed) when the person whose words it holds withdrew their consent to be
# quoted: a part that keeps its own copy of those words (a response, an update, a story snapshot) forgets
# the quote in the same transaction, so it leaves every page and report at once.
consent_withdrawn = _signals.signal("evidence-consent-withdrawn")
