"""Permission matrix: every route, requested by every kind of user, gets the right status.

The expected answers are written out here from the rules (not imported from
permissions.CAPABILITIES), so a change to the rules in the app has to be matched by a
deliberate change to this table. A route missing from CASES fails
test_every_route_has_a_case, so new routes cannot slip in without permission coverage.
"""
from __future__ import annotations

import datetime as dt
import importlib
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from impact.api.tokens import create_token
from impact.auth.services import create_user, make_reset_token, send_password_reset
from impact.cards import online
from impact.cards.models import ActionCard, CardConfirmation, CardSource, action_steps
from impact.cards.online import PURPOSE as CARD_CONFIRMATION
from impact.cards.services import CardData, save_card, tag_actions
from impact.charts.bundle import plotly_version
from impact.coding.models import FactorTheme
from impact.coding.services import add_default_themes, set_codes
from impact.events.models import Event, EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceLink
from impact.extensions import db as _db
from impact.followups.models import Campaign, FollowUp, Progress, Response
from impact.followups.services import save_campaign, save_response, send_campaign
from impact.followups.tokens import OPT_OUT, make_token
from impact.mail.models import OutboxMessage
from impact.model_types import utcnow
from impact.projects.invitations import PURPOSE as INVITATION
from impact.projects.invitations import invite
from impact.projects.models import Invitation, Membership, PartnerGroup, PartnerOrganisation, Role
from impact.projects.permissions import Need
from impact.signing import make_token as make_signed
from impact.toc import revisions, trash
from impact.toc.models import FactorDirection
from impact.toc.services import add_step, load_chain
from impact.trash import TrashRecord as DeletedStep
from tests import factories
from tests.permission_cases import (
    ADMIN,
    ALLOWED,
    CREATOR,
    GUEST,
    LOGIN,
    LOGIN_FORM,
    NEW_PASSWORD,
    NOT_THEIRS,
    OWNER,
    PUBLIC,
    PUBLIC_FORM,
    ROLES,
    TOKEN,
    UPLOAD,
    C,
    Case,
    E,
    F,
    get,
    post,
)

# Modules of tests/permission_cases adding later features' routes (see its __init__).
FEATURES = [importlib.import_module(f"tests.permission_cases.{name}") for name in (
    "evidence", "assessment", "tracing", "story", "research", "meetings", "publishing", "transfer", "api")]

