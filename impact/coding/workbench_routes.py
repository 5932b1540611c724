"""The coding workbench: answers and practitioners' updates waiting to be coded, coded without leaving the
page, and every passage coded to a theme, helping and hindering apart."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from impact.coding import services, updates
from impact.coding import workbench as answers
from impact.coding.models import FactorTheme
from impact.coding.routes import bp
from impact.extensions import db
from impact.pagination import MAX_PAGE
from impact.projects.kept import kept_page
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.text_filters import counted
from impact.toc.models import FactorDirection

WORKBENCH_PAGE = 10  # shown to code at once: enough to work through, few enough to read
PAGE_ARGS = {"queue": "page", "updates": "upage"}  # each list of the page pages on its own


def _page(name: str) -> int:
    return min(max(request.args.get(name, 1, type=int), 1), MAX_PAGE)


def _both(first: dict, second: dict) -> dict[int, dict[FactorDirection, int]]:
    total: dict[int, dict[FactorDirection, int]] = {}
    for counts in (first, second):
        for theme_id, by_direction in counts.items():
            for direction, count in by_direction.items():
                total.setdefault(theme_id, {}).setdefault(direction, 0)
                total[theme_id][direction] += count
    return total


def back_to_workbench(project: Project, section: str):
    """After saving a code from the workbench: the same page of the same list, with what is left to code."""
    waiting, _ = answers.queue_counts(project)
    waiting_updates, _ = updates.queue_counts(project)
    flash(f"Coding saved. {counted(waiting, 'answer')} and {counted(waiting_updates, 'update')} left to code.",
          "success")
    pages = {arg: request.form.get(arg, "") for arg in PAGE_ARGS.values()}
    return redirect(url_for("coding.workbench", project_id=project.id,
                            **{arg: int(v) for arg, v in pages.items() if v.isdigit() and int(v) > 1})
                    + f"#{section}")


@bp.route("/coding")
@needs(Need.EDIT)
def workbench(project: Project):
    if _page("page") == 1 and _page("upage") == 1:
        # The first pages are kept until the project changes (coding one changes it); the rest are rendered.
        return kept_page(project, lambda: _workbench(project), active="coding")
    return _workbench(project)


def _workbench(project: Project):
    page = db.paginate(answers.queue_query(project), page=_page("page"), per_page=WORKBENCH_PAGE, error_out=False)
    update_page = db.paginate(updates.queue_query(project), page=_page("upage"), per_page=WORKBENCH_PAGE,
                              error_out=False)
    for listed, arg, section in ((page, "page", "queue"), (update_page, "upage", "updates")):
        if not listed.items and listed.page > 1:  # its last item was just coded: the page before
            args = {key: value for key, value in request.args.items() if key != arg}
            if listed.pages > 1:
                args[arg] = listed.pages
            return redirect(url_for("coding.workbench", project_id=project.id, **args) + f"#{section}")
    waiting, done = answers.queue_counts(project)
    waiting_updates, done_updates = updates.queue_counts(project)
    return render_template(
        "coding/workbench.html", project=project, page=page, update_page=update_page, waiting=waiting, done=done,
        waiting_updates=waiting_updates, done_updates=done_updates,
        themes=db.session.scalars(services.themes_query(project)).all(),
        counts=_both(answers.theme_counts(project), updates.theme_counts(project)),
        codes=answers.codes_of(list(page.items)), update_codes=updates.codes_of(list(update_page.items)),
        directions=list(FactorDirection), passages=answers.passages, update_passages=updates.passages)


@bp.route("/updates/<int:update_id>/codes", methods=["POST"])
@needs(Need.EDIT)
def code_update(project: Project, update_id: int):
    update = updates.get_update_or_404(project, update_id)
    current = updates.codes_of([update])[update.id]
    updates.set_codes(project, update, codes_to_keep(current))
    db.session.commit()
    return back_to_workbench(project, "updates")


@bp.route("/coding/themes/<int:theme_id>")
@needs(Need.EDIT, theme=FactorTheme)
def theme_passages(project: Project, theme: FactorTheme):
    direction = FactorDirection.HINDERING if request.args.get("direction") == "hindering" else FactorDirection.HELPING
    per_page = current_app.config["ITEMS_PER_PAGE"]
    page = db.paginate(answers.coded_query(theme, direction), page=_page("page"), per_page=per_page)
    update_page = db.paginate(updates.coded_query(theme, direction), page=_page("upage"), per_page=per_page)
    counts = _both(answers.theme_counts(project), updates.theme_counts(project)).get(theme.id, {})
    return render_template("coding/theme_passages.html", project=project, theme=theme, direction=direction,
                           page=page, update_page=update_page, counts=counts, directions=list(FactorDirection),
                           passages=answers.passages, update_passages=updates.passages)


@bp.route("/responses/<int:response_id>/codes", methods=["POST"])
@needs(Need.EDIT)
def code_response(project: Project, response_id: int):
    response = services.get_response_or_404(project, response_id)
    services.set_codes(project, response, codes_to_keep(answers.codes_of([response])[response.id]))
    db.session.commit()
    if request.form.get("back") == "workbench":
        return back_to_workbench(project, "queue")
    flash("Coding saved.", "success")
    followup = response.followup
    return redirect(url_for("followups.response", project_id=project.id, event_id=followup.campaign.event_id,
                            campaign_id=followup.campaign_id, response_id=response.id))


def codes_to_keep(current: set[tuple[int, FactorDirection]]) -> set[tuple[int, FactorDirection]]:
    """The codes a coding form asks for. A form that says which codes it showed ticked changes only what its
    coder changed, so two people coding the same words at once add up instead of one undoing the other."""
    chosen = codes_sent(request.form.getlist("code"))
    if request.form.get("shown") != "codes":
        return chosen
    shown = codes_sent(request.form.getlist("was"))
    return (current - (shown - chosen)) | (chosen - shown)


def codes_sent(values: list[str]) -> set[tuple[int, FactorDirection]]:
    """("theme id:direction", ...) as sent by the coding forms, the malformed ones left out."""
    found = set()
    for value in values:
        theme_id, _, direction = value.partition(":")
        if theme_id.isdigit() and direction in {d.value for d in FactorDirection}:
            found.add((int(theme_id), FactorDirection(direction)))
    return found
