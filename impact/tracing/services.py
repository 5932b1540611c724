"""Reading and editing contribution claims and their evidence tests."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from impact import trash
from impact.evidence.models import EvidenceItem
from impact.extensions import db
from impact.projects.models import Project
from impact.toc.models import Link
from impact.tracing import bayes
from impact.tracing.models import Claim, ClaimTest, TestType
from impact.trash import TrashError, TrashRecord

REMOVED_TEST = "claim_test"  # the kind of trash record a removed test is kept in


@dataclass(frozen=True)
class ClaimSummary:
    """A claim with its final confidence, for the story page and the JSON report."""

    id: int
    statement: str
    prior: float
    posterior: float | None  # None when the evidence leaves Bayes' rule undefined
    tests: int
    step_id: int | None
    link_id: int | None


def evidence_of(tests: list[ClaimTest]) -> list[bayes.Evidence]:
    return [bayes.Evidence(test.sensitivity, test.type_one_error, test.found) for test in tests]


def safe_posterior(prior: float, tests: list[ClaimTest]) -> float | None:
    """The final confidence, or None when some update is undefined (stored data the form would refuse)."""
    try:
        return bayes.posterior(prior, evidence_of(tests))
    except ValueError:  # UndefinedUpdate, or a probability outside 0..1
        return None


def claims_query(project_id: int):
    return (
        select(Claim).where(Claim.project_id == project_id)
        .options(selectinload(Claim.tests), selectinload(Claim.step),
                 selectinload(Claim.link).selectinload(Link.source), selectinload(Claim.link).selectinload(Link.target))
        .order_by(Claim.position, Claim.id)
    )


def load_claims(project_id: int) -> list[Claim]:
    """Every claim of the project with its tests, step and link loaded (a fixed number of queries)."""
    return list(db.session.scalars(claims_query(project_id)))


def claims_with_posteriors(project_id: int) -> list[ClaimSummary]:
    """Each claim of the project with its posterior, in a fixed number of queries (two)."""
    claims = db.session.scalars(
        select(Claim).where(Claim.project_id == project_id)
        .options(selectinload(Claim.tests)).order_by(Claim.position, Claim.id)
    )
    return [
        ClaimSummary(claim.id, claim.statement, claim.prior, safe_posterior(claim.prior, claim.tests),
                     len(claim.tests), claim.step_id, claim.link_id)
        for claim in claims
    ]


def get_claim_or_404(project: Project, claim_id: int) -> Claim:
    """A claim of this project with its tests (and their items) loaded."""
    claim = db.session.scalar(
        select(Claim).where(Claim.id == claim_id, Claim.project_id == project.id)
        .options(selectinload(Claim.tests).selectinload(ClaimTest.item), selectinload(Claim.step),
                 selectinload(Claim.link).selectinload(Link.source), selectinload(Claim.link).selectinload(Link.target))
    )
    if claim is None:
        abort(404)
    return claim


def get_test_or_404(claim: Claim, test_id: int) -> ClaimTest:
    for test in claim.tests:
        if test.id == test_id:
            return test
    abort(404)


# Editing ------------------------------------------------------------------------------------

def set_tracing(project: Project, enabled: bool) -> None:
    project.contribution_tracing = enabled
    db.session.flush()


def add_claim(project: Project, *, statement: str, description: str, step_id: int | None,
              link_id: int | None, prior: float) -> Claim:
    position = db.session.scalar(
        select(func.coalesce(func.max(Claim.position), -1) + 1).where(Claim.project_id == project.id))
    claim = Claim(project_id=project.id, statement=statement, description=description, step_id=step_id,
                  link_id=link_id, prior=prior, position=position)
    db.session.add(claim)
    db.session.flush()
    return claim


def update_claim(claim: Claim, *, statement: str, description: str, step_id: int | None,
                 link_id: int | None, prior: float) -> None:
    claim.statement, claim.description, claim.prior = statement, description, prior
    claim.step_id, claim.link_id = step_id, link_id
    db.session.flush()


def delete_claim(claim: Claim) -> None:
    db.session.delete(claim)
    db.session.flush()


@dataclass(frozen=True)
class TestValues:
    """What a test form asks for, after presets have been resolved."""

    __test__ = False

    description: str
    item_id: int | None
    test_type: TestType
    sensitivity: float
    type_one_error: float
    found: bool

    def evidence(self) -> bayes.Evidence:
        return bayes.Evidence(self.sensitivity, self.type_one_error, self.found)


def why_undefined_with(claim: Claim, values: TestValues | None = None, replacing: ClaimTest | None = None,
                       prior: float | None = None, position: int | None = None) -> str | None:
    """Why Bayes' rule would be undefined for the claim with this test added (at the end, or at
    `position`), or replacing one, or with another prior; None when every update is defined."""
    tests = list(claim.tests)
    evidence = [values.evidence() if values is not None and test is replacing
                else bayes.Evidence(test.sensitivity, test.type_one_error, test.found) for test in tests]
    descriptions = [values.description if values is not None and test is replacing else test.description
                    for test in tests]
    added = None
    if values is not None and replacing is None:
        added = clamp_position(claim, position)
        evidence.insert(added, values.evidence())
        descriptions.insert(added, values.description)
    prior = claim.prior if prior is None else prior
    index = bayes.first_undefined(prior, evidence)
    if index is None:
        return None
    if values is not None and (index == added or replacing is not None and tests[index] is replacing):
        return bayes.why_undefined(bayes.posterior(prior, evidence[:index]), evidence[index])
    return undefined_message(prior, evidence, index, descriptions)


def clamp_position(claim: Claim, position: int | None) -> int:
    """Where in the claim's list a test goes: the given index if it exists, else the end."""
    count = len(claim.tests)
    return count if position is None or not 0 <= position <= count else position


