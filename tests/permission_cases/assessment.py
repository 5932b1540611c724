"""Permission cases for assessments and evidence standards (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

from tests.permission_cases import Case

CASES: list[Case] = []


def furnish(project, step) -> None:
    """Create what these routes need (the caller commits)."""


def world(project) -> dict[str, object]:
    return {}


def state(project) -> tuple:
    return ()
