"""Emailed follow-ups of action cards, and the respondents' answers."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.extensions import db
    from impact.features import NavEntry
    from impact.followups import receivers  # noqa: F401 (connects them)
    from impact.followups.dashboard import dashboard
    from impact.followups.list_routes import bp as campaign_list
    from impact.followups.respond_routes import bp as respond
    from impact.followups.routes import bp
    from impact.followups.services import campaigns_query, queue_due
    from impact.followups.tracking import event_tracking
    from impact.projects.permissions import Need

    contributions.add_to_page("projects.project", dashboard)
    contributions.blueprints += [bp, respond, campaign_list]
    contributions.project_nav.append(NavEntry("followups", "Follow-ups", "followup_list.index", 32, Need.EDIT,
                                              group="collect"))
    contributions.add_to_page("events.show", lambda event, may_edit: {
        "campaigns": db.session.scalars(campaigns_query(event)).all(),
        "tracking": event_tracking(event, with_people=may_edit)})
    contributions.due_work.append(queue_due)
