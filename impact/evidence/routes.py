"""The evidence library: items, their files, their links to the chain, and the trash."""
from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user

from impact.access import signed_in_only
from impact.concurrency import EditConflict, commit_if_current, save_edit
from impact.evidence import files, services
from impact.evidence.derived import derived_from
from impact.evidence.forms import (
    FilterForm,
    ItemForm,
    LinkEditForm,
    LinkForm,
    LinkRemoveForm,
    UndoForm,
    WithdrawForm,
)
from impact.evidence.models import EvidenceItem, EvidenceLink, Stance, Strength
from impact.evidence.queries import step_voices
from impact.evidence.voice import representation
from impact.extensions import db
from impact.features import page_context
from impact.forms import select_choices
from impact.pagination import page_number
from impact.projects.kept import kept_list_page
from impact.projects.models import PartnerGroup, Project
from impact.projects.permissions import Need, may, needs
from impact.toc.services import load_chain
from impact.trash import undo_token

bp = Blueprint("evidence", __name__, url_prefix="/projects/<int:project_id>/evidence")
UNDO_KEY = "evidence_link_undo"  # in the session: the Undo offered once on the item page after a removal


signed_in_only(bp)


def _changeable(project: Project, item_id: int) -> EvidenceItem:
    """A live item of the project the current user may change (editors: any; contributors: their own)."""
    item = services.get_item_or_404(project, item_id, with_links=True)
    services.require_change(project, item)
    return item


def _to_item(project, item, anchor: str = ""):
    return redirect(url_for("evidence.item", project_id=project.id, item_id=item.id) + (f"#{anchor}" if anchor else ""))


# The library -----------------------------------------------------------------------------------

