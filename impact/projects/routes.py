from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from impact import change_counters
from impact.access import signed_in_only
from impact.concurrency import save_edit
from impact.extensions import db
from impact.features import page_context
from impact.forms import select_choices
from impact.page_cache import cached_page
from impact.pagination import page_number
from impact.projects import dashboard, invitations, services
from impact.projects.forms import InviteForm, MemberEditForm, OrganisationForm, ProjectCreateForm, ProjectEditForm
from impact.projects.kept import KEPT_PAGES, kept_page
from impact.projects.models import Membership, OrganisationKind, PartnerGroup, PartnerOrganisation, Project, Role
from impact.projects.permissions import Need, may, needs, visible_projects_query

bp = Blueprint("projects", __name__)

LISTED = "projects"  # the change counter of what the projects list shows: projects and who is in them
PROJECT_FIELDS = ("title", "question", "description", "start_date", "end_date", "funder", "programme", "time_zone")


signed_in_only(bp)


@bp.route("/")
def index():
    """The projects the user may open: the first pages kept until a project or a membership changes."""
    def render_page() -> str:
        page = db.paginate(visible_projects_query(), page=page_number(), per_page=current_app.config["ITEMS_PER_PAGE"])
        return render_template("projects/index.html", page=page)

    if page_number() > KEPT_PAGES:
        return render_page()
    user = current_user._get_current_object()
    key = (f"projects:{user.id}:{int(user.is_admin)}:{int(user.may_create_projects)}:"
           f"{change_counters.value(LISTED)}:{page_number()}")
    return cached_page(key, render_page, project=None)


@bp.route("/projects/new", methods=["GET", "POST"])
def new_project():
    if not current_user.may_create_projects:
        return render_template(
            "error.html", status=403, title="Not allowed",
            message="Projects are created by site admins and the accounts they allow. If you need a project, "
                    "ask a site admin to create it or to let your account create projects."), 403
    form = ProjectCreateForm()
    if form.validate_on_submit():
        project = services.create_project(
            creator=current_user,
            organisation_names=form.organisation_names(),
            **{name: getattr(form, name).data or ("" if not name.endswith("_date") else None)
               for name in PROJECT_FIELDS},
        )
        db.session.commit()
        flash("Project created from the knowledge-exchange template of levels. Add steps to build the chain.",
              "success")
        return redirect(url_for("toc.chain", project_id=project.id))
    return render_template("projects/new.html", form=form), (400 if form.errors else 200)


@bp.route("/projects/<int:project_id>")
@needs(Need.VIEW_REPORT, by_the_minute=True)
def project(project: Project):
    # The parts fill the dashboard (Mayne's six steps) and give the chain and its diagram; the first step,
    # the question, is the project's own.
    def render() -> str:
        context = page_context("projects.project", project=project, linked=may(project, Need.READ))
        lines = context.pop("dashboard", [])
        if may(project, Need.READ):
            lines.append(dashboard.question_line(project, may(project, Need.MANAGE)))
        return render_template("projects/show.html", project=project,
                               steps=dashboard.arrange(lines) if lines else [],
                               charts=sorted(context.pop("dashboard_charts", []), key=lambda chart: chart.position),
                               **context)
    return kept_page(project, render, active="overview", by_the_minute=True)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@needs(Need.MANAGE)
def edit_project(project: Project):
    form = ProjectEditForm(obj=project)
    edit = save_edit(project, form, lambda: services.update_project(project, **{
        name: getattr(form, name).data if name.endswith("_date") else (getattr(form, name).data or "")
        for name in PROJECT_FIELDS}))
    if edit.saved:
        flash("Project details saved.", "success")
        return redirect(url_for("projects.project", project_id=project.id))
    return render_template("projects/edit.html", project=project, form=form, conflict=edit.conflict), edit.status


def _organisation_form(**kwargs) -> OrganisationForm:
    # The members page shows this form beside the member form: the prefix keeps their
    # field names and ids ("name", "submit", "csrf_token") apart.
    return OrganisationForm(prefix="org", **kwargs)


def _organisation_choices(project: Project):
    return select_choices([(0, "None")] + [(org.id, org.name) for org in project.organisations])


