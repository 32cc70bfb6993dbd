"""Household marks from the field: a batch applied set-based, idempotent by the phone's key, the
newest mark by the phone's clock winning (so marks arriving in any order settle the same way).

One batch is a handful of statements whatever its size: the order (shared lock: a lift waits for the
batch), the batch's households locked in id order (two phones marking the same household queue on
the row, never deadlock), the keys already received, the marks inserted with ON CONFLICT DO NOTHING
(a repeat racing this batch is detected by what the insert returns), one UPDATE statement executed for
the households whose mark in force changed, one UPDATE for the tasks. The household's one ``state``
column is the truth the accounting counts, so a household is counted once whatever was sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.core.i18n import N_
from yingji.evacuation import areas, labels
from yingji.evacuation.codes import (
    MARKS_WHILE_ACTIVE,
    MARKS_WHILE_LIFTED,
    HouseholdState,
    MarkOutcome,
    OrderState,
    TaskState,
)
from yingji.evacuation.models import EvacuationHousehold, EvacuationMark, EvacuationOrder, EvacuationTask
from yingji.evacuation.schemas import MarkIn, MarkResult
from yingji.events.publish import publish

SAME = N_(
    "This household is already marked “{state}”: it is not counted twice. To mark it again on "
    "purpose, give a note."
)
STALE = N_("A newer mark of this household is already in force: this one is kept in the log only.")
ORDER_ENDED = N_("The order is {state}: marks are no longer accepted.")
RETURN_EARLY = N_("A return home can be marked only after the order is lifted.")
NOT_ALLOWED = N_("“{state}” cannot be marked now.")
NOT_ON_ORDER = N_("This household is not on this order.")
OUT_OF_SCOPE = N_("This household lies outside your jurisdiction.")
NEED_SHELTER = N_("Say which shelter the household checked into.")
NO_SHELTER = N_("No such shelter.")


@dataclass
class _House:
    id: int
    order_id: int
    jurisdiction_code: str
    grid_cell_id: int | None
    state: str
    shelter_id: int | None
    marked_at: datetime | None


def apply_marks(
    session: Session, principal: Principal, order_id: int, marks: list[MarkIn]
) -> list[MarkResult]:
    """Apply a batch of marks to an order's households; one result per mark, in the batch's order.
    A grid worker marks only households in their jurisdiction (others are REFUSED)."""
    require(principal, Perm.EVACUATION_MARK)
    return _apply(session, principal, order_id, marks, field=True)


def mark_sheltered(
    session: Session, principal: Principal, household_id: int, shelter_id: int, *, client_key: str
) -> MarkResult:
    """The shelters' check-in: the household is now SHELTERED at ``shelter_id`` (the check-in time is
    the mark's time). Called in the check-in's transaction so the accounting and the occupancy agree.
    A shelter takes in people from anywhere: the check-in's own permission and the shelter's scope
    are the caller's to check; the household's place is not."""
    return _one(session, principal, household_id, HouseholdState.SHELTERED, shelter_id, client_key)


def mark_left_shelter(
    session: Session, principal: Principal, household_id: int, *, client_key: str
) -> MarkResult:
    """The shelters' check-out: RETURNED when the order is lifted, else MOVED (left for elsewhere)."""
    house = session.get(EvacuationHousehold, household_id)
    if house is None:
        raise NotFound()
    order = session.get(EvacuationOrder, house.order_id)
    state = HouseholdState.RETURNED if order.state == OrderState.LIFTED.value else HouseholdState.MOVED
    return _one(session, principal, household_id, state, None, client_key)


def _one(session, principal, household_id, state, shelter_id, client_key) -> MarkResult:
    require(principal, Perm.SHELTER_CHECKIN)
    house = session.get(EvacuationHousehold, household_id)
    if house is None:
        raise NotFound()
    mark = MarkIn(
        household_id=household_id,
        state=state,
        marked_at=clock.now(),
        client_key=client_key,
        shelter_id=shelter_id,
    )
    return _apply(session, principal, house.order_id, [mark], field=False)[0]


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(EvacuationMark)