@bp.route("/")
@needs(Need.READ)
def index(project: Project):
    def render():
        chain = load_chain(project.id)
        form = FilterForm(formdata=request.args)
        form.set_steps(chain.steps)
        valid = form.validate() if request.args else True
        query = services.library_query(project, form.filters(),
                                      private_summaries=services.sees_private_summaries(project))
        page = db.paginate(query, page=page_number(),
                           per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
        args = {key: value for key, value in request.args.items() if key in form._fields and key != "submit"}
        return render_template(
            "evidence/index.html", project=project, form=form, page=page, args=args,
            counts=services.stance_counts([item.id for item in page.items]), filtered=bool(form.filters()),
            stances=list(Stance),
        ), (200 if valid else 400)
    if set(request.args) - {"page"}:
        return render()  # a search: rendered for whoever asked (nobody asks twice)
    return kept_list_page(project, lambda: render()[0], active="evidence")


# Items -----------------------------------------------------------------------------------------

def _item_data(item: EvidenceItem) -> dict:
    return {
        "kind": item.kind.value, "title": item.title, "evidence_date": item.evidence_date, "source": item.source,
        "partner_group": item.partner_group.value, "summary": item.summary, "quote": item.quote,
        "pseudonym": item.pseudonym, "consent_to_quote": item.consent_to_quote,
    }


def _form_page(project, form: ItemForm, item: EvidenceItem | None, conflict: EvidenceItem | None) -> str:
    return render_template("evidence/form.html", project=project, form=form, item=item, conflict=conflict,
                           file_size=files.human_size, max_size=files.human_size(files.max_bytes()),
                           accepted=files.ALLOWED_LIST)


@bp.route("/new", methods=["GET", "POST"])
@needs(Need.CONTRIBUTE)
def new(project: Project):
    chain = load_chain(project.id)
    form = ItemForm()
    form.link_step_ids.choices = select_choices((step.id, step.title) for step in chain.steps)
    if form.validate_on_submit():
        try:
            stored = files.store_upload(form.file.data) if form.file.data else None
        except files.FileRefused as refused:
            form.file.errors.append(str(refused))
        else:
            with files.kept_only_if_saved(stored):
                item = services.create_item(project, current_user, form.values(), stored)
                services.add_step_links(item, services.Targets(project, chain), form.link_step_ids.data or [],
                                       Stance(form.link_stance.data), current_user)
                db.session.commit()
            flash(f"Evidence “{item.title}” added.", "success")
            return _to_item(project, item)
    return _form_page(project, form, None, None), (400 if form.errors else 200)


@bp.route("/mine")
@needs(Need.CONTRIBUTE)
def mine(project: Project):
    """What the user contributed (evidence they added, updates they sent) and where it is used."""
    page = db.paginate(services.my_items_query(project, current_user), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    # Where else the items are used (the contribution-tracing claims citing them) comes from those parts.
    return render_template("evidence/mine.html", project=project, page=page,
                           **page_context("evidence.mine", project=project, item_ids=[item.id for item in page.items]))


@bp.route("/<int:item_id>/withdraw-consent", methods=["POST"])
@needs(Need.CONTRIBUTE)
def withdraw_consent(project: Project, item_id: int):
    item = services.get_item_or_404(project, item_id)
    if item.created_by_id != current_user.id:
        abort(404)  # only the person whose words they are withdraws them
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw_consent(item)
        db.session.commit()
        flash(f"Your words in “{item.title}” are no longer quoted on any page, in the story or its snapshots.",
              "success")
    return redirect(url_for("evidence.mine", project_id=project.id))


@bp.route("/voices")
@needs(Need.READ)
def voices(project: Project):
    """Whose voice the evidence on each step comes from, and the steps resting on one group's word; and
    which partner groups took part in each activity and meeting (the parts that keep those add them)."""
    context = page_context("evidence.voices", project=project)
    return render_template("evidence/voices.html", project=project, chain=load_chain(project.id),
                           voices=step_voices(project.id), groups=list(PartnerGroup),
                           taking_part=representation(context.get("taking_part", [])))


@bp.route("/<int:item_id>")
@needs(Need.READ)
def item(project: Project, item_id: int):
    item = services.get_item_or_404(project, item_id, with_links=True)
    undo = session.get(UNDO_KEY)
    if undo and undo.get("item") == item.id:
        session.pop(UNDO_KEY)
    else:
        undo = None
    return _render_item(project, item, undo=undo)


def _render_item(project, item, link_form: LinkForm | None = None, failed_edit: LinkEditForm | None = None,
                 status: int = 200, conflict: str = "", conflict_link: EvidenceLink | None = None,
                 undo: dict | None = None):
    """The item page; conflict ("add", "edit" of conflict_link, or "removed") says which link form was
    refused as outdated (409)."""
    targets = services.Targets(project, load_chain(project.id))
    version = str(item.version)
    if link_form is None:
        link_form = LinkForm(formdata=None, data={"version": version})
    link_form.target.choices = targets.choices()
    edit_forms = {}
    for link in item.links:
        prefix = f"link{link.id}-"
        if failed_edit is not None and failed_edit._prefix == prefix:
            edit_forms[link.id] = failed_edit
        else:
            edit_forms[link.id] = LinkEditForm(formdata=None, prefix=prefix, data={
                "stance": link.stance.value, "strength": link.strength.value, "note": link.note, "version": version,
                "target": services.target_value(link)})
    may_change = services.may_change(project, item)
    return render_template(
        "evidence/item.html", project=project, item=item, targets=targets, link_form=link_form,
        edit_forms=edit_forms, may_change=may_change, file_size=files.human_size,
        mirrored=derived_from(item), summary_hidden=services.summary_hidden(project, item),
        conflict=conflict, conflict_link=conflict_link, undo=undo if may_change else None,
        undo_form=UndoForm(formdata=None, data={"token": undo["token"]}) if undo else None,
    ), status


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@needs(Need.CONTRIBUTE)
def edit(project: Project, item_id: int):
    item = _changeable(project, item_id)
    source = derived_from(item)
    if source is not None:
        # Its fields are the respondent's (or practitioner's), rewritten whenever they amend it: refuse, explain.
        return render_template("evidence/mirrored.html", project=project, item=item, source=source,
                               refused=request.method == "POST"), (409 if request.method == "POST" else 200)
    form = ItemForm(data=_item_data(item))
    del form.link_step_ids, form.link_stance  # linking from an existing item is done on its page

    def change() -> None:
        stored = files.store_upload(form.file.data) if form.file.data else None
        with files.kept_only_if_saved(stored):
            # A file the item stops using stays until `flask jobs run` sweeps it (see files.py).
            services.update_item(item, form.values(), stored, remove_file=bool(form.remove_file.data))
            db.session.commit()

    try:
        edit = save_edit(item, form, change)
    except files.FileRefused as refused:
        form.file.errors.append(str(refused))
        return _form_page(project, form, item, None), 400
    if edit.saved:
        flash("Evidence saved.", "success")
        return _to_item(project, item)
    return _form_page(project, form, item, edit.conflict), edit.status


@bp.route("/<int:item_id>/file")
@needs(Need.READ)
def download(project: Project, item_id: int):
    item = services.get_item_or_404(project, item_id)
    if not item.file_sha256:
        abort(404)
    path = files.path_for(item.file_sha256)
    if not path.is_file():
        abort(404)
    ext = files.extension(item.file_name)
    # Read into memory (files are capped by EVIDENCE_FILE_MAX_BYTES) so no file handle outlives the request,
    # however the response is consumed; the content hash is the perfect ETag.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=files.mimetype_for(item.file_name),
                         as_attachment=True, etag=item.file_sha256,
                         download_name=files.clean_name(item.file_name) or f"evidence-{item.id}.{ext}")
    # Members only, and office PCs are shared: never kept in any cache, the browser's own included.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Links -----------------------------------------------------------------------------------------
# Each link form carries the item's version, which every change to its links bumps (see services._touch).

def _reloaded(project, item_id: int) -> EvidenceItem:
    """The item as saved by the other person, after a refused save was rolled back."""
    db.session.rollback()  # already done for a refused commit_if_current; the remove form's own path needs it
    return services.get_item_or_404(project, item_id, with_links=True)


@bp.route("/<int:item_id>/links", methods=["POST"])
@needs(Need.CONTRIBUTE)
def add_link(project: Project, item_id: int):
    item = _changeable(project, item_id)
    form = LinkForm()
    targets = services.Targets(project, load_chain(project.id))
    form.target.choices = targets.choices()
    form.target.validate_choice = False  # checked against the project's own chain by the service
    if form.validate_on_submit():
        try:
            commit_if_current(item, form.submitted_version(), lambda: services.add_link(
                item, targets, form.target.data, Stance(form.stance.data), Strength(form.strength.data),
                form.note.data or "", current_user))
        except services.LinkError as exc:
            form.target.errors.append(str(exc))
        except EditConflict:
            item = _reloaded(project, item_id)
            form.version.data = str(item.version)
            return _render_item(project, item, link_form=form, conflict="add", status=409)
        else:
            flash("Link added.", "success")
            return _to_item(project, item, "links")
    return _render_item(project, item, link_form=form, status=400)


def _link_gone(project, item, form: LinkEditForm):
    """An edit of a link someone removed meanwhile: nothing to save, so offer the user's entries in the add form."""
    readd = LinkForm(formdata=None, data={"target": form.target.data, "stance": form.stance.data,
                                          "strength": form.strength.data, "note": form.note.data,
                                          "version": str(item.version)})
    return _render_item(project, item, link_form=readd, conflict="removed", status=409)


@bp.route("/<int:item_id>/links/<int:link_id>", methods=["POST"])
@needs(Need.CONTRIBUTE)
def edit_link(project: Project, item_id: int, link_id: int):
    item = _changeable(project, item_id)
    link = services.find_link(item, link_id)
    form = LinkEditForm(prefix=f"link{link_id}-")
    if link is None:
        return _link_gone(project, item, form)
    if form.validate_on_submit():
        try:
            commit_if_current(item, form.submitted_version(), lambda: services.update_link(
                item, link, Stance(form.stance.data), Strength(form.strength.data), form.note.data or ""))
        except EditConflict:
            item = _reloaded(project, item_id)
            form.version.data = str(item.version)
            current = next((current for current in item.links if current.id == link_id), None)
            if current is None:
                return _link_gone(project, item, form)
            return _render_item(project, item, failed_edit=form, conflict="edit", conflict_link=current, status=409)
        flash("Link saved.", "success")
        return _to_item(project, item, f"link-{link_id}")
    return _render_item(project, item, failed_edit=form, status=400)


def _already_removed(project, item):
    flash("That link is no longer there: someone else has already removed it.", "success")
    return _to_item(project, item, "links")


@bp.route("/<int:item_id>/links/<int:link_id>/remove", methods=["GET", "POST"])
@needs(Need.CONTRIBUTE)
def remove_link(project: Project, item_id: int, link_id: int):
    """Asks first; once removed, the item page offers an Undo that puts the same link back."""
    item = _changeable(project, item_id)
    link = services.find_link(item, link_id)
    if link is None:
        return _already_removed(project, item)
    form = LinkRemoveForm()
    conflict = False
    if form.validate_on_submit() and form.confirmed():
        try:
            record = commit_if_current(item, form.submitted_version(),
                                       lambda: services.remove_link(item, link, current_user))
        except EditConflict:
            item = _reloaded(project, item_id)
            link = services.find_link(item, link_id)
            if link is None:
                return _already_removed(project, item)
            conflict = True
        else:
            # The token names the trash record, which keeps the link whole: any link can be undone.
            session[UNDO_KEY] = {"item": item.id, "token": undo_token(record)}
            return _to_item(project, item, "links")
    elif request.method == "POST" and not form.errors:
        return redirect(url_for("evidence.remove_link", project_id=project.id, item_id=item.id, link_id=link.id))
    form.version.data, form.confirm.data = str(item.version), "yes"
    targets = services.Targets(project, load_chain(project.id))
    status = 409 if conflict else (400 if form.errors else 200)
    return render_template("evidence/remove_link.html", project=project, item=item, link=link,
                           target=targets.of(link), form=form, conflict=conflict), status


@bp.route("/<int:item_id>/links/restore", methods=["POST"])
@needs(Need.CONTRIBUTE)
def restore_link(project: Project, item_id: int):
    """The Undo of a removal: the link's trash record is restored (target, stance, strength, note, origin)."""
    item = _changeable(project, item_id)
    form = UndoForm()
    if not form.validate_on_submit():
        flash("This undo could not be read. Add the link again below.", "error")
        return _to_item(project, item, "links")
    try:
        record = services.removed_link(project, form.token.data)  # 404 for another project's
        services.restore_link(item, services.Targets(project, load_chain(project.id)), record)
    except services.LinkError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _to_item(project, item, "links")
    db.session.commit()
    flash("Link restored.", "success")
    return _to_item(project, item, "links")


# Trash -----------------------------------------------------------------------------------------

@bp.route("/<int:item_id>/delete", methods=["GET", "POST"])
@needs(Need.CONTRIBUTE)
def delete(project: Project, item_id: int):
    item = _changeable(project, item_id)
    if request.method == "POST":
        services.delete_item(item, current_user)
        db.session.commit()
        # Restoring needs EDIT: a contributor deleting their own item cannot bring it back themselves.
        who = "You" if may(project, Need.EDIT) else "A team member"
        flash(f"“{item.title}” moved to the evidence trash. {who} can restore it from the evidence trash.", "success")
        return redirect(url_for("evidence.index", project_id=project.id))
    # What other parts keep about the item (tracing tests citing it) and would stay behind.
    return render_template("evidence/delete.html", project=project, item=item, link_count=len(item.links),
                           **page_context("evidence.delete", project=project, item=item))


@bp.route("/trash")
@needs(Need.READ)
def trash(project: Project):
    page = db.paginate(services.trash_query(project), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("evidence/trash.html", project=project, page=page)


@bp.route("/<int:item_id>/restore", methods=["POST"])
@needs(Need.EDIT)
def restore(project: Project, item_id: int):
    item = services.get_item_or_404(project, item_id, deleted=True)
    services.restore_item(item)
    db.session.commit()
    flash(f"“{item.title}” restored.", "success")
    return _to_item(project, item)