# Each POST carries valid data, so an allowed user reaches the success redirect.
BASE_CASES = [
    get("auth.login", "/login", GUEST),
    post("auth.login", "/login", PUBLIC, email="{lead_email}", password=factories.PASSWORD),
    post("auth.logout", "/logout", PUBLIC),
    get("auth.forgot_password", "/password/forgot", PUBLIC),
    post("auth.forgot_password", "/password/forgot", PUBLIC, email="{lead_email}"),
    get("auth.reset_password", "/password/reset/{token}", PUBLIC),
    get("charts.script", f"/vendor/plotly/{plotly_version()}/plotly.min.js", PUBLIC),
    get("charts.stylesheet", f"/vendor/plotly/{plotly_version()}/plotly.css", PUBLIC),
    post("auth.reset_password", "/password/reset/{token}", PUBLIC, password=NEW_PASSWORD, confirm=NEW_PASSWORD),
    get("auth.change_password", "/account/password", LOGIN),
    post("auth.change_password", "/account/password", LOGIN,
         current=factories.PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD),
    get("projects.index", "/", LOGIN),
    get("projects.new_project", "/projects/new", CREATOR),
    post("projects.new_project", "/projects/new", CREATOR, title="Another project", organisations="Council B"),
    get("admin.users", "/admin/users", ADMIN),
    post("admin.users", "/admin/users", ADMIN, email="newcomer@example.org", name="Newcomer"),
    get("admin.edit_user", "/admin/users/{lead_id}", ADMIN),
    post("admin.edit_user", "/admin/users/{lead_id}", ADMIN, name="Renamed lead", active="y"),
    post("admin.send_reset", "/admin/users/{lead_id}/reset", ADMIN),
    get("jobs.health_page", "/admin/jobs/", ADMIN),
    get("mail.outbox", "/admin/outbox/", ADMIN),
    get("mail.message", "/admin/outbox/{message}", ADMIN),
    post("mail.resend", "/admin/outbox/{message}/send-again", ADMIN),
    post("mail.mark_as_sent", "/admin/outbox/{message}/mark-sent", ADMIN),
    # Project pages.
    get("projects.project", "/projects/{p}", Need.VIEW_REPORT),
    get("projects.edit_project", "/projects/{p}/edit", Need.MANAGE),
    post("projects.edit_project", "/projects/{p}/edit", Need.MANAGE, title="Renamed", version="{project_version}"),
    get("projects.members", "/projects/{p}/members", Need.MANAGE),
    post("projects.members", "/projects/{p}/members", Need.MANAGE, email="added@example.org", name="Added",
         role="co_researcher", partner_group="other", organisation_id="0"),
    get("projects.edit_member", "/projects/{p}/members/{membership}", Need.MANAGE),
    post("projects.edit_member", "/projects/{p}/members/{membership}", Need.MANAGE,
         role="co_researcher", partner_group="other", organisation_id="0"),
    post("projects.remove_member", "/projects/{p}/members/{membership}/remove", Need.MANAGE),
    post("projects.resend_invitation", "/projects/{p}/invitations/{invitation}/send-again", Need.MANAGE),
    post("projects.withdraw_invitation", "/projects/{p}/invitations/{invitation}/withdraw", Need.MANAGE),
    # The invitee's link: a new account for an email nobody has an account with.
    get("invitations.accept", "/invitations/{invitation_token}", PUBLIC),
    post("invitations.accept", "/invitations/{invitation_token}", PUBLIC, name="Invited person",
         password=NEW_PASSWORD, confirm=NEW_PASSWORD),
    post("projects.add_organisation", "/projects/{p}/organisations", Need.MANAGE,
         **{"org-name": "Council B", "org-kind": "other"}),
    post("projects.remove_organisation", "/projects/{p}/organisations/{org}/remove", Need.MANAGE),
    # The chain editor.
    get("toc.chain", C + "/", Need.READ),
    post("toc.add_level", C + "/levels", Need.EDIT, name="Policy change"),
    get("toc.edit_level", C + "/levels/{level}/edit", Need.EDIT),
    post("toc.edit_level", C + "/levels/{level}/edit", Need.EDIT, name="Events"),
    post("toc.move_level", C + "/levels/{level}/move", Need.EDIT, direction="down"),
    post("toc.delete_level", C + "/levels/{empty_level}/delete", Need.EDIT),
    post("toc.quick_add_step", C + "/levels/{level}/steps", Need.EDIT, title="Workshops"),
    get("toc.new_step", C + "/steps/new", Need.EDIT),
    post("toc.new_step", C + "/steps/new", Need.EDIT, title="Workshops", level_id="{level}"),
    get("toc.step", C + "/steps/{step}", Need.READ),
    get("toc.edit_step", C + "/steps/{step}/edit", Need.EDIT),
    post("toc.edit_step", C + "/steps/{step}/edit", Need.EDIT,
         title="Seminars and workshops", level_id="{level}", version="{step_version}"),
    post("toc.move_step", C + "/steps/{step}/move", Need.EDIT, direction="down"),
    get("toc.delete_step", C + "/steps/{step}/delete", Need.EDIT),
    post("toc.delete_step", C + "/steps/{step}/delete", Need.EDIT, confirm="yes"),
    post("toc.restore_step", C + "/deleted/{deleted}/restore", Need.EDIT),
    get("toc.new_link", C + "/links/new", Need.EDIT),
    post("toc.new_link", C + "/links/new", Need.EDIT, source_id="{step}", target_id="{spare_step}"),
    get("toc.link", C + "/links/{link}", Need.READ),
    get("toc.delete_link", C + "/links/{link}/delete", Need.EDIT),
    post("toc.delete_link", C + "/links/{link}/delete", Need.EDIT, confirm="yes"),
    post("toc.add_assumption", C + "/links/{link}/assumptions", Need.EDIT, kind="risk", text="Staff turnover"),
    get("toc.edit_assumption", C + "/assumptions/{assumption}/edit", Need.EDIT),
    post("toc.edit_assumption", C + "/assumptions/{assumption}/edit", Need.EDIT, kind="risk", text="Reworded",
         version="{assumption_version}"),
    get("toc.delete_assumption", C + "/assumptions/{assumption}/delete", Need.EDIT),
    post("toc.delete_assumption", C + "/assumptions/{assumption}/delete", Need.EDIT, confirm="yes"),
    post("toc.add_factor", C + "/steps/{step}/factors", Need.EDIT, title="New director", direction="helping"),
    post("toc.share_factor", C + "/steps/{step}/factors/share", Need.EDIT, **{"share-factor_id": "{factor}"}),
    post("toc.unshare_factor", C + "/steps/{step}/factors/{factor}/unshare", Need.EDIT),
    get("toc.edit_factor", C + "/factors/{factor}/edit", Need.EDIT),
    post("toc.edit_factor", C + "/factors/{factor}/edit", Need.EDIT, title="Caseloads", direction="hindering",
         version="{factor_version}"),
    get("toc.delete_factor", C + "/factors/{factor}/delete", Need.EDIT),
    post("toc.delete_factor", C + "/factors/{factor}/delete", Need.EDIT, confirm="yes"),
    get("toc.revision_list", C + "/revisions", Need.READ),
    post("toc.revision_list", C + "/revisions", Need.EDIT, name="Midpoint", revision_date="2024-06-30"),
    get("toc.revision", C + "/revisions/{revision}", Need.READ),
    get("toc.compare", C + "/revisions/compare?old={revision}&new=current", Need.READ),
    # Events, action cards and follow-ups.
    get("events.index", "/projects/{p}/events/", Need.READ),
    get("events.new", "/projects/{p}/events/new", Need.EDIT),
    post("events.new", "/projects/{p}/events/new", Need.EDIT, kind="workshop", title="Workshop",
         event_date="2011-06-01"),
    get("events.show", E, Need.READ),
    get("events.edit", E + "/edit", Need.EDIT),
    post("events.edit", E + "/edit", Need.EDIT, kind="seminar", title="Renamed seminar", event_date="2011-03-15",
         version="{event_version}"),
    post("events.card_form", E + "/card-form", Need.EDIT, state="closed"),
    get("cards.index", E + "/cards/", Need.EDIT),
    get("card_sheet.sheet", E + "/cards/sheet", Need.EDIT),
    get("cards.new", E + "/cards/new", Need.EDIT),
    post("cards.new", E + "/cards/new", Need.EDIT, email="new@council.gov.uk", action_1="Try it", submit="y"),
    get("cards.edit", E + "/cards/{card}/edit", Need.EDIT),
    post("cards.edit", E + "/cards/{card}/edit", Need.EDIT, email="{card_email}", action_1="Reworded"),
    get("cards.delete", E + "/cards/{spare_card}/delete", Need.EDIT),
    post("cards.delete", E + "/cards/{spare_card}/delete", Need.EDIT, confirm="yes"),
    get("cards.tags", E + "/cards/tags", Need.EDIT),
    get("card_import.import_cards", E + "/cards/import", Need.EDIT),
    post("card_import.import_cards", E + "/cards/import", Need.EDIT,
         file=UPLOAD + "cards.csv:email,action_1\r\nimported@council.gov.uk,Read the guide\r\n"),
    get("card_import.template", E + "/cards/import/template.csv", Need.EDIT),
    post("cards.tags", E + "/cards/tags", Need.EDIT, action_ids="{action}", step_id="{step}", add="y"),
    get("followup_list.index", "/projects/{p}/followups/", Need.EDIT),
    get("followups.new", F + "/new", Need.EDIT),
    post("followups.new", F + "/new", Need.EDIT, subject="Hello", message="How did it go?",
         send_at="2030-01-01T09:00", closes_at="2030-03-01T09:00"),
    get("followups.show", F + "/{campaign}", Need.EDIT),
    get("followups.edit", F + "/{draft_campaign}/edit", Need.EDIT),
    post("followups.edit", F + "/{draft_campaign}/edit", Need.EDIT, subject="Hello again", message="How?",
         send_at="2030-01-01T09:00", closes_at="2030-03-01T09:00", version="{draft_version}"),
    post("followups.send_now", F + "/{draft_campaign}/send", Need.EDIT, what="followup"),
    post("followups.close", F + "/{campaign}/close", Need.EDIT),
    get("followups.response", F + "/{campaign}/responses/{response}", Need.EDIT),
    get("coding.codebook", "/projects/{p}/codebook", Need.READ),
    post("coding.codebook", "/projects/{p}/codebook", Need.EDIT, name="Peer support"),
    post("coding.add_defaults", "/projects/{p}/codebook/defaults", Need.EDIT),
    get("coding.edit_theme", "/projects/{p}/codebook/{theme}/edit", Need.EDIT),
    post("coding.edit_theme", "/projects/{p}/codebook/{theme}/edit", Need.EDIT, name="Caseload pressure",
         factor_ids="{factor}"),
    post("coding.delete_theme", "/projects/{p}/codebook/{spare_theme}/delete", Need.EDIT),
    post("coding.code_response", "/projects/{p}/responses/{response}/codes", Need.EDIT, code="{theme}:hindering"),
    get("coding.workbench", "/projects/{p}/coding", Need.EDIT),
    post("coding.code_update", "/projects/{p}/updates/{rs_update}/codes", Need.EDIT, code="{theme}:helping"),
    get("coding.theme_passages", "/projects/{p}/coding/themes/{theme}?direction=hindering", Need.EDIT),
    post("evidence_links.judge", "/projects/{p}/evidence-links/{evidence_link}", Need.EDIT, stance="mixed",
         strength="weak"),
    get("reports.report_json", "/projects/{p}/report.json", Need.VIEW_REPORT),
    # What attendees and respondents use, without an account.
    get("public_cards.card", "/cards/{card_key}", PUBLIC_FORM),
    post("public_cards.card", "/cards/{card_key}", PUBLIC_FORM, email="walkin@council.gov.uk", action_1="Listen more"),
    get("public_cards.confirm", "/cards/confirm/{card_confirm_token}", PUBLIC_FORM),
    post("public_cards.confirm", "/cards/confirm/{card_confirm_token}", PUBLIC_FORM),
    get("respond.form", "/followup/{respond_token}", PUBLIC_FORM),
    post("respond.form", "/followup/{respond_token}", PUBLIC_FORM, **{"progress_{action}": "some"}),
    get("respond.opt_out", "/followup/{opt_out_token}/opt-out", PUBLIC_FORM),
    post("respond.opt_out", "/followup/{opt_out_token}/opt-out", PUBLIC_FORM),
]
CASES = BASE_CASES + [case for feature in FEATURES for case in feature.CASES]


