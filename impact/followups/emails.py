"""The follow-up and reminder emails: short, plain, with one link that matters."""
from __future__ import annotations

from flask import current_app, render_template, url_for

from impact.cards.models import ActionCard
from impact.followups.models import Campaign, FollowUp
from impact.followups.tokens import OPT_OUT, make_token

DEFAULT_MESSAGE = (
    "At {event} you wrote down up to three actions you hoped to take. "
    "We would like to know how far you got, and what helped or got in the way. "
    "It takes about five minutes, and your answers show what difference the project made."
)
DEFAULT_REMINDER = (
    "A short reminder: we would still like to hear how your actions from {event} went. "
    "Even a line or two helps."
)


def default_subject(event_title: str) -> str:
    return f"How did your actions from {event_title} go?"[:200]


def personal_links(followup: FollowUp) -> tuple[str, str]:
    base = current_app.config["BASE_URL"]
    respond = base + url_for("respond.form", token=make_token(followup.id))
    opt_out = base + url_for("respond.opt_out", token=make_token(followup.id, OPT_OUT))
    return respond, opt_out


def render_followup(campaign: Campaign, followup: FollowUp, card: ActionCard, *, reminder: bool) -> dict[str, str]:
    """Subject, plain-text body and HTML body for one person."""
    respond, opt_out = personal_links(followup)
    template = campaign.reminder_message if reminder and campaign.reminder_message else (
        DEFAULT_REMINDER if reminder else campaign.message)
    context = {
        "greeting": f"Dear {card.name}," if card.name else "Hello,",
        "message": template.replace("{event}", campaign.event.title),
        "actions": [action.text for action in card.actions],
        "respond_url": respond,
        "opt_out_url": opt_out,
        "closes_at": campaign.closes_at,
        "project_title": campaign.event.project.title,
    }
    subject = ("Reminder: " if reminder else "") + campaign.subject
    return {
        "subject": subject[:200],
        "body": render_template("followups/email.txt", **context),
        "html": render_template("followups/email.html", **context),
    }
