"""Evidence items and their links to the chain: read them, add them, edit them."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from impact.api.auth import ApiBlueprint, token_only
from impact.api.pages import kept_page_of_rows
from impact.api.schemas import (
    IN_QUERY,
    EvidenceEdit,
    EvidenceFilters,
    EvidenceIn,
    EvidenceLinkIn,
    EvidenceLinkOut,
    EvidenceOut,
    page_of,
    quote_needs_name,
)
from impact.concurrency import EditConflict, commit_if_current
from impact.errors import ApiError
from impact.evidence import services
from impact.evidence.derived import derived_from
from impact.evidence.models import EvidenceItem, EvidenceLink
from impact.extensions import db
from impact.projects.models import Project
from impact.projects.permissions import Need, get_project_or_404
from impact.toc.services import load_chain

bp = token_only(ApiBlueprint("api_evidence", __name__, url_prefix="/api/v1/projects/<int:project_id>/evidence",
                          description="The evidence library: items and their links to steps, links, "
                                      "assumptions and influencing factors."))
EVIDENCE_PAGE = page_of(EvidenceOut, "EvidencePage")


def _link(link: EvidenceLink) -> dict:
    kind, _, target_id = services.target_value(link).partition(":")
    return {"id": link.id, "target": kind, "target_id": int(target_id), "stance": link.stance,
            "strength": link.strength, "note": link.note}


def _item(project: Project, item: EvidenceItem) -> dict:
    """An item as this user may read it: words without consent are withheld, as on its page."""
    return {
        **{name: getattr(item, name) for name in (
            "id", "kind", "title", "evidence_date", "source", "partner_group", "consent_to_quote",
            "file_name", "created_at", "version")},
        "summary": None if services.summary_hidden(project, item) else item.summary,
        "quote": item.quote if item.consent_to_quote else None,
        "pseudonym": item.pseudonym if item.consent_to_quote else "",  # the name goes with the quote
        "links": [_link(link) for link in item.links],
    }


def _changeable(project: Project, item_id: int) -> EvidenceItem:
    item = services.get_item_or_404(project, item_id, with_links=True)
    services.require_change(project, item)
    return item


@bp.route("")
class Items(MethodView):
    @bp.arguments(EvidenceFilters, **IN_QUERY)
    @bp.response(200, EVIDENCE_PAGE)
    def get(self, args, project_id: int):
        """The project's live evidence, latest evidence first, filtered as in the library."""
        project = get_project_or_404(project_id, Need.READ)
        filters = {key: args[key] for key in ("q", "kind", "partner_group", "step_id", "stance") if args.get(key)}
        query = services.library_query(project, filters, private_summaries=services.sees_private_summaries(project))
        return kept_page_of_rows(project, EVIDENCE_PAGE, query.options(selectinload(EvidenceItem.links)), args,
                                 lambda rows: [_item(project, row) for row in rows])

    @bp.arguments(EvidenceIn)
    @bp.response(201, EvidenceOut)
    def post(self, values, project_id: int):
        """Add an item (project members who contribute); link it with POST .../links."""
        project = get_project_or_404(project_id, Need.CONTRIBUTE)
        item = services.create_item(project, current_user, values)
        db.session.commit()
        return _item(project, item)


@bp.route("/<int:item_id>")
class Item(MethodView):
    @bp.response(200, EvidenceOut)
    def get(self, project_id: int, item_id: int):
        project = get_project_or_404(project_id, Need.READ)
        return _item(project, services.get_item_or_404(project, item_id, with_links=True))

    @bp.arguments(EvidenceEdit)
    @bp.response(200, EvidenceOut)
    def patch(self, values, project_id: int, item_id: int):
        """Change the fields sent (the others stay), if nobody changed the item since ``version`` (409
        otherwise: read it again). A withheld quote or summary (null when read) is kept unless sent."""
        project = get_project_or_404(project_id, Need.CONTRIBUTE)
        item = _changeable(project, item_id)
        if derived_from(item) is not None:
            raise ApiError(409, "mirrored", "This item mirrors a respondent's answer or a practitioner's update: "
                                            "it changes when they amend it, and cannot be edited here.")
        version = values.pop("version")
        after = {name: values.get(name, getattr(item, name)) for name in ("quote", "consent_to_quote", "pseudonym")}
        try:
            quote_needs_name(after, "Give a pseudonym for the person quoted: quotes are shown only with one.")
        except ValidationError as refused:
            raise ApiError.invalid("pseudonym", str(refused.messages[0])) from None
        try:
            commit_if_current(item, version, lambda: services.update_item(item, values))
        except EditConflict:
            raise ApiError(409, "conflict", "Someone changed this item after the version you sent. "
                                            "Read it again and apply your change to it.") from None
        return _item(project, services.get_item_or_404(project, item_id, with_links=True))


@bp.route("/<int:item_id>/links")
class Links(MethodView):
    @bp.arguments(EvidenceLinkIn)
    @bp.response(201, EvidenceLinkOut)
    def post(self, values, project_id: int, item_id: int):
        """Link the item to a step, link, assumption or factor of the project's chain."""
        project = get_project_or_404(project_id, Need.CONTRIBUTE)
        item = _changeable(project, item_id)
        targets = services.Targets(project, load_chain(project.id))
        try:
            link = services.add_link(item, targets, f"{values['target']}:{values['target_id']}", values["stance"],
                                     values["strength"], values["note"], current_user)
        except services.LinkError as refused:
            raise ApiError.invalid("target_id", str(refused)) from None
        db.session.commit()
        return _link(link)
