"""What projects tell the parts built on them, without knowing those parts."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the new Project (flushed, in its transaction) by create_project: the theory of change
# gives it its template levels.
project_created = _signals.signal("project-created")
