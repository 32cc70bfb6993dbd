"""Marks: applied set-based, idempotent by key, the newest by the phone's clock winning, SAME not
counted twice, scope and order state refused; the accounting's identity after each step."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from yingji.evacuation import marks as service
from yingji.evacuation import tally as tallies
from yingji.evacuation.codes import MarkOutcome

from .conftest import households, issue, mark, principal_of


def _apply(db, username, order_id, batch):
    p = principal_of(db, username)
    with db.writing(p.as_actor()) as session:
        return service.apply_marks(session, p, order_id, batch)


def _tally(db, order_id, username="town"):
    p = principal_of(db, username)
    with db.reading() as session:
        return tallies.tally(session, p, order_id)


def identity(t) -> None:
    for unit in ("households", "people"):
        parts = [
            getattr(getattr(t, b), unit)
            for b in ("moved", "sheltered", "safe_elsewhere", "unaccounted", "returned")
        ]
        assert getattr(t.threatened, unit) == sum(parts)
    for row in t.rows:
        identity_row = [
            getattr(row, b).households
            for b in ("moved", "sheltered", "safe_elsewhere", "unaccounted", "returned")
        ]
        assert row.threatened.households == sum(identity_row)


def test_mark_repeat_same_stale(city):
    order_id = issue(city.db, "town", [city.group_a])
    mine = households(city.db, order_id)
    assert mine
    h = mine[0].id
    first = mark(h, "moved", 1, key="k-moved-" + str(order_id))
    r = _apply(city.db, "gridworker", order_id, [first])
    assert r[0].outcome == MarkOutcome.APPLIED and r[0].state == "moved"
    t = _tally(city.db, order_id)
    identity(t)
    assert t.moved.households == 1 and t.threatened.households == len(mine)
    # the same key again (a phone resending its outbox): nothing changes
    r = _apply(city.db, "gridworker", order_id, [first])
    assert r[0].outcome == MarkOutcome.REPEAT
    # moved again by another phone: SAME with a bilingual message, not counted twice
    r = _apply(city.db, "gridworker", order_id, [mark(h, "moved", 2)])
    assert r[0].outcome == MarkOutcome.SAME and "/" in r[0].message and "不" in r[0].message
    assert _tally(city.db, order_id).moved.households == 1
    # an older mark arriving late is STALE
    r = _apply(city.db, "gridworker", order_id, [mark(h, "refused", 0.5)])
    assert r[0].outcome == MarkOutcome.STALE and r[0].state == "moved"
    # an explicit override of the same state is applied and recorded
    r = _apply(city.db, "gridworker", order_id, [mark(h, "moved", 3, override_note="再次确认")])
    assert r[0].outcome == MarkOutcome.APPLIED
    identity(_tally(city.db, order_id))


def test_out_of_order_in_one_batch_settles_on_the_newest(city):
    order_id = issue(city.db, "town", [city.group_a])
    h = households(city.db, order_id)[0].id
    batch = [mark(h, "at_relatives", 9), mark(h, "not_home", 1), mark(h, "moved", 5)]
    r = _apply(city.db, "gridworker", order_id, batch)
    assert [x.state for x in r] == ["at_relatives"] * 3
    assert r[0].outcome == MarkOutcome.APPLIED
    assert {r[1].outcome, r[2].outcome} == {MarkOutcome.APPLIED}  # each was newest when it came in time order
    # the same marks sent in the other order by another phone give the same answer
    again = issue(city.db, "town", [city.group_a])
    h2 = households(city.db, again)[0].id
    for m in (mark(h2, "moved", 5), mark(h2, "at_relatives", 9), mark(h2, "not_home", 1)):
        _apply(city.db, "gridworker", again, [m])
    assert households(city.db, again)[0].state == "at_relatives"


def test_refusals(city):
    order_id = issue(city.db, "town", [city.village_a])
    rows = households(city.db, order_id)
    mine = next(h for h in rows if h.jurisdiction_code.startswith(city.group_a))
    other = next((h for h in rows if not h.jurisdiction_code.startswith(city.group_a)), None)
    batch = [mark(mine.id, "returned", 1), mark(mine.id, "sheltered", 2), mark(999_999_999, "moved", 3)]
    if other is not None:
        batch.append(mark(other.id, "moved", 4))  # a grid worker of another group
    r = _apply(city.db, "gridworker", order_id, batch)
    assert all(x.outcome == MarkOutcome.REFUSED and x.message for x in r)
    assert "解除" in r[0].message
    assert households(city.db, order_id, city.group_a)[0].state == "pending"
    # the village's grid leader may mark the other group's household
    if other is not None:
        r = _apply(city.db, "gridleader", order_id, [mark(other.id, "moved", 4)])
        assert r[0].outcome == MarkOutcome.APPLIED


def test_task_done_when_no_household_pending_and_return_after_lift(city):
    from yingji.evacuation import orders, tasks
    from yingji.evacuation.schemas import LiftIn

    order_id = issue(city.db, "town", [city.group_a])
    rows = households(city.db, order_id)
    p = principal_of(city.db, "gridworker")
    with city.db.reading() as session:
        (task,) = [t for t in tasks.mine(session, p) if t.order_id == order_id]
        listed = tasks.households(session, p, task.id)
    assert len(listed) == len([h for h in rows if h.grid_cell_id == task.grid_cell_id])
    assert [x.vulnerable for x in listed] == sorted((x.vulnerable for x in listed), reverse=True)
    _apply(city.db, "gridworker", order_id, [mark(h.id, "moved", 1) for h in rows[:-1]])
    with city.db.reading() as session:
        assert tasks.of_order(session, p, order_id)[0].state == "open"
    _apply(city.db, "gridworker", order_id, [mark(rows[-1].id, "self_moved", 2)])
    with city.db.reading() as session:
        done = tasks.of_order(session, p, order_id)[0]
    assert done.state == "done" and done.households_done == len(rows)
    town = principal_of(city.db, "town")
    with city.db.writing(town.as_actor()) as session:
        orders.lift(session, town, order_id, LiftIn(note="预警解除"))
    r = _apply(city.db, "gridworker", order_id, [mark(rows[0].id, "returned", 30)])
    assert r[0].outcome == MarkOutcome.APPLIED
    t = _tally(city.db, order_id)
    identity(t)
    assert t.returned.households == 1 and t.unaccounted.households == 0


def test_shelter_check_in_and_out(city):
    from yingji.core.errors import NotFound

    order_id = issue(city.db, "town", [city.group_a])
    h = households(city.db, order_id)[0].id
    p = principal_of(city.db, "town")
    with city.db.writing(p.as_actor()) as session:
        from yingji.shelters.models import Shelter

        shelter_id = session.scalar(select(Shelter.id).limit(1))
        if shelter_id is None:  # the shelters demo may not have run on this branch
            shelter = Shelter(
                code=f"T-{uuid.uuid4().hex[:8]}",
                name="测试避难场所",
                level="town",
                shelter_class="emergency",
                jurisdiction_code=city.town_a,
                capacity=100,
                status="open",
            )
            session.add(shelter)
            session.flush()
            shelter_id = shelter.id
        r = service.mark_sheltered(session, p, h, shelter_id, client_key=uuid.uuid4().hex)
        assert r.outcome == MarkOutcome.APPLIED and r.state == "sheltered"
    assert _tally(city.db, order_id).sheltered.households == 1
    with city.db.writing(p.as_actor()) as session:
        r = service.mark_left_shelter(session, p, h, client_key=uuid.uuid4().hex)
        assert r.state == "moved"
        with pytest.raises(NotFound):
            service.mark_left_shelter(session, p, 999_999_999, client_key=uuid.uuid4().hex)


def test_a_key_racing_in_from_another_batch_is_a_repeat(city, monkeypatch):
    """Between the check of stored keys and the insert another batch stores the same key: the
    insert's ON CONFLICT skips it, and the batch settles without it."""
    from yingji.core import clock
    from yingji.evacuation.models import EvacuationMark

    order_id = issue(city.db, "town", [city.group_a])
    h = households(city.db, order_id)[0]
    raced, kept = mark(h.id, "refused", 5), mark(h.id, "moved", 1)
    real = service._refusals

    def racing(session, *args, **kw):
        out = real(session, *args, **kw)
        session.connection().execute(
            EvacuationMark.__table__.insert().values(
                order_id=order_id,
                household_id=h.id,
                state="refused",
                outcome="applied",
                marked_at=raced.marked_at,
                received_at=clock.now(),
                client_key=raced.client_key,
                jurisdiction_code=h.jurisdiction_code,
            )
        )
        return out

    monkeypatch.setattr(service, "_refusals", racing)
    r = _apply(city.db, "gridworker", order_id, [raced, kept])
    assert [x.outcome for x in r] == [MarkOutcome.REPEAT, MarkOutcome.APPLIED]
    assert households(city.db, order_id)[0].state == "moved"