def _apply(
    session: Session, principal: Principal, order_id: int, marks: list[MarkIn], *, field: bool
) -> list[MarkResult]:
    order = session.scalar(
        select(EvacuationOrder)
        .where(EvacuationOrder.id == order_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if order is None or (field and not areas.overlaps(principal, order)):
        raise NotFound()
    now = clock.now()
    at = [min(clock.to_utc(m.marked_at), now) for m in marks]  # a phone ahead of time cannot win forever
    first: dict[str, int] = {}
    for i, m in enumerate(marks):
        first.setdefault(m.client_key, i)
    unique = sorted(first.values())
    houses = {
        r.id: _House(*r)
        for r in session.execute(
            select(
                EvacuationHousehold.id,
                EvacuationHousehold.order_id,
                EvacuationHousehold.jurisdiction_code,
                EvacuationHousehold.grid_cell_id,
                EvacuationHousehold.state,
                EvacuationHousehold.shelter_id,
                EvacuationHousehold.marked_at,
            )
            .where(EvacuationHousehold.id.in_(sorted({m.household_id for m in marks})))
            .order_by(EvacuationHousehold.id)
            .with_for_update()
        )
    }
    before = {h.id: h.state for h in houses.values()}
    start = {h.id: (h.state, h.shelter_id, h.marked_at) for h in houses.values()}
    # Read after the row locks: a batch that held them has committed its marks by now.
    stored = set(
        session.scalars(
            select(EvacuationMark.client_key).where(
                EvacuationMark.client_key.in_([marks[i].client_key for i in unique])
            )
        )
    )
    refused = _refusals(session, principal, order, marks, unique, houses, stored, field)
    fresh = [i for i in unique if marks[i].client_key not in stored]
    outcome, messages, winner, after = _settle(marks, at, [i for i in fresh if i not in refused], start)
    outcome.update({i: MarkOutcome.REFUSED for i in refused})
    messages.update(refused)
    rows = [_row(order, marks[i], at[i], outcome[i], messages.get(i), houses, principal, now) for i in fresh]
    ids: dict[str, int] = {}
    if rows:
        inserted = session.execute(
            _insert(session)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["client_key"])
            .returning(EvacuationMark.id, EvacuationMark.client_key)
        ).all()
        ids = {key: mark_id for mark_id, key in inserted}
    lost = [i for i in fresh if marks[i].client_key not in ids]
    if lost:  # the same key arrived in another batch meanwhile: a repeat, settle without it
        stored |= {marks[i].client_key for i in lost}
        fresh = [i for i in fresh if i not in lost]
        kept = [i for i in fresh if i not in refused]
        old = dict(outcome)
        outcome, messages, winner, after = _settle(marks, at, kept, start)
        outcome.update({i: MarkOutcome.REFUSED for i in refused})
        messages.update(refused)
        changed = [
            {"mark_id": ids[marks[i].client_key], "outcome": outcome[i].value}
            for i in kept
            if outcome[i] != old[i]
        ]
        if changed:
            marks_table = EvacuationMark.__table__
            session.connection().execute(
                update(marks_table)
                .where(marks_table.c.id == bindparam("mark_id"))
                .values(outcome=bindparam("outcome")),
                changed,
            )
    for hid, (state, shelter, _) in after.items():
        houses[hid].state, houses[hid].shelter_id = state, shelter
    _write_households(session, marks, at, winner, after, ids, principal)
    _close_tasks(
        session, order.id, {houses[h].grid_cell_id for h in winner if before[h] == HouseholdState.PENDING}
    )
    if winner:
        publish(
            session, "evacuation.tally", order.jurisdiction_code, {"order_id": order.id}, once=str(order.id)
        )
    results = []
    for i, m in enumerate(marks):
        house = houses.get(m.household_id)
        state = (
            house.state if house is not None and house.order_id == order.id else HouseholdState.PENDING.value
        )
        if i not in outcome:  # a repeat of a key already received (before or in this batch)
            results.append(
                MarkResult(
                    client_key=m.client_key,
                    household_id=m.household_id,
                    outcome=MarkOutcome.REPEAT,
                    state=state,
                )
            )
            continue
        results.append(
            MarkResult(
                client_key=m.client_key,
                household_id=m.household_id,
                outcome=outcome[i],
                state=state,
                message=messages.get(i),
            )
        )
    return results


def _refusals(session, principal, order, marks, unique, houses, stored, field) -> dict[int, str]:
    """Index → message of the marks refused (checked before anything is written)."""
    state = OrderState(order.state)
    allowed = {OrderState.ACTIVE: MARKS_WHILE_ACTIVE, OrderState.LIFTED: MARKS_WHILE_LIFTED}.get(state)
    shelters = {m.shelter_id for m in marks if m.shelter_id is not None}
    if shelters:
        from yingji.shelters.models import Shelter

        shelters = set(session.scalars(select(Shelter.id).where(Shelter.id.in_(shelters))))
    out: dict[int, str] = {}
    for i in unique:
        m = marks[i]
        if m.client_key in stored:
            continue
        house = houses.get(m.household_id)
        if allowed is None:
            out[i] = labels.say(ORDER_ENDED, state=labels.ORDER_STATE[state])
        elif house is None or house.order_id != order.id:
            out[i] = labels.say(NOT_ON_ORDER)
        elif field and not principal.covers(house.jurisdiction_code):
            out[i] = labels.say(OUT_OF_SCOPE)
        elif m.state == HouseholdState.RETURNED and m.state not in allowed:
            out[i] = labels.say(RETURN_EARLY)
        elif m.state not in allowed:
            out[i] = labels.say(NOT_ALLOWED, state=labels.HOUSEHOLD_STATE[m.state])
        elif m.state == HouseholdState.SHELTERED and m.shelter_id is None:
            out[i] = labels.say(NEED_SHELTER)
        elif m.shelter_id is not None and m.shelter_id not in shelters:
            out[i] = labels.say(NO_SHELTER)
    return out


def _settle(marks, at, indices, start: dict[int, tuple]):
    """Walk the marks of each household in the phones' time order from the state in force: older than
    the mark in force → STALE; the same state (and shelter) again → SAME (its time still moves the
    household's clock on, so a later, older mark cannot undo it); otherwise APPLIED.
    Returns (outcome by index, message by index, winning index by household, (state, shelter, time)
    by household after the batch)."""
    now = dict(start)
    outcome: dict[int, MarkOutcome] = {}
    messages: dict[int, str] = {}
    winner: dict[int, int] = {}
    for i in sorted(indices, key=lambda i: (at[i], marks[i].client_key)):
        m = marks[i]
        state, shelter, marked_at = now[m.household_id]
        if marked_at is not None and at[i] <= marked_at:
            outcome[i], messages[i] = MarkOutcome.STALE, labels.say(STALE)
            continue
        same = m.state.value == state and (m.state != HouseholdState.SHELTERED or m.shelter_id == shelter)
        if same and not m.override_note:
            outcome[i] = MarkOutcome.SAME
            messages[i] = labels.say(SAME, state=labels.HOUSEHOLD_STATE[m.state])
        else:
            outcome[i] = MarkOutcome.APPLIED
        shelter = m.shelter_id if m.state == HouseholdState.SHELTERED else None
        now[m.household_id] = (m.state.value, shelter, at[i])
        winner[m.household_id] = i
    return outcome, messages, winner, now


def _row(order, m: MarkIn, at, outcome, message, houses, principal, now) -> dict:
    house = houses.get(m.household_id)
    on_order = house is not None and house.order_id == order.id
    return {
        "order_id": order.id,
        "household_id": m.household_id,
        "state": m.state.value,
        "outcome": outcome.value,
        "marked_at": at,
        "received_at": now,
        "user_id": principal.user_id,
        "shelter_id": m.shelter_id,
        "lon": m.lon,
        "lat": m.lat,
        "note": m.note,
        "override_note": m.override_note,
        "client_key": m.client_key,
        "jurisdiction_code": house.jurisdiction_code if on_order else order.jurisdiction_code,
    }


def _write_households(session, marks, at, winner, after, ids, principal) -> None:
    """One UPDATE statement for the batch (executed once per changed household, in one round trip on
    PostgreSQL's pipeline): the mark in force, guarded by its time in the WHERE."""
    if not winner:
        return
    params = [
        {
            "hid": hid,
            "new_state": after[hid][0],
            "new_shelter": after[hid][1],
            "new_at": at[i],
            "new_by": principal.user_id,
            "new_mark": ids[marks[i].client_key],
            "new_note": marks[i].note or marks[i].override_note,
        }
        for hid, i in winner.items()
    ]
    t = EvacuationHousehold.__table__
    session.connection().execute(
        update(t)
        .where(t.c.id == bindparam("hid"), or_(t.c.marked_at.is_(None), t.c.marked_at < bindparam("new_at")))
        .values(
            state=bindparam("new_state"),
            shelter_id=bindparam("new_shelter"),
            marked_at=bindparam("new_at"),
            marked_by=bindparam("new_by"),
            mark_id=bindparam("new_mark"),
            note=bindparam("new_note"),
        ),
        params,
    )


def _close_tasks(session: Session, order_id: int, cells: set[int | None]) -> None:
    """A cell's task is done once none of its households is still pending (a mark never makes a
    household pending again, so a done task stays done)."""
    cells.discard(None)
    if not cells:
        return
    h = EvacuationHousehold
    now = clock.now()
    session.execute(
        update(EvacuationTask)
        .where(
            EvacuationTask.order_id == order_id,
            EvacuationTask.grid_cell_id.in_(sorted(cells)),
            EvacuationTask.state == TaskState.OPEN.value,
            ~exists().where(
                h.order_id == order_id,
                h.grid_cell_id == EvacuationTask.grid_cell_id,
                h.state == HouseholdState.PENDING.value,
            ),
        )
        .values(state=TaskState.DONE.value, done_at=now, updated_at=now),
        execution_options={"synchronize_session": False},
    )
