"""Bayesian contribution tracing: claims and the evidence tests that update them."""
from __future__ import annotations

import enum

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from impact.access import signed_in_only
from impact.concurrency import CONFLICT_ERRORS, EditConflict, commit_if_current, ensure_current, save_edit
from impact.extensions import db
from impact.pagination import page_number
from impact.projects.kept import kept_list_page, kept_page
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.signing import LinkProblem
from impact.toc.services import load_chain
from impact.tracing import charts, item_picker, services
from impact.tracing.bayes import PRESET_EXPLANATIONS, PRESETS
from impact.tracing.forms import (
    ClaimForm,
    ClaimTestForm,
    DeleteTestForm,
    MoveTestForm,
    RestoreTestForm,
    TracingSettingsForm,
)
from impact.tracing.models import Claim
from impact.trash import TrashError, TrashRecord, undo_token

bp = Blueprint("tracing", __name__, url_prefix="/projects/<int:project_id>/tracing")


signed_in_only(bp)


@bp.context_processor
def formatting():
    return {"percent": services.percent, "points": services.points, "PRESETS": PRESETS,
            "PRESET_EXPLANATIONS": PRESET_EXPLANATIONS}


def uses_tracing(project: Project) -> bool:
    """Claims and tests are kept while tracing is off, but their pages are not there."""
    return project.contribution_tracing


def _to_claim(project_id: int, claim_id: int, anchor: str | None = None):
    return redirect(url_for("tracing.claim", project_id=project_id, claim_id=claim_id)
                    + (f"#{anchor}" if anchor else ""))


@bp.route("/")
@needs(Need.READ)
def index(project: Project):
    def render() -> str:
        page = None
        if project.contribution_tracing:
            page = db.paginate(services.claims_query(project.id), page=page_number(),
                               per_page=current_app.config["ITEMS_PER_PAGE"])
        return render_template("tracing/index.html", project=project, page=page,
                               posterior=services.safe_posterior,
                               settings_form=TracingSettingsForm(enabled=project.contribution_tracing))
    # Each claim's posterior is worked out once per change of the project.
    return kept_list_page(project, render, active="tracing")


@bp.route("/settings", methods=["POST"])
@needs(Need.MANAGE)
def settings(project: Project):
    form = TracingSettingsForm()
    if form.validate_on_submit():
        try:
            services.set_tracing(project, form.enabled.data)
            db.session.commit()
        except CONFLICT_ERRORS:
            db.session.rollback()
            flash("Someone changed the project's settings at the same moment; please try again.", "error")
        else:
            flash("Contribution tracing is on." if form.enabled.data else
                  "Contribution tracing is off. Claims are kept and come back if you turn it on again.", "success")
    return redirect(url_for("tracing.index", project_id=project.id))


# Claims -------------------------------------------------------------------------------------

def _claim_form(project, **kwargs) -> ClaimForm:
    form = ClaimForm(**kwargs)
    form.set_chain(load_chain(project.id))
    return form


