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

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.core.i18n import N_
from yingji.evacuation import areas, labels, push
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


# The batch's statements, built once (compiled once per dialect and cached): a batch costs its
# round trips, not the construction of its SQL.
_H, _M, _O, _T = (
    EvacuationHousehold.__table__,
    EvacuationMark.__table__,
    EvacuationOrder.__table__,
    EvacuationTask.__table__,
)
ORDER_ROW = (
    select(_O.c.id, _O.c.state, _O.c.jurisdiction_code, _O.c.area_codes)
    .where(_O.c.id == bindparam("order_id"))
    .with_for_update(read=True)
)
HOUSE_ROWS = (
    select(
        _H.c.id,
        _H.c.order_id,
        _H.c.jurisdiction_code,
        _H.c.grid_cell_id,
        _H.c.state,
        _H.c.shelter_id,
        _H.c.marked_at,
    )
    .where(_H.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_H.c.id)
    .with_for_update()
)
STORED_KEYS = select(_M.c.client_key).where(_M.c.client_key.in_(bindparam("keys", expanding=True)))
SET_OUTCOME = update(_M).where(_M.c.id == bindparam("mark_id")).values(outcome=bindparam("outcome"))
SET_HOUSE = (
    update(_H)
    .where(_H.c.id == bindparam("hid"), or_(_H.c.marked_at.is_(None), _H.c.marked_at < bindparam("new_at")))
    .values(
        state=bindparam("new_state"),
        shelter_id=bindparam("new_shelter"),
        marked_at=bindparam("new_at"),
        marked_by=bindparam("new_by"),
        mark_id=bindparam("new_mark"),
        note=bindparam("new_note"),
    )
)
_pending = (
    select(_H.c.id)
    .where(
        _H.c.order_id == bindparam("b_order"),
        _H.c.grid_cell_id == _T.c.grid_cell_id,
        _H.c.state == HouseholdState.PENDING.value,
    )
    .exists()
)
TASKS_DONE = (
    update(_T)
    .where(
        _T.c.order_id == bindparam("b_order"),
        _T.c.grid_cell_id.in_(bindparam("cells", expanding=True)),
        _T.c.state == TaskState.OPEN.value,
        ~_pending,
    )
    .values(state=TaskState.DONE.value, done_at=bindparam("b_now"), updated_at=bindparam("b_now"))
)
_INSERTS = {
    name: dialect.insert(_M)
    .on_conflict_do_nothing(index_elements=["client_key"])
    .returning(_M.c.id, _M.c.client_key)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _insert(session: Session):
    """INSERT … ON CONFLICT (client_key) DO NOTHING RETURNING id, client_key: one cached statement
    executed for the batch's rows (insertmanyvalues on both databases), answering only the rows it
    inserted, so a key that raced in from another batch shows as missing."""
    return _INSERTS["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]


def _apply(
    session: Session, principal: Principal, order_id: int, marks: list[MarkIn], *, field: bool
) -> list[MarkResult]:
    conn = session.connection()
    order = conn.execute(ORDER_ROW, {"order_id": order_id}).first()
    if order is None or (field and not areas.overlaps(principal, order)):
        raise NotFound()
    now = clock.now()
    at = [min(clock.to_utc(m.marked_at), now) for m in marks]  # a phone ahead of time cannot win forever
    first: dict[str, int] = {}
    for i, m in enumerate(marks):
        first.setdefault(m.client_key, i)
    unique = sorted(first.values())
    ids_wanted = sorted({m.household_id for m in marks})
    houses = {r.id: _House(*r) for r in conn.execute(HOUSE_ROWS, {"ids": ids_wanted})}
    before = {h.id: h.state for h in houses.values()}
    start = {h.id: (h.state, h.shelter_id, h.marked_at) for h in houses.values()}
    # Read after the row locks: a batch that held them has committed its marks by now.
    stored = set(conn.execute(STORED_KEYS, {"keys": [marks[i].client_key for i in unique]}).scalars())
    refused = _refusals(session, principal, order, marks, unique, houses, stored, field)
    fresh = [i for i in unique if marks[i].client_key not in stored]
    outcome, messages, winner, after = _settle(marks, at, [i for i in fresh if i not in refused], start)
    outcome.update({i: MarkOutcome.REFUSED for i in refused})
    messages.update(refused)
    rows = [_row(order, marks[i], at[i], outcome[i], messages.get(i), houses, principal, now) for i in fresh]
    ids: dict[str, int] = {}
    if rows:
        inserted = conn.execute(_insert(session), rows).all()
        ids = {key: mark_id for mark_id, key in inserted}
    lost = [i for i in fresh if marks[i].client_key not in ids]
    if lost:  # the same key arrived in another batch meanwhile: a repeat, settle without it
        stored |= {marks[i].client_key for i in lost}
        fresh = [i for i in fresh if i not in lost]
        kept = [i for i in fresh if i not in refused]
        old = dict(outcome)
        outcome, messages, winner, after = _settle(marks, at, kept, start)
        outcome.update({i: MarkOutcome.REFUSED for i in refused if i in fresh})
        messages.update({i: text for i, text in refused.items() if i in fresh})
        changed = [
            {"mark_id": ids[marks[i].client_key], "outcome": outcome[i].value}
            for i in kept
            if outcome[i] != old[i]
        ]
        if changed:
            conn.execute(SET_OUTCOME, changed)
    for hid, (state, shelter, _) in after.items():
        houses[hid].state, houses[hid].shelter_id = state, shelter
    _write_households(session, marks, at, winner, after, ids, principal)
    _close_tasks(
        session, order.id, {houses[h].grid_cell_id for h in winner if before[h] == HouseholdState.PENDING}
    )
    if winner:
        push.tally_moved(session, order, {houses[h].jurisdiction_code for h in winner})
    results = []
    for i, m in enumerate(marks):
        house = houses.get(m.household_id)
        shown = house is not None and house.order_id == order.id
        shown = shown and (not field or principal.covers(house.jurisdiction_code))  # not another place's
        state = house.state if shown else HouseholdState.PENDING.value
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
    session.connection().execute(SET_HOUSE, params)


def _close_tasks(session: Session, order_id: int, cells: set[int | None]) -> None:
    """A cell's task is done once none of its households is still pending (a mark never makes a
    household pending again, so a done task stays done)."""
    cells.discard(None)
    if not cells:
        return
    session.connection().execute(
        TASKS_DONE, {"b_order": order_id, "cells": sorted(cells), "b_now": clock.now()}
    )