def expected_status(case: Case, role: str) -> int:
    if case.api:
        return expected_api_status(case, role)
    success = 200 if case.method == "GET" or case.need in (PUBLIC_FORM, LOGIN_FORM) else 302
    if case.need in (PUBLIC, PUBLIC_FORM):
        return success
    if case.need == GUEST:
        return success if role == "anonymous" else 302
    if role == "anonymous":
        return 302  # to the login page; the test checks where
    if case.need in (LOGIN, LOGIN_FORM):
        return success
    if case.need == NOT_THEIRS:
        return 404
    if case.need == CREATOR:
        return success if role == "admin" else 403
    if case.need == OWNER:  # a contributor's own: the others who may contribute do not see it; the rest may not
        return 404 if role == "admin" or role in ALLOWED[Need.CONTRIBUTE] else (404 if role == "outsider" else 403)
    if case.need == ADMIN or role == "admin":
        return success if role == "admin" else 404
    if role == "outsider":
        return 404  # not even the project's existence is revealed
    return success if role in ALLOWED[case.need] else 403


def expected_api_status(case: Case, role: str) -> int:
    """The API answers as the pages do, with 401 for no token (nobody is sent to a login page)."""
    success = {"GET": 200, "POST": 201, "PATCH": 200}[case.method]
    if role == "anonymous":
        return 401
    if case.need == TOKEN or role == "admin":
        return success
    if role == "outsider":
        return 404
    return success if role in ALLOWED[case.need] else 403


