"""Site administration: user accounts."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.admin.routes import bp
    from impact.features import SiteLink

    contributions.blueprints.append(bp)
    contributions.admin_links.append(SiteLink("Users", "admin.users", 10))