@bp.route("/projects/<int:project_id>/members", methods=["GET", "POST"])
@needs(Need.MANAGE)
def members(project: Project):
    form = _invite_form(project)
    if form.validate_on_submit():
        try:
            invitation = invitations.invite(
                project, current_user, email=form.email.data, name=form.name.data, role=Role(form.role.data),
                partner_group=PartnerGroup(form.partner_group.data),
                organisation_id=services.organisation_in_project(project, form.organisation_id.data),
            )
        except (invitations.InvitationError, services.MembershipError) as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Invitation sent to {invitation.email} ({invitation.role.label.lower()}). They join the project "
                  "when they accept it.", "success")
            return redirect(url_for("projects.members", project_id=project.id))
    return _render_members(project, form, _organisation_form(formdata=None))


def _invite_form(project: Project, **kwargs) -> InviteForm:
    form = InviteForm(**kwargs)
    form.organisation_id.choices = _organisation_choices(project)
    return form


def _render_members(project: Project, form: InviteForm, organisation_form: OrganisationForm):
    page = db.paginate(
        services.members_query(project), page=page_number(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
    )
    pending = db.session.scalars(invitations.pending_query(project)).all()
    status = 400 if form.errors or organisation_form.errors else 200
    return render_template(
        "projects/members.html", project=project, page=page, form=form, organisation_form=organisation_form,
        pending=pending,
    ), status


@bp.route("/projects/<int:project_id>/invitations/<int:invitation_id>/send-again", methods=["POST"])
@needs(Need.MANAGE)
def resend_invitation(project: Project, invitation_id: int):
    invitation = invitations.get_pending_or_404(project, invitation_id)
    invitations.send_again(invitation, current_user)
    db.session.commit()
    flash(f"The invitation to {invitation.email} has been sent again; the earlier link no longer works.", "success")
    return redirect(url_for("projects.members", project_id=project.id) + "#invitations")


@bp.route("/projects/<int:project_id>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@needs(Need.MANAGE)
def withdraw_invitation(project: Project, invitation_id: int):
    invitation = invitations.get_pending_or_404(project, invitation_id)
    email = invitation.email
    invitations.withdraw(invitation)
    db.session.commit()
    flash(f"The invitation to {email} is withdrawn; its link no longer works.", "success")
    return redirect(url_for("projects.members", project_id=project.id) + "#invitations")


@bp.route("/projects/<int:project_id>/members/<int:membership_id>", methods=["GET", "POST"])
@needs(Need.MANAGE, membership=Membership)
def edit_member(project: Project, membership: Membership):
    form = MemberEditForm(
        role=membership.role.value, partner_group=membership.partner_group.value,
        organisation_id=membership.organisation_id or 0,
    )
    form.organisation_id.choices = _organisation_choices(project)
    if form.validate_on_submit():
        try:
            services.update_member(
                membership, role=Role(form.role.data), partner_group=PartnerGroup(form.partner_group.data),
                organisation_id=form.organisation_id.data,
            )
        except services.MembershipError as exc:
            db.session.rollback()
            form.role.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{membership.user.name} is now {membership.role.label}.", "success")
            return redirect(url_for("projects.members", project_id=project.id))
    return render_template("projects/member_edit.html", project=project, membership=membership, form=form)


@bp.route("/projects/<int:project_id>/members/<int:membership_id>/remove", methods=["POST"])
@needs(Need.MANAGE, membership=Membership)
def remove_member(project: Project, membership: Membership):
    name = membership.user.name
    try:
        services.remove_member(membership)
    except services.MembershipError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{name} removed from the project.", "success")
    return redirect(url_for("projects.members", project_id=project.id))


@bp.route("/projects/<int:project_id>/organisations", methods=["POST"])
@needs(Need.MANAGE)
def add_organisation(project: Project):
    form = _organisation_form()
    if form.validate_on_submit():
        try:
            services.add_organisation(project, form.name.data, OrganisationKind(form.kind.data))
        except services.MembershipError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{form.name.data} added.", "success")
            return redirect(url_for("projects.members", project_id=project.id) + "#organisations")
    return _render_members(project, _invite_form(project, formdata=None), form)


@bp.route("/projects/<int:project_id>/organisations/<int:organisation_id>/remove", methods=["POST"])
@needs(Need.MANAGE)
def remove_organisation(project: Project, organisation_id: int):
    organisation = db.first_or_404(
        select(PartnerOrganisation).where(
            PartnerOrganisation.id == organisation_id, PartnerOrganisation.project_id == project.id
        )
    )
    db.session.delete(organisation)
    db.session.commit()
    flash(f"{organisation.name} removed; its members stay in the project.", "success")
    return redirect(url_for("projects.members", project_id=project.id) + "#organisations")