def signed_in(app, role: str, project, case: Case):
    """A client for the role: logged in through the login form, or for an API case holding the user's token."""
    if case.api:
        client = app.test_client(use_cookies=False)
        if role != "anonymous":
            _, raw = create_token(factories.user_with_role(role, project), "Permission matrix")
            _db.session.commit()
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client
    client = app.test_client()  # a fresh client per role: no session carried over
    if role != "anonymous":
        user = factories.user_with_role(role, project)
        assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return client


def furnish(project, revision_count: int = 1) -> None:
    """Give the project what the routes above need besides the fixture's chain."""
    chain = load_chain(project.id)
    # Every pair of the three steps is already linked one way, so new_link needs a free step;
    # beside Seminars, so that moving Seminars really moves it.
    seminars = next(step for step in chain.steps if step.title == "Seminars")
    add_step(project, seminars.level, "Spare step")
    trash.delete_step(add_step(project, seminars.level, "Discarded step"), None)  # something to restore
    # A member who is not the lead, to edit and remove; made here to share furnish's one commit.
    member = create_user(f"member{project.id}@example.org", "Team member", None)
    _db.session.add(Membership(project=project, user=member, role=Role.TEAM_MEMBER, partner_group=PartnerGroup.OTHER))
    for number in range(revision_count):
        revisions.save_revision(project, name=f"Revision {number + 1}", revision_date=dt.date(2024, 1, 1),
                                note="", user=None)
    send_password_reset(lead_of(project))  # puts a message in the outbox
    invite(project, lead_of(project), email=f"invitee{project.id}@example.org", name="Invitee",
           role=Role.PRACTITIONER_RESEARCHER, partner_group=PartnerGroup.PRACTITIONER, organisation_id=None)
    furnish_cards(project, seminars)
    for feature in FEATURES:
        feature.furnish(project, seminars)
    _db.session.commit()