def _tests_changed(claim: Claim) -> None:
    """Bump the claim's version when its tests change, so forms opened before see a conflict.

    Tests have no version of their own; a change to them does not touch the claim's columns, and
    SQLAlchemy bumps version_id_col only when it writes the row. Flagging a column makes it write.
    """
    flag_modified(claim, "statement")


def add_test(claim: Claim, values: TestValues, position: int | None = None) -> ClaimTest:
    """Add a test at the end, or at `position` (an index in the list: putting a removed test back)."""
    test = ClaimTest(description=values.description, item_id=values.item_id, test_type=values.test_type,
                     sensitivity=values.sensitivity, type_one_error=values.type_one_error, found=values.found)
    tests = list(claim.tests)
    index = clamp_position(claim, position)
    if index == len(tests):
        test.position = max((other.position for other in tests), default=-1) + 1
        claim.tests.append(test)
    else:
        claim.tests.insert(index, test)
        for number, other in enumerate(claim.tests):
            other.position = number
    _tests_changed(claim)
    db.session.flush()
    return test


def update_test(claim: Claim, test: ClaimTest, values: TestValues) -> None:
    test.description, test.item_id, test.test_type = values.description, values.item_id, values.test_type
    test.sensitivity, test.type_one_error, test.found = values.sensitivity, values.type_one_error, values.found
    _tests_changed(claim)
    db.session.flush()


def delete_test(claim: Claim, test: ClaimTest, user=None) -> TrashRecord:
    """Remove a test into the trash (with anything hanging on it); restore_test puts it back."""
    record = trash.put_away([test], project_id=claim.project_id, kind=REMOVED_TEST, title=test.description, user=user,
                            data={"claim_id": claim.id})
    claim.tests.remove(test)
    _tests_changed(claim)
    db.session.flush()
    return record


def removed_test(project: Project, token: str) -> TrashRecord:
    """The removed test an Undo names: LinkProblem for a token that cannot be read, 404 for another project's."""
    return trash.record_for_undo(project.id, token, [REMOVED_TEST])


def restore_test(claim: Claim, record: TrashRecord, values: TestValues, position: int | None) -> ClaimTest:
    """Restore a removed test from its trash record, under its own id, with the values as checked on the Undo's
    form (which shows them, so a refused undo can be corrected), at `position` in the claim's list.

    TrashError when the record was restored already (or belongs to another claim).
    """
    if record.payload.get("claim_id") != claim.id:
        raise TrashError("This undo belongs to another claim.")
    test_id = trash.copied_row(record, "claim_tests")["id"]
    trash.restore(record, changes={"claim_tests": {
        "description": values.description, "item_id": values.item_id, "test_type": values.test_type.value,
        "sensitivity": values.sensitivity, "type_one_error": values.type_one_error, "found": values.found}})
    index = clamp_position(claim, position)
    db.session.expire(claim, ["tests"])
    tests = [other for other in claim.tests if other.id != test_id]
    test = next(other for other in claim.tests if other.id == test_id)
    tests.insert(index, test)
    for number, other in enumerate(tests):
        other.position = number
    _tests_changed(claim)
    db.session.flush()
    return test


def posterior_without(claim: Claim, test: ClaimTest) -> float | None:
    """What the claim's posterior would be with this test removed (None if still undefined)."""
    return safe_posterior(claim.prior, [other for other in claim.tests if other is not test])


def removal_record(test: ClaimTest) -> dict[str, object]:
    """A removed test's values and place, as plain data, so the removal can be undone."""
    return {"claim_id": test.claim_id, "position": test.claim.tests.index(test), "description": test.description,
            "item_id": test.item_id, "test_type": test.test_type.value, "sensitivity": repr(test.sensitivity),
            "type_one_error": repr(test.type_one_error), "found": "found" if test.found else "not_found"}


