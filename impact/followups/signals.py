"""What follow-ups tell the parts built on them (the codebook, reports), without knowing them."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the Response (flushed, its evidence item refreshed) each time a respondent submits or amends
# their answers; receivers work in the same transaction.
response_saved = _signals.signal("response-saved")
