"""What the API reads and writes, as marshmallow schemas: they validate input and document the OpenAPI.

Limits match the database columns and the web forms, so the API refuses what a form would.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from impact.cards.models import MAX_ACTIONS
from impact.evidence.models import EvidenceKind, Stance, Strength
from impact.pagination import MAX_PAGE
from impact.projects.models import PartnerGroup
from impact.research.models import ResearchStatus, UpdateStatus
from impact.toc.models import AssumptionKind, FactorDirection

PER_PAGE_DEFAULT, PER_PAGE_MAX = 50, 100
STEPS_MAX = 200  # steps one update is about: far more than a chain has
INT_MAX = 2**31 - 1  # ids fit the database's integer columns


def _enum(enum_cls, **kwargs):
    return fields.Enum(enum_cls, by_value=True, **kwargs)


def _text(limit: int, **kwargs):
    return fields.String(validate=validate.Length(max=limit), **kwargs)


class Input(ma.Schema):
    """A request body: unknown keys are refused; text is trimmed and NUL characters dropped, as in the forms."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _clean_text(self, data, **kwargs):
        return _clean(data) if isinstance(data, dict) else data


def _clean(value):
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    if isinstance(value, list):
        return [_clean(each) for each in value]
    if isinstance(value, dict):
        return {key: _clean(each) for key, each in value.items()}
    return value


def quote_needs_name(data: dict, message: str) -> None:
    # A quote used with consent is always attributed, and only ever to a pseudonym.
    if data.get("quote") and data.get("consent_to_quote") and not data.get("pseudonym"):
        raise ma.ValidationError(message, "pseudonym")


class Error(ma.Schema):
    class Detail(ma.Schema):
        code = fields.String(required=True, metadata={"description": "a stable name: not_found, invalid..."})
        message = fields.String(required=True)
        fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                             metadata={"description": "for invalid input: the fields at fault and why"})

    error = fields.Nested(Detail, required=True)


# Query arguments are checked as strictly as bodies: ?per-page=10 is answered with what is wrong, not ignored.
IN_QUERY = {"location": "query", "unknown": ma.RAISE}


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=PER_PAGE_DEFAULT, validate=validate.Range(1, PER_PAGE_MAX))


