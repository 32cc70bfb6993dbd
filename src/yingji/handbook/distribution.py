"""The print and distribution log of the handbook (HANDBOOK_MANAGE): print runs of an edition (its
hash and data date go with it), copies handed to units, people or others named, and the totals.

Handing out is counted by a guarded UPDATE of the print run (``distributed + n <= copies``), so two
officers recording at once can never hand out more copies than were printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.text import trimmed
from yingji.handbook.codes import EditionState, RecipientKind
from yingji.handbook.models import Distribution, Edition, Print
from yingji.org import codes
from yingji.org.models import Person, Unit


def record_print(
    session: Session,
    principal: Principal,
    edition_id: int,
    copies: int,
    printed_on: date,
    note: str | None = None,
) -> Print:
    """A print run of a finished edition, in the edition's place."""
    edition = visible(principal, session.get(Edition, edition_id))
    writable(principal, edition.jurisdiction_code, Perm.HANDBOOK_MANAGE)
    if edition.state != EditionState.DONE:
        raise Conflict("Only a finished edition can be printed.")
    if not 0 < copies <= 1_000_000:
        raise ValidationFailed.on("copies", "Copies must be a positive number.")
    row = Print(
        edition_id=edition.id,
        jurisdiction_code=edition.jurisdiction_code,
        copies=copies,
        distributed=0,
        printed_on=printed_on,
        note=trimmed(note, 2000),
        created_by=principal.display_name,
    )
    session.add(row)
    session.flush()
    return row


def get_print(session: Session, principal: Principal, print_id: int) -> Print:
    require(principal, Perm.ORG_READ)
    return visible(principal, session.get(Print, print_id))


def _recipient(
    session: Session, principal: Principal, kind: RecipientKind, unit_id, person_id, name: str | None
) -> tuple[int | None, int | None, str]:
    if kind == RecipientKind.UNIT:
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit is None or not principal.covers(unit.jurisdiction_code):
            raise ValidationFailed.on("unit_id", "Unknown unit.")
        return unit.id, None, unit.name
    if kind == RecipientKind.PERSON:
        person = session.get(Person, person_id) if person_id else None
        if person is None or not principal.covers(person.jurisdiction_code):
            raise ValidationFailed.on("person_id", "Unknown person.")
        return None, person.id, person.name
    name = trimmed(name, 120)
    if not name:
        raise ValidationFailed.on("recipient_name", "Say who received the copies.")
    return None, None, name


def distribute(
    session: Session,
    principal: Principal,
    print_id: int,
    *,
    recipient_kind: str,
    copies: int,
    distributed_on: date,
    unit_id: int | None = None,
    person_id: int | None = None,
    recipient_name: str | None = None,
    note: str | None = None,
) -> Distribution:
    """Copies of a print run handed to one recipient; never more than are left."""
    run = get_print(session, principal, print_id)
    writable(principal, run.jurisdiction_code, Perm.HANDBOOK_MANAGE)
    try:
        kind = RecipientKind(recipient_kind)
    except ValueError:
        raise ValidationFailed.on("recipient_kind", "Unknown recipient kind.") from None
    if not 0 < copies <= 1_000_000:
        raise ValidationFailed.on("copies", "Copies must be a positive number.")
    if distributed_on < run.printed_on:
        raise ValidationFailed.on("distributed_on", "Copies cannot be handed out before they were printed.")
    unit, person, name = _recipient(session, principal, kind, unit_id, person_id, recipient_name)
    taken = session.execute(
        update(Print)
        .where(Print.id == run.id, Print.distributed + copies <= Print.copies)
        .values(distributed=Print.distributed + copies)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        session.refresh(run)
        raise Conflict(
            "Only {left} copies of this print run are left to hand out.", left=run.copies - run.distributed
        )
    row = Distribution(
        print_id=run.id,
        jurisdiction_code=run.jurisdiction_code,
        recipient_kind=kind.value,
        unit_id=unit,
        person_id=person,
        recipient_name=name,
        copies=copies,
        distributed_on=distributed_on,
        note=trimmed(note, 200),
        created_by=principal.display_name,
    )
    session.add(row)
    session.flush()
    session.refresh(run)
    return row


def prints(session: Session, principal: Principal, code: str | None = None) -> list[Print]:
    """Print runs in scope (of ``code``'s subtree when given), newest first."""
    require(principal, Perm.ORG_READ)
    stmt = select(Print).where(in_scope(Print.jurisdiction_code, principal))
    if code:
        low, high = codes.subtree_bounds(code)
        stmt = stmt.where(Print.jurisdiction_code >= low, Print.jurisdiction_code < high)
    return list(session.scalars(stmt.order_by(Print.printed_on.desc(), Print.id.desc())))


def distributions(session: Session, principal: Principal, print_id: int) -> list[Distribution]:
    run = get_print(session, principal, print_id)
    return list(
        session.scalars(select(Distribution).where(Distribution.print_id == run.id).order_by(Distribution.id))
    )


@dataclass
class Totals:
    printed: int
    distributed: int
    runs: int
    recipients: int
    by_kind: dict[str, int]


def totals(session: Session, principal: Principal, code: str | None = None) -> Totals:
    """Copies printed and handed out in scope (of ``code``'s subtree), set-based."""
    require(principal, Perm.ORG_READ)
    if code is not None:
        try:
            code = codes.normalise(code)
        except ValueError:
            raise NotFound() from None
        if not principal.covers(code):
            raise NotFound()

    def where(column):
        cond = in_scope(column, principal)
        if code:
            low, high = codes.subtree_bounds(code)
            cond = cond & (column >= low) & (column < high)
        return cond

    printed, handed, runs = session.execute(
        select(
            func.coalesce(func.sum(Print.copies), 0),
            func.coalesce(func.sum(Print.distributed), 0),
            func.count(),
        ).where(where(Print.jurisdiction_code))
    ).one()
    by_kind = dict(
        session.execute(
            select(Distribution.recipient_kind, func.sum(Distribution.copies))
            .where(where(Distribution.jurisdiction_code))
            .group_by(Distribution.recipient_kind)
        ).all()
    )
    recipients = session.scalar(
        select(func.count()).select_from(Distribution).where(where(Distribution.jurisdiction_code))
    )
    return Totals(
        int(printed), int(handed), int(runs), int(recipients or 0), {k: int(v) for k, v in by_kind.items()}
    )
