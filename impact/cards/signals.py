"""What cards tell the features built on them, without knowing those features."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with action_ids=[...] after actions gained or lost step tags (the caller has flushed).
action_tags_changed = _signals.signal("action-tags-changed")