def furnish_cards(project, step) -> None:
    """An event with an open card form, two cards, a sent follow-up answered once, a draft one, a codebook."""
    event = save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2011, 3, 15),
                       place="", notes="", attendance={PartnerGroup.PRACTITIONER: 20})
    event.card_form_open = True
    answered, _ = save_card(event, CardData("ann@council.gov.uk", ["Write for the family"],
                                            partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)
    save_card(event, CardData("bob@council.gov.uk", ["Ask what helps"]), CardSource.PAPER)

    tag_actions(project, event, [answered.actions[0].id], step)
    now = utcnow()
    sent = save_campaign(event, None, subject="How did it go?", message="Tell us", reminder_message="",
                         send_at=now, reminder_at=None, closes_at=now + dt.timedelta(days=30))
    save_campaign(event, None, subject="Later", message="Tell us again", reminder_message="",
                  send_at=now + dt.timedelta(days=60), reminder_at=None, closes_at=now + dt.timedelta(days=90))
    send_campaign(sent)
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == answered.id))
    response = save_response(followup, progress={answered.actions[0].id: (Progress.SOME, "", "")}, helped="Time",
                             hindered="", anything_else="", consent_to_quote=False, pseudonym="")
    # At a later event, an online card sent again through the public link: the change waits for its email's
    # confirmation (no follow-up has been sent about it, so the person may still change it).
    later = save_event(project, None, kind=EventKind.WORKSHOP, title="Later workshop", event_date=dt.date(2011, 6, 1),
                       place="", notes="", attendance={})
    save_card(later, CardData("cara@council.gov.uk", ["Listen first"]), CardSource.ONLINE)
    online.submit(later, CardData("cara@council.gov.uk", ["Listen first", "Then write"]))
    add_default_themes(project)
    themes = _db.session.scalars(select(FactorTheme).where(FactorTheme.project_id == project.id)
                                 .order_by(FactorTheme.id)).all()
    set_codes(project, response, {(themes[0].id, FactorDirection.HELPING)})


def lead_of(project):
    return next(m.user for m in project.memberships if m.role == Role.LEAD)


def world(project) -> dict[str, object]:
    """The ids the path and form templates refer to, read back from the database."""
    _db.session.expire_all()
    chain = load_chain(project.id)
    by_title = {step.title: step for step in chain.steps}
    seminars = by_title["Seminars"]
    lead = lead_of(project)
    invitation = _db.session.scalar(select(Invitation).where(Invitation.project_id == project.id))
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    factor = next(f for factors in chain.factors_by_step.values() for f in factors)
    return {
        "p": project.id,
        "project_version": project.version,
        "level": seminars.level_id,
        "empty_level": next(level.id for level in chain.levels if not chain.steps_by_level[level.id]),
        "step": seminars.id,
        "step_version": seminars.version,
        "spare_step": by_title["Spare step"].id,
        "link": link.id,
        "assumption": chain.assumptions_by_link[link.id][0].id,
        "assumption_version": chain.assumptions_by_link[link.id][0].version,
        "factor": factor.id,
        "factor_version": factor.version,
        "revision": max(r.number for r in _db.session.scalars(revisions.revisions_query(project))),
        "deleted": _db.session.scalar(select(DeletedStep.id).where(DeletedStep.project_id == project.id,
                                                                   DeletedStep.kind == "step")),
        "membership": next(m.id for m in project.memberships if m.role == Role.TEAM_MEMBER),
        "org": project.organisations[0].id,
        "lead_id": lead.id,
        "lead_email": lead.email,
        "token": make_reset_token(lead),
        "message": _db.session.scalar(select(OutboxMessage.id)),
        "invitation": invitation.id,
        "invitation_token": make_signed(INVITATION, [invitation.id, invitation.token_stamp]),
        **world_of_cards(project),
        **{key: value for feature in FEATURES for key, value in feature.world(project).items()},
    }


