"""Pseudonyms respondents are quoted under: one per person in a project, never one shared by two.

The register (Pseudonym) holds one row per person (email) and name in each project, with a unique
constraint on both. The name a new person gets is their partner group's label and one more than the
highest number that label carries anywhere in the project ("Practitioner 8" after "Practitioner 7"),
kept per project and group in PseudonymCounter: offering a name reads one row and claiming one moves it,
however many names the project holds (they were all read on every answer, issue 15). Taking a number is
an UPDATE of that row, so two respondents answering at once queue there and never get the same one.

Names typed elsewhere count too: every flush that writes a label-and-number name to the register or to
an evidence item (a quote in the library, a meeting's or an update's, an imported item) moves the counter
past it. A project without counters (its rows written without the ORM: an export from before counters,
the benchmark's generator) is read once, from every name it holds, when it first claims one.
"""
from __future__ import annotations

from sqlalchemy import case, event, func, inspect, select, union, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from impact.cards.models import ActionCard
from impact.evidence.models import EvidenceItem
from impact.extensions import db
from impact.followups.models import Campaign, FollowUp, Pseudonym, PseudonymCounter, Response
from impact.projects import stamps
from impact.projects.models import PartnerGroup

MAX_TRIES = 20
# A name numbered beyond this ("Practitioner 99999999") is not one the counter will reach: it is not counted
# (the column holds a 32-bit integer).
MAX_NUMBER = 1_000_000
_LABELS = {group: group.label.lower() + " " for group in PartnerGroup}
_COUNTERS = PseudonymCounter.__table__
_NOTED = "impact.pseudonym_numbers"  # session.info: {(project_id, group): a number the counter is known to hold}


def numbered(name: str) -> tuple[PartnerGroup, int] | None:
    """The group and number of a name like those the project gives ("practitioner 7", any case), else None."""
    lowered = name.lower()
    for group, prefix in _LABELS.items():
        if lowered.startswith(prefix):
            number = lowered.removeprefix(prefix).strip()
            if number.isdecimal() and int(number) <= MAX_NUMBER:
                return group, int(number)
    return None


def registered_name(project_id, email):
    """The person's registered name, as a column (``project_id`` and ``email`` may be columns too)."""
    return (select(Pseudonym.name).where(Pseudonym.project_id == project_id, Pseudonym.email == email)
            .scalar_subquery())


def highest_number(project_id, partner_group):
    """The group's counter in the project, as a column (NULL before the project has counters)."""
    return (select(PseudonymCounter.last_number)
            .where(PseudonymCounter.project_id == project_id, PseudonymCounter.partner_group == partner_group)
            .scalar_subquery())


def registered(project_id: int, email: str) -> str | None:
    return db.session.scalar(select(registered_name(project_id, email)))


def offered(card: ActionCard, registered_as: str | None, highest: int | None) -> str:
    """The name to offer the card's holder: their registered one, else the next of their group's label.

    ``registered_as`` and ``highest`` are read with the follow-up (registered_name, highest_number).
    """
    if registered_as:
        return registered_as
    if highest is None:  # the project has no counters yet: its names are read (and counted when it claims one)
        highest = _highest_in_use(card.project_id)[card.partner_group]
    return f"{card.partner_group.label} {highest + 1}"


def claim_pseudonym(followup: FollowUp, *, wanted: str = "") -> str:
    """Register (or find) the person's pseudonym in the project and return it.

    ``wanted`` (a name the caller chose, e.g. the demo's) is taken if it is free; otherwise the next
    number of the person's group. An insert that meets someone else's registration (this person, or
    this name, a moment ago) does nothing, and the next try sees it.
    """
    card: ActionCard = followup.card
    project_id = card.project_id
    for _ in range(MAX_TRIES):
        earlier = registered(project_id, card.email)
        if earlier:
            return earlier
        name = wanted if wanted and _name_free(project_id, wanted) else None
        wanted = ""
        if name is None:
            name = f"{card.partner_group.label} {_take_number(project_id, card.partner_group)}"
        if _register(project_id, card.email, name):
            return name
    raise RuntimeError("could not register a pseudonym")  # only under a storm of simultaneous answers


def _name_free(project_id: int, name: str) -> bool:
    return db.session.scalar(select(Pseudonym.id).where(Pseudonym.project_id == project_id,
                                                        func.lower(Pseudonym.name) == name.lower())) is None


def _insert(connection):
    return postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert


