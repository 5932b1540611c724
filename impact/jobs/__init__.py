"""Background work done by ``flask jobs run`` (from cron or as a service), and its health."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import SiteLink
    from impact.jobs.commands import jobs_cli
    from impact.jobs.routes import bp

    contributions.blueprints.append(bp)
    contributions.commands.append(jobs_cli)
    contributions.admin_links.append(SiteLink("Background work", "jobs.health_page", 30))
