"""Projects, members and roles, partner organisations, site administration, the outbox page."""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from sqlalchemy import select

from impact.auth.services import find_user_by_email
from impact.extensions import db as _db
from impact.mail.models import OutboxMessage
from impact.projects.models import Invitation, Membership, PartnerOrganisation, Project, Role
from impact.toc.services import load_chain
from tests import factories


def _membership(project, user):
    _db.session.expire_all()
    return _db.session.scalar(
        select(Membership).where(Membership.project_id == project.id, Membership.user_id == user.id))


def _invite(client, project, **data):
    form = {"role": "practitioner_researcher", "partner_group": "practitioner", "organisation_id": 0, **data}
    return client.post(f"/projects/{project.id}/members", data=form)


def _invitation_path(email: str) -> str:
    _db.session.expire_all()
    message = _db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == email,
                                                             OutboxMessage.kind == "invitation")
                                 .order_by(OutboxMessage.id.desc()))
    return re.search(r"http://localhost(/invitations/\S+)", factories.email_text(message)).group(1)


def test_an_existing_account_joins_from_the_invitation_with_the_role_given(client, app, project, login_as):
    login_as("lead", project)
    colleague = factories.user("Colleague")
    response = _invite(client, project, email=colleague.email, name="Col")
    assert response.status_code == 302
    assert _membership(project, colleague) is None  # not until they accept
    invitee = app.test_client()
    path = _invitation_path(colleague.email)
    page = invitee.get(path, follow_redirects=True).get_data(as_text=True)
    assert "Log in to accept" in page
    invitee.post(f"/login?next={path}", data={"email": colleague.email, "password": factories.PASSWORD})
    joined = invitee.post(path)
    assert joined.status_code == 302 and joined.headers["Location"] == f"/projects/{project.id}"
    assert _membership(project, colleague).role == Role.PRACTITIONER_RESEARCHER
    assert invitee.post(path).status_code == 400  # the link works once


def test_a_new_person_sets_a_password_from_the_invitation_and_lands_in_the_project(client, app, project, login_as):
    login_as("lead", project)
    council = _db.session.scalar(select(PartnerOrganisation).where(PartnerOrganisation.project_id == project.id))
    response = _invite(client, project, email="Carer@Example.org", name="Pat Carer", role="co_researcher",
                       partner_group="carer", organisation_id=council.id)
    assert response.status_code == 302
    assert find_user_by_email("carer@example.org") is None  # no account until they accept
    invitee = app.test_client()
    path = _invitation_path("carer@example.org")
    form = invitee.get(path).get_data(as_text=True)
    assert 'value="Pat Carer"' in form and "Choose a password" in form
    landed = invitee.post(path,
                          data={"name": "Pat Carer", "password": "a long enough one", "confirm": "a long enough one"})
    assert landed.status_code == 302 and landed.headers["Location"] == f"/projects/{project.id}"
    user = find_user_by_email("carer@example.org")
    membership = _membership(project, user)
    assert (membership.role, membership.organisation_id) == (Role.CO_RESEARCHER, council.id)
    assert invitee.get(f"/projects/{project.id}").status_code == 200  # logged in