def move_test(claim: Claim, test: ClaimTest, direction: str) -> bool:
    """Swap a test with its neighbour; renumbers positions so ties from old data cannot stall a move."""
    tests = list(claim.tests)
    index = tests.index(test)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if other is None or not 0 <= other < len(tests):
        return False
    tests[index], tests[other] = tests[other], tests[index]
    for position, item in enumerate(tests):
        item.position = position
    _tests_changed(claim)
    db.session.flush()
    return True


# Showing a claim's trace --------------------------------------------------------------------

@dataclass(frozen=True)
class TraceRow:
    """One test on the claim page: the update it makes (before/after are None past an undefined update)."""

    test: ClaimTest
    likelihood_ratio: float | None  # None when infinite (the outcome is impossible if the claim is false)
    before: float | None
    after: float | None

    @property
    def probative(self) -> bool:
        return self.test.sensitivity != self.test.type_one_error


@dataclass(frozen=True)
class ClaimTrace:
    rows: list[TraceRow]
    posterior: float | None
    undefined_at: int | None  # index of the first test Bayes' rule cannot update on
    undefined_reason: str | None
    by_prior: list[tuple[float, float | None]]  # what other priors would give, the claim's own included


def claim_trace(claim: Claim) -> ClaimTrace:
    rows, confidence, undefined_at, reason = [], claim.prior, None, None
    evidence = evidence_of(claim.tests)
    for index, (test, item) in enumerate(zip(claim.tests, evidence, strict=True)):
        ratio = 1.0 if not item.probative else item.likelihood_ratio
        if undefined_at is None:
            try:
                after = bayes.update(confidence, item)
            except ValueError as exc:  # UndefinedUpdate, or out-of-range data from outside the forms
                undefined_at, reason = index, str(exc)
            else:
                rows.append(TraceRow(test, ratio, confidence, after))
                confidence = after
                continue
        rows.append(TraceRow(test, ratio, None, None))
    priors = sorted(set(bayes.SENSITIVITY_PRIORS) | {claim.prior})
    return ClaimTrace(rows, None if undefined_at is not None else confidence, undefined_at, reason,
                      bayes.prior_sensitivity(evidence, priors))


def undefined_message(prior: float, evidence: list[bayes.Evidence], index: int, descriptions: list[str]) -> str:
    """Why the update at `index` is undefined, naming the test when it is not the one being saved."""
    confidence = bayes.posterior(prior, evidence[:index])
    return f"Test {index + 1} (“{descriptions[index]}”): {bayes.why_undefined(confidence, evidence[index])}"


def percent(value: float | None) -> str:
    """A probability as a whole percentage, never rounding a doubt away: 0.9996 is "more than 99%"."""
    if value is None:
        return "undefined"
    whole = int(value * 100 + 0.5)  # half up, as people round (Python's round() rounds half to even)
    if whole == 0 and value > 0:
        return "less than 1%"
    if whole == 100 and value < 1:
        return "more than 99%"
    return f"{whole}%"


def points(change: float) -> str:
    """A change in confidence in percentage points, e.g. "+44 points"."""
    whole = int(abs(change) * 100 + 0.5)
    if whole == 0:
        return "no change" if change == 0 else "less than 1 point"
    return f"{'+' if change > 0 else '−'}{whole} point{'' if whole == 1 else 's'}"


def tests_citing(item: EvidenceItem) -> list[tuple[int, str, str]]:
    """(claim id, claim statement, test description) of the contribution-tracing tests that cite the item.

    They are the team's judgement and stay in their claims' posteriors when the item goes to the
    trash, so the evidence delete page says so.
    """
    return [tuple(row) for row in db.session.execute(
        select(Claim.id, Claim.statement, ClaimTest.description)
        .join(ClaimTest, ClaimTest.claim_id == Claim.id)
        .where(ClaimTest.item_id == item.id, Claim.project_id == item.project_id)
        .order_by(Claim.position, Claim.id, ClaimTest.position)
    )]


def citations_panel(project: Project, item: EvidenceItem) -> dict:
    """The evidence delete page's warning about the tests that will keep citing the item."""
    claim_tests = tests_citing(item)
    if not claim_tests:
        return {}
    return {"panels": [Markup(render_template("tracing/_item_citations.html", project=project,
                                              claim_tests=claim_tests))]}


def claims_citing(project: Project, item_ids: list[int]) -> dict:
    """For the contributor's page: how many claims' tests cite each of their items (tracing on only)."""
    if not project.contribution_tracing or not item_ids:
        return {"claim_counts": {}}
    return {"claim_counts": dict(db.session.execute(
        select(ClaimTest.item_id, func.count(func.distinct(ClaimTest.claim_id)))
        .join(Claim, Claim.id == ClaimTest.claim_id)
        .where(ClaimTest.item_id.in_(item_ids), Claim.project_id == project.id)
        .group_by(ClaimTest.item_id)).all())}
