"""The follow-up and reminder emails: short, plain, with one link that matters."""
from __future__ import annotations

from flask import render_template

from impact.cards.models import ActionCard
from impact.extensions import db
from impact.external_urls import external_url
from impact.followups.models import Campaign, FollowUp
from impact.followups.tokens import OPT_OUT, make_token
from impact.mail.links import EmailLinks, link_maker

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


@link_maker("followup-respond")
def respond_url(followup_id: int) -> str | None:
    if db.session.get(FollowUp, followup_id) is None:
        return None
    return external_url("respond.form", token=make_token(followup_id))


@link_maker("followup-opt-out")
def opt_out_url(followup_id: int) -> str | None:
    if db.session.get(FollowUp, followup_id) is None:
        return None
    return external_url("respond.opt_out", token=make_token(followup_id, OPT_OUT))


def render_followup(campaign: Campaign, followup: FollowUp, card: ActionCard, *, reminder: bool) -> dict:
    """Subject, plain-text and HTML bodies for one person, and what their links point at.

    The bodies hold placeholders for the personal links, made when the email is sent.
    """
    links = EmailLinks(respond=("followup-respond", followup.id), opt_out=("followup-opt-out", followup.id))
    respond, opt_out = links["respond"], links["opt_out"]
    template = campaign.reminder_message if reminder and campaign.reminder_message else (
        DEFAULT_REMINDER if reminder else campaign.message)
    context = {
        "greeting": f"Dear {card.name}," if card.name else "Hello,",
        "message": template.replace("{event}", campaign.event.title),
        "actions": [action.text for action in card.actions],
        "respond_url": respond,
        "opt_out_url": opt_out,
        "closes_at": campaign.closes_at,
        "project": campaign.event.project,  # its time zone: the closing time is read on the project's clock
        "project_title": campaign.event.project.title,
    }
    subject = ("Reminder: " if reminder else "") + campaign.subject
    return {
        "subject": subject[:200],
        "body": render_template("followups/email.txt", **context),
        "html": render_template("followups/email.html", **context),
        "links": links.stored(),
    }
