"""Practitioner research projects (PRPs) inside a KE project, and the practitioners' updates on them."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need
    from impact.research import mail_updates, output_routes, services  # noqa: F401 (signals; routes on bp)
    from impact.research.reminders import send_reminders
    from impact.research.routes import bp
    from impact.research.sign_in_routes import bp as sign_in

    contributions.blueprints += [bp, sign_in]
    contributions.due_work.append(send_reminders)
    contributions.add_to_page("reports.data", services.report_section)
    contributions.project_nav.append(NavEntry("research", "Practitioner research", "research.index", 35, Need.READ,
                                                       group="collect"))
