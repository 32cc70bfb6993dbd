"""Opening and closing a shelter, and occupancy: the only writers of ``status`` and ``occupancy``.

Status moves only along ``SHELTER_MOVES``: a manager opens (for an evacuation order, optionally) and
closes (refused while people are in, unless an explicit override note, audited); FULL is set and
cleared by occupancy alone. Occupancy changes only in one UPDATE whose WHERE holds the check
(``occupancy + :n <= capacity`` and the status), so two check-ins racing for the last places cannot
both win, on SQLite (writers serialised) and on PostgreSQL (the row lock re-evaluates the WHERE).
Each move writes a ``ShelterEvent`` and publishes ``shelter.changed``."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.core.i18n import gettext
from yingji.events.publish import publish
from yingji.shelters import labels, registry
from yingji.shelters.codes import SHELTER_MOVES, ShelterEventKind, ShelterStatus
from yingji.shelters.models import Shelter, ShelterEvent


class ShelterConflict(Conflict):
    """A check-in the shelter cannot take (closed, full, not enough room): 409, bilingual."""

    code = "shelter_refused"


def _move(shelter: Shelter, to: ShelterStatus) -> None:
    now = ShelterStatus(shelter.status)
    if to not in SHELTER_MOVES[now]:
        raise Conflict(
            "The shelter is {state}: it cannot be {move}.",
            state=gettext(labels.STATUS_LABELS[now]),
            move=gettext(labels.STATUS_LABELS[to]),
        )


def log(
    session: Session, shelter: Shelter, kind: ShelterEventKind, principal: Principal | None, **kw
) -> None:
    session.add(
        ShelterEvent(
            shelter_id=shelter.id,
            kind=kind.value,
            at=clock.now(),
            user_id=principal.user_id if principal else None,
            occupancy=shelter.occupancy,
            jurisdiction_code=shelter.jurisdiction_code,
            **kw,
        )
    )


def announce(session: Session, shelter: Shelter) -> None:
    """``shelter.changed`` once per transaction and shelter (pages refresh their figures)."""
    publish(
        session,
        "shelter.changed",
        shelter.jurisdiction_code,
        {
            "shelter_id": shelter.id,
            "occupancy": shelter.occupancy,
            "capacity": shelter.capacity,
            "status": shelter.status,
            "households_in": shelter.households_in,
        },
        once=str(shelter.id),
    )


def open_shelter(
    session: Session,
    principal: Principal,
    shelter_id: int,
    *,
    order_id: int | None = None,
    note: str | None = None,
) -> Shelter:
    shelter = registry.get(session, principal, shelter_id, lock=True)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTERS_MANAGE)
    _move(shelter, ShelterStatus.OPEN)
    if shelter.capacity <= 0:
        raise Conflict("The shelter has no capacity: give its usable area or capacity first.")
    _do_open(session, principal, shelter, order_id=order_id, note=note)
    return shelter


def _do_open(session, principal, shelter: Shelter, *, order_id=None, note=None) -> None:
    full = shelter.occupancy >= shelter.capacity
    shelter.status = (ShelterStatus.FULL if full else ShelterStatus.OPEN).value
    shelter.opened_at = clock.now()
    log(session, shelter, ShelterEventKind.OPENED, principal, order_id=order_id, note=note)
    session.flush()
    announce(session, shelter)


def close_shelter(
    session: Session,
    principal: Principal,
    shelter_id: int,
    *,
    note: str | None = None,
    override_note: str | None = None,
) -> Shelter:
    shelter = registry.get(session, principal, shelter_id, lock=True)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTERS_MANAGE)
    _move(shelter, ShelterStatus.CLOSED)
    if shelter.occupancy > 0:
        if not override_note:
            raise Conflict(
                "{n} people are still in the shelter: check them out first, or close with an override note.",
                n=shelter.occupancy,
            )
        audit.record(
            session,
            "override",
            "shelters",
            shelter.id,
            jurisdiction_code=shelter.jurisdiction_code,
            before={"status": shelter.status, "occupancy": shelter.occupancy},
            after={"status": ShelterStatus.CLOSED.value},
            note=f"closed with people in: {override_note[:400]}",
        )
    shelter.status = ShelterStatus.CLOSED.value
    text = " · ".join(t for t in (note, override_note and f"override: {override_note}") if t) or None
    log(session, shelter, ShelterEventKind.CLOSED, principal, note=text)
    session.flush()
    announce(session, shelter)
    return shelter


def _after_change(session: Session, principal: Principal, shelter_id: int, before: str) -> Shelter:
    """Read the row the UPDATE wrote; log FULL / ROOM_AGAIN when the status followed occupancy."""
    shelter = session.execute(
        select(Shelter).where(Shelter.id == shelter_id).execution_options(populate_existing=True)
    ).scalar_one()
    if before != ShelterStatus.FULL.value and shelter.status == ShelterStatus.FULL.value:
        log(session, shelter, ShelterEventKind.FULL, principal)
    elif before == ShelterStatus.FULL.value and shelter.status == ShelterStatus.OPEN.value:
        log(session, shelter, ShelterEventKind.ROOM_AGAIN, principal)
    announce(session, shelter)
    return shelter


def take(
    session: Session, principal: Principal, shelter: Shelter, people: int, *, override: str | None
) -> Shelter:
    """Add ``people`` in one guarded UPDATE; raises ShelterConflict when it does not fit (no override).

    With an override note a full shelter takes them anyway: the same statement raises ``capacity`` to
    the new occupancy (stated from then on), so the table's check ``occupancy <= capacity`` holds
    and the excess is an explicit, logged figure; a closed shelter is opened first (logged)."""
    before = shelter.status
    n = int(people)
    if override and before == ShelterStatus.CLOSED.value:
        _do_open(session, principal, shelter, note=f"override: {override}")
        before = shelter.status
    new_occ = Shelter.occupancy + n
    values = {
        "occupancy": new_occ,
        "households_in": Shelter.households_in + 1,
        "status": case(
            (new_occ >= Shelter.capacity, ShelterStatus.FULL.value), else_=ShelterStatus.OPEN.value
        ),
    }
    stmt = update(Shelter).where(Shelter.id == shelter.id)
    if override:
        bigger = case((new_occ > Shelter.capacity, new_occ), else_=Shelter.capacity)
        values["capacity"] = bigger
        values["capacity_stated"] = case((new_occ > Shelter.capacity, True), else_=Shelter.capacity_stated)
        values["status"] = case((new_occ >= bigger, ShelterStatus.FULL.value), else_=ShelterStatus.OPEN.value)
        stmt = stmt.where(Shelter.status.in_([ShelterStatus.OPEN.value, ShelterStatus.FULL.value]))
    else:
        stmt = stmt.where(Shelter.status == ShelterStatus.OPEN.value, new_occ <= Shelter.capacity)
    capacity_before = shelter.capacity
    done = session.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        current = session.execute(
            select(Shelter.status, Shelter.capacity, Shelter.occupancy).where(Shelter.id == shelter.id)
        ).one()
        if current.status == ShelterStatus.CLOSED.value:
            raise ShelterConflict("The shelter is not open; check in elsewhere or give an override note.")
        raise ShelterConflict(
            "The shelter has {free} free places, {n} needed; check in elsewhere or give an override note.",
            free=max(0, current.capacity - current.occupancy),
            n=n,
        )
    after = _after_change(session, principal, shelter.id, before)
    if override and after.capacity != capacity_before:
        log(
            session,
            after,
            ShelterEventKind.NOTE,
            principal,
            note=f"capacity {capacity_before} → {after.capacity} (override: {override})",
        )
        audit.record(
            session,
            "override",
            "shelters",
            after.id,
            jurisdiction_code=after.jurisdiction_code,
            before={"capacity": capacity_before},
            after={"capacity": after.capacity, "occupancy": after.occupancy},
            note=f"check-in over capacity: {override[:400]}",
        )
    return after


def release(session: Session, principal: Principal, shelter: Shelter, people: int) -> Shelter:
    """Take ``people`` out (a check-out); FULL becomes OPEN again when room appears."""
    before = shelter.status
    n = int(people)
    new_occ = Shelter.occupancy - n
    status = case(
        (
            (Shelter.status == ShelterStatus.FULL.value) & (new_occ < Shelter.capacity),
            ShelterStatus.OPEN.value,
        ),
        else_=Shelter.status,
    )
    session.execute(
        update(Shelter)
        .where(Shelter.id == shelter.id, Shelter.occupancy >= n)
        .values(
            occupancy=new_occ,
            households_in=case((Shelter.households_in > 0, Shelter.households_in - 1), else_=0),
            status=status,
        )
        .execution_options(synchronize_session=False)
    )
    return _after_change(session, principal, shelter.id, before)
