"""The email outbox: queued in the same transaction as the change, delivered by ``flask jobs run``."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import SiteLink
    from impact.mail.inbound import mail_cli
    from impact.mail.outbox import purge_old_bodies
    from impact.mail.routes import bp

    contributions.blueprints.append(bp)
    contributions.admin_links.append(SiteLink("Outbox", "mail.outbox", 20))
    contributions.due_work.append(purge_old_bodies)
    contributions.commands.append(mail_cli)
