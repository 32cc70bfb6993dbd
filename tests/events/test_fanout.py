"""The event log and the in-process fan-out: scope, rollback, replay after Last-Event-ID, pruning."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from yingji.auth.scope import Principal
from yingji.core import clock as clock_module
from yingji.core.db import Actor
from yingji.events import publish
from yingji.events.hub import hub_for, read_after
from yingji.events.jobs import prune
from yingji.events.models import EventLog
from yingji.events.stream import frames, parse_kinds, parse_last_id

SYSTEM = Actor.system("tests")


def run(coro) -> None:
    """``asyncio.run`` on a thread of its own: the browser tests leave an event loop on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def _publish(db, kind, code, **payload) -> None:
    with db.writing(SYSTEM) as session:
        publish(session, kind, code, payload)


def _last_id(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.max(EventLog.id))) or 0


async def _drain(queue: asyncio.Queue, n: int, timeout: float = 10.0) -> list:
    return [await asyncio.wait_for(queue.get(), timeout) for _ in range(n)]


def test_each_subscriber_gets_only_its_jurisdiction(city):
    async def scenario():
        hub = hub_for(city.db)
        whole = await hub.subscribe(city.city)
        county_a = await hub.subscribe(city.county_a)
        town_b = await hub.subscribe(city.town_b)
        alarms_only = await hub.subscribe(city.county_a, frozenset({"alarm.new"}))
        await asyncio.to_thread(_publish, city.db, "report.new", city.town_a, n=1)
        await asyncio.to_thread(_publish, city.db, "alarm.new", city.town_other_county, n=2)
        await asyncio.to_thread(_publish, city.db, "alarm.new", city.village_a, n=3)
        got_whole = await _drain(whole.queue, 3)
        got_a = await _drain(county_a.queue, 2)
        got_alarms = await _drain(alarms_only.queue, 1)
        await asyncio.sleep(0.3)  # let anything wrongly routed arrive too
        assert [e.payload["n"] for e in got_whole] == [1, 2, 3]
        assert [e.payload["n"] for e in got_a] == [1, 3]
        assert [e.payload["n"] for e in got_alarms] == [3]
        assert county_a.queue.empty() and alarms_only.queue.empty()
        assert town_b.queue.empty()  # a sibling town sees nothing of town A
        ids = [e.id for e in got_whole]
        assert ids == sorted(ids)
        frame = got_whole[0].frame.decode()
        assert frame.startswith(f"id: {ids[0]}\ndata: ") and frame.endswith("\n\n")
        data = json.loads(frame.split("data: ", 1)[1])
        assert data == {
            "id": ids[0],
            "kind": "report.new",
            "jurisdiction_code": city.town_a,
            "payload": {"n": 1},
        }
        hub.close()

    run(scenario())


def test_rolled_back_writes_publish_nothing(city):
    before = _last_id(city.db)
    with pytest.raises(RuntimeError), city.db.writing(SYSTEM) as session:
        publish(session, "report.new", city.town_a, {"n": "lost"})
        raise RuntimeError("the request failed")
    with city.db.writing(SYSTEM) as session:
        publish(session, "report.new", city.town_a, {"n": "kept"})
        with pytest.raises(RuntimeError), session.begin_nested():
            publish(session, "report.new", city.town_a, {"n": "savepoint"})
            raise RuntimeError("one row of an import refused")
    rows = read_after(city.db, before)
    assert [r.payload["n"] for r in rows] == ["kept"]


def test_unknown_kind_is_refused(city):
    with city.db.writing(SYSTEM) as session, pytest.raises(ValueError):
        publish(session, "report.sideways", city.town_a, {})


def test_reconnect_with_last_event_id_gets_what_it_missed(city):
    """Events committed while a client was away come first, in order, only of its jurisdiction; then
    the live ones, none twice."""
    _publish(city.db, "report.new", city.town_a, n="seen")
    seen = _last_id(city.db)
    _publish(city.db, "report.new", city.town_a, n="missed-1")
    _publish(city.db, "report.new", city.town_other_county, n="elsewhere")
    _publish(city.db, "task.changed", city.village_a, n="missed-2")
    county = Principal.system(city.county_a, "tests")

    async def scenario():
        stream = frames(city.db, county, seen, None)
        first = (await anext(stream)).decode()
        assert first.startswith("retry: ")
        replayed = [json.loads((await anext(stream)).decode().split("data: ", 1)[1]) for _ in range(2)]
        assert [e["payload"]["n"] for e in replayed] == ["missed-1", "missed-2"]
        await asyncio.to_thread(_publish, city.db, "report.changed", city.town_a, n="live")
        live = json.loads((await asyncio.wait_for(anext(stream), 10)).decode().split("data: ", 1)[1])
        assert live["payload"]["n"] == "live" and live["id"] > replayed[-1]["id"]
        await stream.aclose()
        hub = hub_for(city.db)
        assert hub.count == 0  # the closed stream left the fan-out
        hub.close()

    run(scenario())


def test_parsing_of_resume_point_and_kinds():
    assert parse_last_id("41", None) == 41
    assert parse_last_id("41", 7) == 7  # the page's own parameter wins
    assert parse_last_id("not-ours", None) is None
    assert parse_kinds("report.new, alarm.new") == frozenset({"report.new", "alarm.new"})
    assert parse_kinds("") is None
    with pytest.raises(Exception) as caught:
        parse_kinds("report.new,nonsense")
    assert getattr(caught.value, "status_code", None) == 422


def test_prune_drops_old_events_and_ids_keep_rising(city, clock):
    _publish(city.db, "report.new", city.town_a, n="old")
    old = _last_id(city.db)
    with city.db.reading() as session:  # other tests of the session travel in time: go past them all
        latest = session.scalar(select(func.max(EventLog.created_at)))
    clock.freeze(max(latest, clock_module.now()) + timedelta(hours=30))
    with city.db.writing(SYSTEM) as session:
        assert prune(session) >= 1
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(EventLog).where(EventLog.id <= old)) == 0
    _publish(city.db, "report.new", city.town_a, n="new")
    assert _last_id(city.db) > old  # never reused, or clients holding `old` would skip new events


def test_a_stream_ends_after_its_lifetime_to_authenticate_again(city, monkeypatch):
    """The browser reconnects (with Last-Event-ID) and the user's access is checked again."""
    from yingji.events import stream as stream_module

    monkeypatch.setattr(stream_module, "MAX_STREAM_S", 0.2)
    county = Principal.system(city.county_a, "tests")

    async def scenario():
        frames_ = frames(city.db, county, None, None)
        assert (await anext(frames_)).startswith(b"retry: ")
        rest = [f async for f in frames_]  # ends by itself
        assert all(f.startswith(b":") or f.startswith(b"id: ") for f in rest)
        hub = hub_for(city.db)
        assert hub.count == 0
        hub.close()

    run(scenario())
