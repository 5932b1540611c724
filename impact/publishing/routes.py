"""Published reports: the list (and, for leads, publishing the next), one version, and comparing two."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import signed_in_only
from impact.attachments import attachment
from impact.charts.svg import bar_chart
from impact.extensions import db
from impact.page_cache import cached_page
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
from impact.publishing import document, files, services
from impact.publishing import portfolio as portfolio_queries
from impact.publishing.forms import PublishForm
from impact.publishing.models import PublishedReport
from impact.snapshots import numbered_or_404
from impact.story.evidence import COMPACT_SHOWN, STRONGEST_SHOWN
from impact.story.services import label
from impact.story.view import story_view
from impact.toc.views import diagram_legend

bp = Blueprint("publishing", __name__, url_prefix="/projects/<int:project_id>/reports")
signed_in_only(bp)


@bp.route("/", methods=["GET", "POST"])
@needs(Need.VIEW_REPORT, to_post=Need.MANAGE)
def index(project: Project):
    form = PublishForm()
    race = False
    if request.method == "POST" and form.validate_on_submit():
        report = services.publish(project, form.name.data, current_user)
        if report is not None:
            flash(f"Version {report.number} “{report.name}” published: funders now read it.", "success")
            return redirect(url_for("publishing.show", project_id=project.id, number=report.number))
        race = True
    page = db.paginate(services.published_query(project), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    may_publish = may(project, Need.MANAGE)
    last, changes = services.changes_since_last(project) if may_publish else (None, None)
    status = 409 if race else (400 if form.errors else 200)
    return render_template("publishing/index.html", project=project, page=page, form=form if may_publish else None,
                           last=last, changes=changes, race=race), status


@bp.route("/<int:number>")
@needs(Need.VIEW_REPORT, read_with=services.VERSION_COLUMNS)
def show(project: Project, number: int, read: tuple):
    # A published version is frozen: it is rendered once for each way it can look (see services.report_page_or_404).
    may_read, full = may(project, Need.READ), request.args.get("evidence") == "all"
    # Each level is in brief but the one asked for (?level=), whose evidence is then shown.
    page = services.report_page_or_404(project, read, may_read=may_read, full=full,
                                       level=request.args.get("level", type=int))
    return cached_page(page.key, lambda: _render_report(project, page.report(), page, may_read=may_read, full=full),
                       stylesheet="css/story.css", project=project, active="published")


def _render_report(project: Project, report: PublishedReport, page: services.ReportPage, *, may_read: bool,
                   full: bool) -> str:
    title = f"Results chain of {report.story['project']['title']}, coloured by progress and confidence"
    view = story_view(services.story_of(report), project, live=False, may_read=may_read,
                      title=f"{title} (published version {report.number})", full=full, opened=page.level)
    summary = document.build(project, report, view)
    return render_template("story/story.html", project=project, view=view, published=report, summary=summary,
                           charts={"progress": bar_chart("Steps by progress", summary.progress_counts),
                                   "timeline": bar_chart("Evidence items by quarter", summary.timeline),
                                   "voices": bar_chart("Evidence items by partner group",
                                                                summary.voice_counts)},
                           legend=diagram_legend(), label=label, strongest=STRONGEST_SHOWN,
                           compact_shown=COMPACT_SHOWN)


@bp.route("/<int:number>.pdf")
@needs(Need.VIEW_REPORT)
def pdf(project: Project, number: int):
    report = numbered_or_404(PublishedReport, project.id, number)
    try:
        body = files.pdf_bytes(document.build(project, report))
    except files.PdfUnavailable:
        return render_template("error.html", status=503, title="PDF not available",
                               message="This installation cannot make PDF files yet (its Pango library is "
                                       "missing). The Word file has the same report."), 503
    return attachment(body, mimetype="application/pdf", name=f"report-{project.id}-v{report.number}.pdf")


@bp.route("/<int:number>.docx")
@needs(Need.VIEW_REPORT)
def docx(project: Project, number: int):
    report = numbered_or_404(PublishedReport, project.id, number)
    return attachment(files.docx_bytes(document.build(project, report)),
                      mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      name=f"report-{project.id}-v{report.number}.docx")


portfolio_bp = Blueprint("portfolio", __name__)
CACHED_PAGES = 5
signed_in_only(portfolio_bp)


@portfolio_bp.route("/portfolio")
def portfolio():
    """The latest published version of every project the user may open, side by side."""
    filters = portfolio_queries.Filters.from_args(request.args)
    if filters.programme or filters.organisation or page_number() > CACHED_PAGES:
        # Free text and far pages would let anyone fill the cache with pages nobody reads again.
        return _render_portfolio(filters)
    key = (f"portfolio:{current_user.id}:{int(current_user.is_admin)}:{portfolio_queries.stamp()}:"
           f"{filters.year}:{page_number()}")
    return cached_page(key, lambda: _render_portfolio(filters), stylesheet="css/story.css", project=None)


def _render_portfolio(filters) -> str:
    page = db.paginate(portfolio_queries.projects_query(current_user, filters), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    totals = portfolio_queries.totals(current_user, filters)
    confidence = [("High", totals["high"]), ("Medium", totals["medium"]), ("Low", totals["low"]),
                  ("Not assessed", totals["steps"] - totals["high"] - totals["medium"] - totals["low"])]
    return render_template("publishing/portfolio.html", page=page, filters=filters, totals=totals,
                           themes=portfolio_queries.themes(current_user, filters), confidence=confidence,
                           confidence_chart=bar_chart("Steps by confidence, across the projects", confidence),
                           options=portfolio_queries.filter_options(current_user))
