"""A feature made up for tests/test_parts.py: a page, a project tab, background work and notes that hang
on steps. It is plugged in only by that test (the PARTS setting), in a process of its own."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need
    from tests.throwaway_part.routes import bp, count_notes

    contributions.blueprints.append(bp)
    contributions.project_nav.append(NavEntry("notes", "Throwaway notes", "throwaway.notes", 45, Need.READ))
    contributions.due_work.append(count_notes)
