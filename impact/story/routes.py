"""The contribution story, its snapshots, and the gaps in the evidence."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import signed_in_only
from impact.concurrency import save_edit
from impact.extensions import db
from impact.pagination import page_number
from impact.projects.kept import kept_page
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
from impact.snapshots import CURRENT, numbered_or_404
from impact.story import services
from impact.story.compare import comparison
from impact.story.evidence import COMPACT_SHOWN, STRONGEST_SHOWN
from impact.story.forms import ConclusionForm, SnapshotForm
from impact.story.gaps import find_gaps
from impact.story.models import StorySnapshot
from impact.story.view import ALL_LEVELS, story_view
from impact.toc.views import diagram_legend

bp = Blueprint("story", __name__, url_prefix="/projects/<int:project_id>/story")


signed_in_only(bp)


def _every_entry() -> bool:
    return request.args.get("evidence") == "all"


def _opened() -> int | str | None:
    """The level unfolded as the page opens: ?level=<id> (a link to something inside it), ?open=all."""
    return ALL_LEVELS if request.args.get("open") == ALL_LEVELS else request.args.get("level", type=int)


def _render_story(project: Project, content: dict, *, snapshot: StorySnapshot | None = None):
    live = snapshot is None
    title = f"Results chain of {content['project']['title']}, coloured by progress and confidence"
    if snapshot is not None:
        title += f" (snapshot {snapshot.number})"
    view = story_view(content, project, live=live, may_read=may(project, Need.READ), title=title,
                      full=_every_entry(), opened=_opened())
    return render_template("story/story.html", project=project, view=view, snapshot=snapshot,
                           legend=diagram_legend(), label=services.label,
                           strongest=STRONGEST_SHOWN, compact_shown=COMPACT_SHOWN)


@bp.route("/")
@needs(Need.READ)  # funders read the published versions (impact.publishing), never the live story
def show(project: Project):
    # Only what the page shows is read: with no level open, no entries at all.
    bounded, in_brief = not _every_entry(), _opened() is None
    return kept_page(project, lambda: _render_story(project, services.build_content(project, bounded=bounded,
                                                                                  in_brief=in_brief)),
                     active="story", stylesheet="css/story.css", varies_on=("level", "open", "evidence"))


@bp.route("/gaps")
@needs(Need.READ)
def gaps(project: Project):
    return kept_page(project, lambda: render_template("story/gaps.html", project=project,
                                                      sections=find_gaps(project)), active="gaps")


@bp.route("/conclusion", methods=["GET", "POST"])
@needs(Need.EDIT)
def edit_conclusion(project: Project):
    story = services.load_story(project.id)
    form = ConclusionForm(obj=story)
    edit = save_edit(story, form, lambda: services.save_conclusion(project, story, form.conclusion.data or "",
                                                                   current_user),
                     current=lambda: services.load_story(project.id))
    if edit.saved:
        flash("Conclusion saved.", "success")
        return redirect(url_for("story.show", project_id=project.id, _anchor="conclusion"))
    return render_template("story/conclusion_form.html", project=project, form=form,
                           conflict=edit.conflict), edit.status


@bp.route("/snapshots", methods=["GET", "POST"])
@needs(Need.READ, to_post=Need.EDIT)
def snapshots(project: Project):
    form = SnapshotForm()
    race = False
    if request.method == "POST" and form.validate_on_submit():
        snapshot = services.take_snapshot(project, form.name.data, current_user)
        if snapshot is not None:
            flash(f"Snapshot {snapshot.number} “{snapshot.name}” saved.", "success")
            return redirect(url_for("story.snapshot", project_id=project.id, number=snapshot.number))
        race = True
    page = db.paginate(services.snapshots_query(project), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"])
    status = 409 if race else (400 if form.errors else 200)
    return render_template("story/snapshots.html", project=project, page=page, form=form, race=race), status


@bp.route("/snapshots/<int:number>")
@needs(Need.READ)
def snapshot(project: Project, number: int):
    saved = numbered_or_404(StorySnapshot, project.id, number)
    content, = services.withhold_quotes(project.id, saved.content)
    return _render_story(project, content, snapshot=saved)


@bp.route("/compare")
@needs(Need.READ)
def compare(project: Project):
    """Compare two snapshots; 'current' stands for the story as it reads now."""
    compared = comparison(project, request.args.get("old", ""), request.args.get("new", CURRENT),
                          show_all=request.args.get("changes") == "all", opened=request.args.get("open", ""))
    return render_template("story/compare.html", project=project, compared=compared)