@bp.route("/claims/new", methods=["GET", "POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def new_claim(project: Project):
    form = _claim_form(project)
    if form.validate_on_submit():
        step_id, link_id = form.about_ids()
        claim = services.add_claim(project, statement=form.statement.data, description=form.description.data or "",
                                   step_id=step_id, link_id=link_id, prior=form.prior.probability)
        db.session.commit()
        flash("Claim added. Now add the evidence that bears on it.", "success")
        return _to_claim(project.id, claim.id, "add-test")
    if request.method == "GET":
        form.prior.data = "0.5"
    return render_template("tracing/claim_form.html", project=project, form=form, claim=None), \
        400 if form.errors else 200


@bp.route("/claims/<int:claim_id>")
@needs(Need.READ, only_if=uses_tracing, claim=Claim)  # the claim alone: its tests only if the page is made
def claim(project: Project, claim: Claim):
    claim_id = claim.id

    def render(undo: dict | None = None):
        shown = services.get_claim_or_404(project, claim_id)  # with its tests
        form = ClaimTestForm(formdata=None)
        form.version.data = str(shown.version)
        return _render_claim(project, shown, form, undo=undo)

    # A test removed just before: offered back once, on this claim's page only.
    undo = session.pop(UNDO_KEY, None)
    if isinstance(undo, dict) and undo.get("claim_id") == claim_id:
        return render(undo)
    # Kept until the project changes: the trace and its charts are worked out once per change.
    return kept_page(project, lambda: render()[0], active="tracing", charts=True,
                     varies_on=(item_picker.SEARCH_PARAMETER,))


def _offer_items(form: ClaimTestForm, claim: Claim, chosen: tuple[int, str] | None = None) -> None:
    """The bounded list of items the form's select offers: the claim's step's or link's, the search's
    (?item_q=, kept in the add form's address so a refused save shows it again) and the chosen one."""
    query = item_picker.search_text(request.args.get(item_picker.SEARCH_PARAMETER))
    form.offer(item_picker.picker(claim, query, chosen or form.chosen_item))


def _render_claim(project, claim: Claim, test_form: ClaimTestForm, status: int = 200, *, conflict: str | None = None,
                  undo: dict | None = None):
    _offer_items(test_form, claim)
    trace = services.claim_trace(claim)
    return render_template("tracing/claim.html", project=project, claim=claim, trace=trace,
                           path_chart=charts.confidence_path(claim, trace),
                           prior_chart=charts.prior_curve(claim, trace),
                           test_form=test_form, conflict=conflict, undo=undo), status


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def edit_claim(project: Project, claim_id: int):
    claim = services.get_claim_or_404(project, claim_id)
    form = _claim_form(project, obj=claim)
    if request.method == "GET":
        form.set_about(claim.step_id, claim.link_id)

    def prior_weighs_the_evidence() -> bool:
        why = services.why_undefined_with(claim, prior=form.prior.probability)
        if why:
            form.prior.errors.append(f"With this prior the evidence cannot be weighed. {why}")
        return not why

    def change() -> None:
        step_id, link_id = form.about_ids()
        services.update_claim(claim, statement=form.statement.data, description=form.description.data or "",
                              step_id=step_id, link_id=link_id, prior=form.prior.probability)

    edit = save_edit(claim, form, change, check=prior_weighs_the_evidence)
    if edit.saved:
        flash("Claim saved.", "success")
        return _to_claim(project.id, claim.id)
    return render_template("tracing/claim_form.html", project=project, form=form, claim=claim,
                           conflict=edit.conflict), edit.status


@bp.route("/claims/<int:claim_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def delete_claim(project: Project, claim_id: int):
    claim = services.get_claim_or_404(project, claim_id)
    if request.method == "POST":
        statement, count = claim.statement, len(claim.tests)
        services.delete_claim(claim)
        db.session.commit()
        flash(f"Claim “{statement}” deleted with its {count} evidence test{'' if count == 1 else 's'}.", "success")
        return redirect(url_for("tracing.index", project_id=project.id))
    return render_template("tracing/claim_delete.html", project=project, claim=claim)


# Tests on a claim ---------------------------------------------------------------------------
# Tests have no version of their own: every form about them carries the claim's version, which any
# change to the claim's tests bumps (services._tests_changed), so a stale form is refused with 409.

UNDO_KEY = "tracing_removed_test"
CHANGED_MEANWHILE = "Someone else changed this claim's evidence tests after you opened the page."


class Saved(enum.Enum):
    SAVED = "saved"
    INVALID = "invalid"  # messages are on the form's fields
    CONFLICT = "conflict"  # the form was based on an older version of the claim's tests


def _save_test(project, claim: Claim, form: ClaimTestForm, test=None, position: int | None = None,
               removed: TrashRecord | None = None) -> Saved:
    """Validate the form against the claim's other tests and save (a new test at the end, or at
    `position`; or `test` changed; or the `removed` test restored from the trash at `position`)."""
    if not form.validate_on_submit():
        return Saved.INVALID
    values, note = form.values(previous=test)
    if values is None:
        return Saved.INVALID
    try:
        # Before the Bayes check: that one weighs the tests as they are now, which the user may not have seen.
        ensure_current(claim, form.submitted_version())
    except EditConflict:
        return Saved.CONFLICT
    why = services.why_undefined_with(claim, values, replacing=test, position=position)
    if why:
        form.found.errors.append(why)
        return Saved.INVALID
    try:
        if removed is not None:
            services.restore_test(claim, removed, values, position)
        elif test is None:
            services.add_test(claim, values, position)
        else:
            services.update_test(claim, test, values)
        db.session.commit()
    except (*CONFLICT_ERRORS, TrashError):  # another save (or the same undo) landed between the check and the UPDATE
        db.session.rollback()
        return Saved.CONFLICT
    flash(" ".join(filter(None, ["Test saved.", note])), "success")
    return Saved.SAVED


def _claim_as_it_is_now(project, claim_id: int, form: ClaimTestForm, message: str):
    """After a conflict: the claim page with the tests as they are now (409), the user's entries kept
    in the add form, based on the current version so that saving again adds them."""
    claim = services.get_claim_or_404(project, claim_id)
    form.version.data = str(claim.version)
    return _render_claim(project, claim, form, 409, conflict=message)


@bp.route("/claims/<int:claim_id>/tests", methods=["POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def add_test(project: Project, claim_id: int):
    claim = services.get_claim_or_404(project, claim_id)
    form = ClaimTestForm()
    form.set_project(project.id)
    outcome = _save_test(project, claim, form)
    if outcome is Saved.SAVED:
        return _to_claim(project.id, claim.id, "tests")
    if outcome is Saved.CONFLICT:
        return _claim_as_it_is_now(project, claim_id, form, f"{CHANGED_MEANWHILE} Your test was not added: check "
                                   "the tests as they are now; your entries are still in the form below.")
    return _render_claim(project, claim, form, 400)


def _removed_test(project, claim: Claim, form: RestoreTestForm) -> TrashRecord | str:
    """The trash record the Undo names (404 for another project's), or why it cannot be restored."""
    try:
        record = services.removed_test(project, form.undo.data)
    except LinkProblem as problem:
        return ("This undo has expired. Add the test again below." if str(problem) == "expired"
                else "This undo could not be read. Add the test again below.")
    if record.payload.get("claim_id") != claim.id:
        return "This undo belongs to another claim."
    if record.restored_at is not None:
        return "That test has already been put back: it is in the list below."
    return record


@bp.route("/claims/<int:claim_id>/tests/restore", methods=["POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def restore_test(project: Project, claim_id: int):
    """Undo a removal: the test's trash record is restored, with the values the Undo's form shows (hidden
    fields, or the add form after a refusal), checked as when adding."""
    claim = services.get_claim_or_404(project, claim_id)
    form = RestoreTestForm()
    form.set_project(project.id)
    removed = _removed_test(project, claim, form)
    if isinstance(removed, str):
        flash(removed, "error")
        return _to_claim(project.id, claim.id, "tests")
    outcome = _save_test(project, claim, form, position=form.index(), removed=removed)
    if outcome is Saved.SAVED:
        return _to_claim(project.id, claim.id, "tests")
    if outcome is Saved.CONFLICT:
        return _claim_as_it_is_now(project, claim_id, form, f"{CHANGED_MEANWHILE} The removed test was not put "
                                   "back: check the tests as they are now; its values are in the form below.")
    # Shown in the (visible) add form, so each message sits by its field and nothing typed is lost.
    return _render_claim(project, claim, form, 400)


@bp.route("/claims/<int:claim_id>/tests/<int:test_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def edit_test(project: Project, claim_id: int, test_id: int):
    claim = services.get_claim_or_404(project, claim_id)
    test = services.get_test_or_404(claim, test_id)
    form = ClaimTestForm(data=ClaimTestForm.data_of(test) if request.method == "GET" else None)
    form.set_project(project.id)
    if request.method == "GET":
        form.version.data = str(claim.version)
    outcome = _save_test(project, claim, form, test)
    if outcome is Saved.SAVED:
        return _to_claim(project.id, claim.id, f"test-{test.id}")
    conflict = None
    if outcome is Saved.CONFLICT:
        claim = services.get_claim_or_404(project, claim_id)
        conflict = next((other for other in claim.tests if other.id == test_id), None)
        if conflict is None:
            return _claim_as_it_is_now(project, claim_id, form, "Someone else removed this test while you were "
                                       "editing it. Your entries are in the form below: add them as a new test "
                                       "if they are still needed.")
        form.version.data = str(claim.version)
        test = conflict
    status = 409 if conflict else (400 if form.errors else 200)
    _offer_items(form, claim, item_picker.item_of(test) if request.method == "GET" else None)
    return render_template("tracing/test_form.html", project=project, claim=claim, test=test, form=form,
                           conflict=conflict, posterior=services.safe_posterior(claim.prior, claim.tests)), status


@bp.route("/claims/<int:claim_id>/tests/<int:test_id>/delete", methods=["GET", "POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def delete_test(project: Project, claim_id: int, test_id: int):
    """Ask first (showing what the posterior becomes without the test); the removal can then be undone."""
    claim = services.get_claim_or_404(project, claim_id)
    test = services.get_test_or_404(claim, test_id)
    form = DeleteTestForm()
    conflict = False
    if form.validate_on_submit() and form.confirmed():
        shown = services.removal_record(test)
        try:
            record = commit_if_current(claim, form.submitted_version(),
                                       lambda: services.delete_test(claim, test, current_user))
        except EditConflict:
            claim = services.get_claim_or_404(project, claim_id)
            test = next((other for other in claim.tests if other.id == test_id), None)
            if test is None:
                flash("Someone else removed that test already.", "success")
                return _to_claim(project.id, claim.id, "tests")
            conflict = True
        else:
            # What the Undo shows and puts back, and the signed name of the test's trash record.
            session[UNDO_KEY] = {**shown, "undo": undo_token(record)}
            return _to_claim(project.id, claim.id, "tests")
    if request.method == "GET" or conflict:
        form.version.data = str(claim.version)
    form.confirm.data = "yes"
    status = 409 if conflict else (400 if form.errors else 200)
    return render_template("tracing/test_delete.html", project=project, claim=claim, test=test, form=form,
                           conflict=conflict, number=claim.tests.index(test) + 1,
                           posterior=services.safe_posterior(claim.prior, claim.tests),
                           without=services.posterior_without(claim, test)), status


@bp.route("/claims/<int:claim_id>/tests/<int:test_id>/move", methods=["POST"])
@needs(Need.EDIT, only_if=uses_tracing)
def move_test(project: Project, claim_id: int, test_id: int):
    claim = services.get_claim_or_404(project, claim_id)
    test = services.get_test_or_404(claim, test_id)
    form = MoveTestForm()
    if form.validate_on_submit():
        try:
            commit_if_current(claim, form.submitted_version(),
                              lambda: services.move_test(claim, test, form.direction.data or ""))
        except EditConflict:
            add_form = ClaimTestForm(formdata=None)
            return _claim_as_it_is_now(project, claim_id, add_form, f"{CHANGED_MEANWHILE} Nothing was moved: "
                                       "this is the order now; move the test again if needed.")
    return _to_claim(project.id, claim.id, f"test-{test.id}")