def _register(project_id: int, email: str, name: str) -> bool:
    connection = db.session.connection()
    table = Pseudonym.__table__
    added = connection.execute(_insert(connection)(table).values(project_id=project_id, email=email, name=name)
                               .on_conflict_do_nothing().returning(table.c.id)).first()
    if added is None:
        return False
    stamps.advance(db.session, [project_id])  # written without the ORM
    _raise_counters(db.session, {(project_id, group): number for group, number in filter(None, [numbered(name)])})
    return True


def _take_number(project_id: int, group: PartnerGroup) -> int:
    """The group's next number, taken: the counter moves in this transaction (and, on PostgreSQL, stays
    locked until it ends, so a second respondent waits here for the first one's number)."""
    connection = db.session.connection()
    take = (update(_COUNTERS).where(_COUNTERS.c.project_id == project_id, _COUNTERS.c.partner_group == group.value)
            .values(last_number=_COUNTERS.c.last_number + 1).returning(_COUNTERS.c.last_number))
    number = connection.execute(take).scalar()
    if number is None:
        count_names(db.session, project_id)
        number = connection.execute(take).scalar()
    db.session.info.setdefault(_NOTED, {})[(project_id, group)] = number
    return number


def _names_in_use(project_id: int):
    """Every name the project quotes someone under: in the register, a response or an evidence item
    (trashed ones too: they can come back)."""
    return union(
        select(Pseudonym.name.label("name")).where(Pseudonym.project_id == project_id),
        select(Response.pseudonym.label("name"))
        .join(FollowUp, FollowUp.id == Response.followup_id).join(Campaign, Campaign.id == FollowUp.campaign_id)
        .where(Campaign.project_id == project_id, Response.pseudonym != ""),
        select(EvidenceItem.pseudonym.label("name"))
        .where(EvidenceItem.project_id == project_id, EvidenceItem.pseudonym != ""),
    )


def _highest_in_use(project_id: int) -> dict[PartnerGroup, int]:
    highest = dict.fromkeys(PartnerGroup, 0)
    for name in db.session.connection().execute(_names_in_use(project_id)).scalars():
        found = numbered(name)
        if found:
            highest[found[0]] = max(highest[found[0]], found[1])
    return highest


def count_names(session: Session, project_id: int) -> None:
    """The project's counters, from the names it holds (once: a project that has them keeps them up).

    Written without the ORM, and without advancing the project's stamp: no page shows a counter, and the
    names it counts were written by a flush (or an import) that advanced it."""
    connection = session.connection()
    rows = [{"project_id": project_id, "partner_group": group.value, "last_number": number}
            for group, number in _highest_in_use(project_id).items()]
    # Another transaction counting the same project at the same moment wrote the same numbers.
    connection.execute(_insert(connection)(_COUNTERS).values(rows).on_conflict_do_nothing())


def _raise_counters(session: Session, numbers: dict[tuple[int, PartnerGroup], int]) -> None:
    """Each (project, group) counter moves up to the number, if it is below it."""
    noted = session.info.setdefault(_NOTED, {})
    connection = session.connection()
    for (project_id, group), number in sorted(numbers.items(), key=lambda item: (item[0][0], item[0][1].value)):
        if noted.get((project_id, group), -1) >= number:
            continue  # a number this transaction took or raised the counter to already
        moved = connection.execute(
            update(_COUNTERS).where(_COUNTERS.c.project_id == project_id, _COUNTERS.c.partner_group == group.value)
            .values(last_number=case((_COUNTERS.c.last_number < number, number), else_=_COUNTERS.c.last_number)))
        if moved.rowcount == 0:
            count_names(session, project_id)  # after the flush: the new name is among those read
        noted[(project_id, group)] = number


def _written_names(session: Session) -> dict[tuple[int, PartnerGroup], int]:
    found: dict[tuple[int, PartnerGroup], int] = {}
    for row in [*session.new, *session.dirty]:
        if isinstance(row, EvidenceItem):
            attribute = "pseudonym"
        elif isinstance(row, Pseudonym):
            attribute = "name"
        else:
            continue
        names = [getattr(row, attribute)] if row in session.new else inspect(row).attrs[attribute].history.added
        for name in names:
            if name and row.project_id is not None and (hit := numbered(name)):
                key = (row.project_id, hit[0])
                found[key] = max(found.get(key, 0), hit[1])
    return found


@event.listens_for(Session, "after_flush")
def _count_written_names(session: Session, flush_context) -> None:
    numbers = _written_names(session)
    if numbers:
        _raise_counters(session, numbers)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_numbers(session: Session, *args) -> None:
    # What the counters held in a transaction says nothing after it ends (a rollback took it back).
    session.info.pop(_NOTED, None)