def world_of_cards(project) -> dict[str, object]:
    event = _db.session.scalar(select(Event).where(Event.project_id == project.id).order_by(Event.id).limit(1))
    cards = _db.session.scalars(select(ActionCard).where(ActionCard.event_id == event.id)
                                .order_by(ActionCard.id)).all()
    campaigns = _db.session.scalars(select(Campaign).where(Campaign.event_id == event.id)
                                    .order_by(Campaign.id)).all()
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == cards[0].id))
    response = _db.session.scalar(select(Response).where(Response.followup_id == followup.id))
    themes = _db.session.scalars(select(FactorTheme).where(FactorTheme.project_id == project.id)
                                 .order_by(FactorTheme.id)).all()
    return {
        "event": event.id,
        "event_version": event.version,
        "card_key": event.card_link_key,
        "card": cards[0].id,
        "card_email": cards[0].email,
        "spare_card": cards[1].id,
        "action": cards[0].actions[0].id,
        "campaign": campaigns[0].id,
        "draft_campaign": campaigns[1].id,
        "draft_version": campaigns[1].version,
        "response": response.id,
        "theme": themes[0].id,
        "spare_theme": themes[-1].id,
        "evidence_link": response.evidence_item.links[0].id,
        "card_confirm_token": make_signed(CARD_CONFIRMATION, _db.session.scalar(
            select(CardConfirmation.id).join(ActionCard).where(ActionCard.project_id == project.id))),
        "respond_token": make_token(followup.id),
        "opt_out_token": make_token(followup.id, OPT_OUT),
    }


def project_state(project) -> tuple:
    """What any of the routes could change in a project, to check that a refusal changed nothing."""
    _db.session.expire_all()
    return (
        (project.title, project.version),
        revisions.snapshot(load_chain(project.id)),
        list(_db.session.execute(select(Membership.id, Membership.role)
                                 .where(Membership.project_id == project.id).order_by(Membership.id))),
        list(_db.session.execute(select(Invitation.id, Invitation.token_stamp, Invitation.accepted_at)
                                 .where(Invitation.project_id == project.id).order_by(Invitation.id))),
        sorted(_db.session.scalars(select(PartnerOrganisation.id).where(PartnerOrganisation.project_id == project.id))),
        [r.number for r in _db.session.scalars(revisions.revisions_query(project))],
        list(_db.session.scalars(select(DeletedStep.restored_at).where(DeletedStep.project_id == project.id))),
        list(_db.session.execute(select(Event.id, Event.title, Event.card_form_open)
                                 .where(Event.project_id == project.id).order_by(Event.id))),
        list(_db.session.execute(select(ActionCard.id, ActionCard.email, ActionCard.version)
                                 .where(ActionCard.project_id == project.id).order_by(ActionCard.id))),
        list(_db.session.execute(select(Campaign.id, Campaign.version, Campaign.sent_at, Campaign.closed_at)
                                 .where(Campaign.project_id == project.id).order_by(Campaign.id))),
        list(_db.session.execute(select(FactorTheme.id, FactorTheme.name)
                                 .where(FactorTheme.project_id == project.id).order_by(FactorTheme.id))),
        list(_db.session.execute(select(EvidenceLink.id, EvidenceLink.stance).join(EvidenceItem)
                                 .where(EvidenceItem.project_id == project.id).order_by(EvidenceLink.id))),
        _db.session.scalar(select(func.count()).select_from(action_steps)
                           .where(action_steps.c.project_id == project.id)),
        *(feature.state(project) for feature in FEATURES),
    )