def page_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of a list: its items and where it is in the whole."""
    return ma.Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }, name=name)


# Projects and their chain ----------------------------------------------------------------------

class ProjectOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    question = fields.String(required=True, metadata={"description": "the cause-effect question"})
    description = fields.String(required=True)
    programme = fields.String(required=True)
    funder = fields.String(required=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    contribution_tracing = fields.Boolean(required=True)
    time_zone = fields.String(required=True, metadata={
        "description": "the IANA time zone the project's pages show times in (the API's times are UTC)"})
    role = fields.String(allow_none=True, metadata={"description": "the token user's role (null: a site admin)"})


class LevelOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    position = fields.Integer(required=True)


class StepOut(ma.Schema):
    id = fields.Integer(required=True)
    level_id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    position = fields.Integer(required=True)


class AssumptionOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = _enum(AssumptionKind, required=True)
    text = fields.String(required=True)


class LinkOut(ma.Schema):
    id = fields.Integer(required=True)
    source_step_id = fields.Integer(required=True)
    target_step_id = fields.Integer(required=True)
    note = fields.String(required=True)
    assumptions = fields.List(fields.Nested(AssumptionOut), required=True)


class FactorOut(ma.Schema):
    id = fields.Integer(required=True)
    step_id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    direction = _enum(FactorDirection, required=True)
    also_step_ids = fields.List(fields.Integer(), required=True, metadata={
        "description": "The other steps the factor bears on besides step_id, where it was entered."})


class ChainOut(ma.Schema):
    levels = fields.List(fields.Nested(LevelOut), required=True)
    steps = fields.List(fields.Nested(StepOut), required=True)
    links = fields.List(fields.Nested(LinkOut), required=True)
    factors = fields.List(fields.Nested(FactorOut), required=True)


# Evidence --------------------------------------------------------------------------------------

TARGETS = ("step", "link", "assumption", "factor")


class EvidenceLinkOut(ma.Schema):
    id = fields.Integer(required=True)
    target = fields.String(required=True, validate=validate.OneOf(TARGETS))
    target_id = fields.Integer(required=True)
    stance = _enum(Stance, required=True)
    strength = _enum(Strength, required=True)
    note = fields.String(required=True)


class EvidenceOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = _enum(EvidenceKind, required=True)
    title = fields.String(required=True)
    evidence_date = fields.Date(required=True)
    source = fields.String(required=True)
    partner_group = _enum(PartnerGroup, required=True)
    summary = fields.String(allow_none=True, metadata={
        "description": "null: a respondent's words without consent to quote, read by the project team only"})
    quote = fields.String(allow_none=True, metadata={"description": "null: withheld, no consent to quote"})
    pseudonym = fields.String(required=True)
    consent_to_quote = fields.Boolean(required=True)
    file_name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "send it back with an edit (PATCH)"})
    links = fields.List(fields.Nested(EvidenceLinkOut), required=True)


class EvidenceFilters(PageArgs):
    kind = _enum(EvidenceKind)
    partner_group = _enum(PartnerGroup)
    step_id = fields.Integer(validate=validate.Range(1, INT_MAX))
    stance = _enum(Stance)
    q = _text(200, metadata={"description": "words in the title, summary, source or quote"})


class EvidenceIn(Input):
    kind = _enum(EvidenceKind, required=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    evidence_date = fields.Date(required=True)
    source = _text(200, load_default="")
    partner_group = _enum(PartnerGroup, load_default=PartnerGroup.OTHER)
    summary = _text(20000, load_default="")
    quote = _text(5000, load_default="")
    pseudonym = _text(80, load_default="")
    consent_to_quote = fields.Boolean(load_default=False)

    @ma.validates_schema
    def _quote_has_pseudonym(self, data, **kwargs):
        quote_needs_name(data, "Give a pseudonym for the person quoted: quotes are shown only with one.")


class EvidenceEdit(Input):
    """An edit: the fields to change (the others stay as they are), and the version it was based on."""

    version = fields.Integer(required=True, validate=validate.Range(1, INT_MAX))
    kind = _enum(EvidenceKind)
    title = fields.String(validate=validate.Length(1, 200))
    evidence_date = fields.Date()
    source = _text(200)
    partner_group = _enum(PartnerGroup)
    summary = _text(20000)
    quote = _text(5000)
    pseudonym = _text(80)
    consent_to_quote = fields.Boolean()


class EvidenceLinkIn(Input):
    target = fields.String(required=True, validate=validate.OneOf(TARGETS))
    target_id = fields.Integer(required=True, validate=validate.Range(1, INT_MAX))
    stance = _enum(Stance, required=True)
    strength = _enum(Strength, load_default=Strength.MODERATE)
    note = _text(2000, load_default="")


# Events and action cards -----------------------------------------------------------------------

class EventOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    event_date = fields.Date(required=True)
    place = fields.String(required=True)


class ActionOut(ma.Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    text = fields.String(required=True)
    step_ids = fields.List(fields.Integer(), required=True)


class CardOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    organisation = fields.String(required=True)
    partner_group = _enum(PartnerGroup, required=True)
    source = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    opted_out = fields.Boolean(required=True)
    actions = fields.List(fields.Nested(ActionOut), required=True)


class CardIn(Input):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    name = _text(200, load_default="")
    organisation = _text(200, load_default="")
    partner_group = _enum(PartnerGroup, load_default=PartnerGroup.OTHER)
    actions = fields.List(fields.String(validate=validate.Length(max=2000)), required=True,
                          validate=validate.Length(1, MAX_ACTIONS),
                          metadata={"description": "one to three actions; each keeps its place (action 1 to 3)"})


# Practitioner research projects ----------------------------------------------------------------

class ResearchProjectOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    local_authority = fields.String(required=True)
    status = _enum(ResearchStatus, required=True)
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    aims = fields.String(required=True)
    step_ids = fields.List(fields.Integer(), required=True)
    updates = fields.Integer(required=True, metadata={"description": "submitted updates"})


class UpdateOut(ma.Schema):
    id = fields.Integer(required=True)
    status = _enum(UpdateStatus, required=True)
    update_date = fields.Date(required=True)
    partner_group = _enum(PartnerGroup, required=True)
    what_did = fields.String(required=True)
    what_changed = fields.String(required=True)
    changed_practice = fields.Boolean(required=True)
    changed_team = fields.Boolean(required=True)
    changed_families = fields.Boolean(required=True)
    who_involved = fields.String(required=True)
    quote = fields.String(allow_none=True, metadata={"description": "null: withheld, no consent to quote"})
    pseudonym = fields.String(required=True)
    consent_to_quote = fields.Boolean(required=True)
    step_ids = fields.List(fields.Integer(), required=True)
    submitted_at = fields.DateTime(allow_none=True)
    evidence_item_id = fields.Integer(allow_none=True)


class UpdateIn(Input):
    update_date = fields.Date(required=True)
    what_did = _text(5000, load_default="")
    what_changed = _text(5000, load_default="")
    changed_practice = fields.Boolean(load_default=False)
    changed_team = fields.Boolean(load_default=False)
    changed_families = fields.Boolean(load_default=False)
    who_involved = _text(500, load_default="")
    quote = _text(5000, load_default="")
    consent_to_quote = fields.Boolean(load_default=False)
    pseudonym = _text(80, load_default="")
    step_ids = fields.List(fields.Integer(validate=validate.Range(1, INT_MAX)), load_default=list,
                           validate=validate.Length(max=STEPS_MAX),
                           metadata={"description": "the steps it is about (default: the PRP's own)"})
    submit = fields.Boolean(load_default=True, metadata={"description": "false keeps it as your draft"})

    @ma.validates_schema
    def _quote_has_pseudonym(self, data, **kwargs):
        quote_needs_name(data, "Give the name to quote it under.")


class ReportOut(ma.Schema):
    """The report data, as GET /projects/<id>/report.json gives it (INTERFACES.md); more keys may follow."""

    class Meta:
        unknown = ma.INCLUDE  # documented as open: the parts add sections of their own (meetings...)

    project = fields.Dict(required=True)
    action_cards = fields.Dict(required=True)
    steps = fields.List(fields.Dict(), required=True)
    factors = fields.List(fields.Dict(), required=True)
    claims = fields.List(fields.Dict(), required=True)
    prps = fields.List(fields.Dict(), required=True)
