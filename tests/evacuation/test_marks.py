"""Marks: applied set-based, idempotent by key, the newest by the phone's clock winning, SAME not
counted twice, scope and order state refused; the accounting's identity after each step."""

from __future__ import annotations

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