def _changes_nothing(case: Case, role: str) -> bool:
    """Whether the request leaves the project as it was: reads, refusals, and anonymous users sent to log in."""
    if case.method == "GET":
        return True
    if case.need in (PUBLIC, PUBLIC_FORM):
        return False
    return expected_status(case, role) in (401, 403, 404) or (role == "anonymous" and case.need != GUEST)


def _role_groups():
    """Each case with the roles one test can try in turn: the roles that change nothing share one furnished
    project (a read, or a refusal that is checked to change nothing); each role that changes something gets its own."""
    for case in CASES:
        unchanged = tuple(role for role in ROLES if _changes_nothing(case, role))
        if unchanged:
            label = "+".join(unchanged) if len(unchanged) < 3 else "others"
            yield pytest.param(case, unchanged, id=f"{case.id}-{label}")
        for role in ROLES:
            if role not in unchanged:
                yield pytest.param(case, (role,), id=f"{case.id}-{role}")


@pytest.mark.parametrize(("case", "roles"), list(_role_groups()))
def test_permission_matrix(app, project, case, roles):
    furnish(project)
    # Read once: the roles tried in turn on one project are those whose requests change nothing.
    ids = world(project)
    for role in roles:
        client = signed_in(app, role, project, case)
        want = expected_status(case, role)
        sent_to_login = role == "anonymous" and case.need not in (PUBLIC, PUBLIC_FORM, GUEST) and not case.api
        # A refusal must come before any change, not after it; only POSTs and PUTs could change anything.
        check_unchanged = case.method in ("POST", "PATCH") and (sent_to_login or want in (401, 403, 404))
        before = project_state(project) if check_unchanged else None
        response = case.request(client, ids)
        assert response.status_code == want, f"{case.method} {case.path} as {role}"
        if sent_to_login:
            assert urlsplit(response.headers["Location"]).path == "/login"
        if check_unchanged:
            assert project_state(project) == before, f"{case.method} {case.path} as {role} changed the project"


def test_every_route_has_a_case(app):
    """Every (endpoint, method) the app serves is in CASES, and every case names a real one."""
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules() if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(case.endpoint, case.method) for case in CASES}
    assert served - listed == set(), "routes without a permission case"
    assert listed - served == set(), "cases for routes that no longer exist"
    assert len(listed) == len(CASES), "a route is listed twice"

    class AnyId(dict):
        def __missing__(self, key):
            return "1"

    adapter = app.url_map.bind("localhost")
    for case in CASES:
        path = urlsplit(case.path.format_map(AnyId())).path
        endpoint, _ = adapter.match(path, method=case.method)
        assert endpoint == case.endpoint, f"{case.path} is served by {endpoint}"


# Routes that take an id of an object inside the project: the object must be looked up
# within the project in the URL, or a member of one project could reach into another.
# (compare takes revision numbers as query arguments and only offers the project's own.)
SCOPED = [case for case in CASES if isinstance(case.need, Need) and case.path_ids() - {"p"}]


def test_objects_of_another_project_are_not_found(app, project):
    """Every scoped route, with project B's ids in project A's URL: 404, and B unchanged after each.

    One furnished pair of projects serves every case (each must change nothing), where a pair per
    case cost over two minutes of the suite.
    """
    other = factories.chain_project()
    furnish(project)
    # B gets a revision number that A does not have, since revisions are found by number.
    furnish(other, revision_count=2)
    # Members and organisations need MANAGE: a team member would be stopped (403) before the lookup.
    web, api = next(case for case in CASES if not case.api), next(case for case in CASES if case.api)
    browsers = {(role, kind.api): signed_in(app, role, project, kind)
                for role in ("lead", "team_member") for kind in (web, api)}
    crossed = {**world(other), "p": project.id}
    before = project_state(other)
    failures = []
    for case in SCOPED:
        response = case.request(browsers["lead" if case.need == Need.MANAGE else "team_member", case.api], crossed)
        if response.status_code != 404:
            failures.append(f"{case.method} {case.path.format(**crossed)} answered {response.status_code}")
        if project_state(other) != before:
            failures.append(f"{case.method} {case.path.format(**crossed)} changed project B through project A's URL")
            before = project_state(other)
    assert len(SCOPED) > 90  # every route that looks up an object of the project
    assert not failures, "\n".join(failures)