def test_inviting_never_reveals_whether_an_email_has_an_account_or_its_name(client, project, login_as):
    """Review defect 9: the Members form must not tell a lead who has an account, or their real name."""
    login_as("lead", project)
    factories.user("Dr Secret Name", email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        sent = _invite(client, project, email=email, name="Whoever", role="funder", partner_group="funder")
        assert sent.status_code == 302
        page = client.get(sent.headers["Location"]).get_data(as_text=True)
        answers.append(page.replace(email, "EMAIL"))
        assert "Dr Secret Name" not in page
    # Apart from the address itself the pages are the same, but for the ordering of the waiting list.
    flash = [re.search(r'<p class="flash flash-success">(.*?)</p>', page).group(1) for page in answers]
    assert flash[0] == flash[1]
    # Both invitations wait under the name the lead gave; the existing account's name appears nowhere.
    members = client.get(f"/projects/{project.id}/members").get_data(as_text=True)
    assert members.count("Whoever") == 2 and "Dr Secret Name" not in members


def test_an_invitation_needs_a_name_whoever_it_is_for(client, project, login_as):
    login_as("lead", project)
    factories.user("Someone", email="known@example.org")
    for email in ("known@example.org", "new@example.org"):
        page = _invite(client, project, email=email, role="funder", partner_group="funder")
        assert page.status_code == 400 and 'id="name-error"' in page.get_data(as_text=True)
    assert _db.session.scalars(select(OutboxMessage)).all() == []


def test_sending_again_replaces_the_link_and_withdrawing_ends_it(client, app, project, login_as):
    login_as("lead", project)
    _invite(client, project, email="late@example.org", name="Late")
    first = _invitation_path("late@example.org")
    invitation = _db.session.scalar(select(Invitation).where(Invitation.email == "late@example.org"))
    client.post(f"/projects/{project.id}/invitations/{invitation.id}/send-again")
    second = _invitation_path("late@example.org")
    invitee = app.test_client()
    assert invitee.get(first).status_code == 400 and invitee.get(second).status_code == 200
    client.post(f"/projects/{project.id}/invitations/{invitation.id}/withdraw")
    assert invitee.get(second).status_code == 400
    assert find_user_by_email("late@example.org") is None


def test_an_invitation_dies_with_its_inviters_right_to_manage_the_project(client, app, project, login_as):
    """A lead about to be removed must not be able to invite a second address of their own and come back."""
    lead = login_as("lead", project)
    _invite(client, project, email="my.other@example.org", name="Me again", role="lead", partner_group="academic")
    path = _invitation_path("my.other@example.org")
    membership = _membership(project, lead)
    membership.role = Role.TEAM_MEMBER
    _db.session.commit()
    refused = app.test_client().get(path)
    assert refused.status_code == 400 and "no longer manages the project" in refused.get_data(as_text=True)


def test_inviting_a_member_again_is_refused(client, project, login_as):
    lead = login_as("lead", project)
    page = _invite(client, project, email=lead.email, name="Me", role="funder",
                   partner_group="funder").get_data(as_text=True)
    assert "already a member of this project" in page


def test_only_site_admins_and_accounts_they_allow_create_projects(client, app, project, login_as):
    """Review defect 9: any account could create a project and use its Members form as an account probe."""
    login_as("funder", project)
    assert "New project" not in client.get("/").get_data(as_text=True)
    refused = client.post("/projects/new", data={"title": "Probe"})
    assert refused.status_code == 403 and "ask a site admin" in refused.get_data(as_text=True)
    assert _db.session.scalar(select(Project).where(Project.title == "Probe")) is None
    admin = app.test_client()
    boss = factories.user("Boss", admin=True)
    admin.post("/login", data={"email": boss.email, "password": factories.PASSWORD})
    funder = _db.session.scalar(select(Membership).where(Membership.project_id == project.id,
                                                         Membership.role == Role.FUNDER)).user
    admin.post(f"/admin/users/{funder.id}", data={"name": funder.name, "active": "y", "can_create_projects": "y"})
    assert "New project" in client.get("/").get_data(as_text=True)
    assert client.post("/projects/new", data={"title": "Allowed now"}).status_code == 302


def test_the_new_project_and_import_buttons_show_only_to_those_who_may_create(client, project, login_as):
    login_as("lead", project)  # a project's lead, whose account may not create projects
    page = client.get("/").get_data(as_text=True)
    assert 'href="/projects/new"' not in page and 'href="/projects/import"' not in page
    client.post("/logout")
    login_as("outsider")  # in no project: the page says whom to ask, not to create one
    page = client.get("/").get_data(as_text=True)
    assert 'href="/projects/new"' not in page and "Ask a project lead to invite you" in page
    client.post("/logout")
    login_as("creator")
    page = client.get("/").get_data(as_text=True)
    assert '<a class="button" href="/projects/new">New project</a>' in page and 'href="/projects/import"' in page
    assert "Create one, or ask a project lead" in page


def test_the_last_lead_cannot_step_down_or_be_removed(client, project, login_as):
    lead = login_as("lead", project)
    original = next(m for m in project.memberships if m.role == Role.LEAD and m.user_id != lead.id)
    membership = _membership(project, lead)
    # two leads: the one created with the project and the logged-in one; remove the original
    assert client.post(f"/projects/{project.id}/members/{original.id}/remove").status_code == 302
    page = client.post(f"/projects/{project.id}/members/{membership.id}", data={
        "role": "team_member", "partner_group": "academic", "organisation_id": 0}).get_data(as_text=True)
    assert "A project needs at least one lead" in page
    page = client.post(f"/projects/{project.id}/members/{membership.id}/remove",
                       follow_redirects=True).get_data(as_text=True)
    assert "A project needs at least one lead" in page
    assert _membership(project, lead).role == Role.LEAD


def test_organisations_are_added_and_duplicates_explained(client, project, login_as):
    login_as("lead", project)
    added = client.post(f"/projects/{project.id}/organisations",
                        data={"org-name": "Carers Forum", "org-kind": "third_sector"})
    assert added.status_code == 302
    page = client.post(f"/projects/{project.id}/organisations", data={"org-name": "carers forum", "org-kind": "other"})
    assert page.status_code == 400
    assert "already a partner organisation" in page.get_data(as_text=True)
    names = set(_db.session.scalars(
        select(PartnerOrganisation.name).where(PartnerOrganisation.project_id == project.id)))
    assert names == {"Council A", "Carers Forum"}


def test_project_list_shows_only_my_projects(client, project, login_as):
    factories.project(title="Someone else's project")
    login_as("funder", project)
    page = client.get("/").get_data(as_text=True)
    assert project.title in page and "Someone else" not in page


def test_funder_sees_the_overview_but_not_the_working_pages(client, project, login_as):
    login_as("funder", project)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    # The chain as the team is changing it is not theirs to read: the published report is.
    assert project.title in page and "No version of the report has been published yet" in page
    assert "<svg" not in page and "Results chain" not in page
    assert "Theory of change</a>" not in page  # no link to pages they cannot open
    assert client.get(f"/projects/{project.id}/chain/").status_code == 403


def test_admin_creates_a_user_who_gets_a_set_password_email(client, login_as):
    login_as("admin")
    response = client.post("/admin/users", data={"email": "newbie@example.org", "name": "Newbie"})
    assert response.status_code == 302
    assert find_user_by_email("newbie@example.org") is not None
    outbox = client.get("/admin/outbox/").get_data(as_text=True)
    assert "newbie@example.org" in outbox and "No SMTP server is configured" in outbox
    message = _db.session.scalar(select(OutboxMessage))
    # The outbox never holds a working link (review defect 11); the email as sent does.
    shown = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "/password/reset/" not in shown and "Personal links are made when the email is sent" in shown
    assert "http://localhost/password/reset/" in factories.email_text(message)


def test_admin_cannot_lock_themselves_out(client, login_as):
    admin = login_as("admin")
    page = client.post(f"/admin/users/{admin.id}",
                       data={"name": "Admin", "is_admin": "", "active": "y"}).get_data(as_text=True)
    assert "You cannot remove your own admin rights" in page


def test_admin_search_finds_users(client, login_as):
    login_as("admin")
    factories.user("Findable Person", email="findme@example.org")
    page = client.get("/admin/users?q=findable").get_data(as_text=True)
    assert "findme@example.org" in page


class _Elements(HTMLParser):
    """Every element's tag and attributes, in page order."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.elements if attrs.get("id")]

    def by_id(self, element_id: str) -> tuple[str, dict] | None:
        return next(((tag, attrs) for tag, attrs in self.elements if attrs.get("id") == element_id), None)


def _duplicate_ids(html: str) -> list[str]:
    return [element_id for element_id, n in Counter(_Elements(html).ids()).items() if n > 1]


def test_members_page_ids_are_unique_so_labels_find_their_fields(client, project, login_as):
    login_as("lead", project)
    url = f"/projects/{project.id}/members"
    page = client.get(url).get_data(as_text=True)
    assert _duplicate_ids(page) == []
    for label_for in ("email", "name", "org-name", "org-kind"):
        assert _Elements(page).by_id(label_for) is not None
    # The pages re-shown with errors, from either form, keep their ids apart too.
    bad_org = client.post(f"/projects/{project.id}/organisations", data={"org-name": "", "org-kind": "other"})
    assert bad_org.status_code == 400
    assert _duplicate_ids(bad_org.get_data(as_text=True)) == []
    bad_member = client.post(url, data={"email": "not-an-email", "role": "funder", "partner_group": "funder",
                                        "organisation_id": 0})
    assert bad_member.status_code == 400
    assert _duplicate_ids(bad_member.get_data(as_text=True)) == []


def test_organisation_error_shows_on_its_own_form_and_posting_adds_it(client, project, login_as):
    login_as("lead", project)
    page = client.post(f"/projects/{project.id}/organisations",
                       data={"org-name": "", "org-kind": "other"}).get_data(as_text=True)
    elements = _Elements(page)
    assert elements.by_id("org-name-error") is not None and elements.by_id("email-error") is None
    assert 'href="#org-name"' in page and elements.by_id("org-name")[0] == "input"
    response = client.post(f"/projects/{project.id}/organisations",
                           data={"org-name": "Carers Forum", "org-kind": "third_sector"}, follow_redirects=True)
    assert "Carers Forum added." in response.get_data(as_text=True)
    kinds = dict(_db.session.execute(select(PartnerOrganisation.name, PartnerOrganisation.kind)
                                     .where(PartnerOrganisation.project_id == project.id)).all())
    assert kinds["Carers Forum"].value == "third_sector"


def test_error_summary_link_for_a_radio_field_reaches_the_field(client, project, login_as):
    """Radios have no single input to link to: the summary must land on their fieldset."""
    login_as("team_member", project)
    link = load_chain(project.id).links[0]
    response = client.post(f"/projects/{project.id}/chain/links/{link.id}/assumptions",
                           data={"kind": "not-a-kind", "text": "Staff stay in post"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    elements = _Elements(page)
    summary_links = [attrs["href"] for tag, attrs in elements.elements
                     if tag == "a" and (attrs.get("href") or "").startswith("#kind")]
    assert summary_links == ["#kind"]
    tag, attrs = elements.by_id("kind")
    assert tag == "fieldset" and "kind-error" in attrs["aria-describedby"]
    radios = [attrs for tag, attrs in elements.elements if tag == "input" and attrs.get("type") == "radio"]
    assert [r["id"] for r in radios] == [f"kind-{i}" for i in range(len(radios))] and len(radios) >= 2
    assert _duplicate_ids(page) == []


def test_organisation_form_posts_with_csrf_protection_on(app_with, project):
    """The prefixed form carries its token as org-csrf_token, which Flask-WTF accepts."""
    protected = app_with(WTF_CSRF_ENABLED=True).test_client()
    lead = factories.user_with_role("lead", project)
    login_page = protected.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    protected.post("/login", data={"email": lead.email, "password": factories.PASSWORD, "csrf_token": token})
    members_page = protected.get(f"/projects/{project.id}/members").get_data(as_text=True)
    org_token = re.search(r'name="org-csrf_token" type="hidden" value="([^"]+)"', members_page).group(1)
    url = f"/projects/{project.id}/organisations"
    assert protected.post(url, data={"org-name": "Forged", "org-kind": "other"}).status_code == 400
    response = protected.post(url, data={"org-csrf_token": org_token, "org-name": "Carers Forum",
                                         "org-kind": "third_sector"})
    assert response.status_code == 302
    names = set(_db.session.scalars(
        select(PartnerOrganisation.name).where(PartnerOrganisation.project_id == project.id)))
    assert names == {"Council A", "Carers Forum"}
