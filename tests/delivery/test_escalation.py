"""Escalation with a moved clock: resend, tell the leaders, then door-to-door tasks for exactly the
cells still silent; acknowledged cells get nothing. Lifting stops it all; an update supersedes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.delivery.conftest import cells, deliveries, emit, group_codes, make_warning, run_jobs, staff_of
from yingji.auth.models import User
from yingji.core import clock as core_clock
from yingji.core.db import Actor
from yingji.delivery import acks, escalation
from yingji.delivery.models import Dispatch, DoorTask, EscalationStep
from yingji.jobs.models import Job
from yingji.org.models import Jurisdiction
from yingji.warnings import lifecycle
from yingji.warnings.models import Warning


def steps_of(db, dispatch_id):
    with db.reading() as session:
        return list(
            session.scalars(
                select(EscalationStep)
                .where(EscalationStep.dispatch_id == dispatch_id)
                .order_by(EscalationStep.seq)
            )
        )


def tasks_of(db, dispatch_id):
    with db.reading() as session:
        return list(session.scalars(select(DoorTask).where(DoorTask.dispatch_id == dispatch_id)))


def test_silent_cells_are_resent_then_escalated_then_visited(city, sms, clock, api):
    clock.freeze(core_clock.now())
    wid = make_warning(city.db, city.county_a, area_codes=[city.village_a])
    dispatch = emit(city.db, wid)
    run_jobs(city.db)
    groups = group_codes(city.db, city.village_a)
    assert len(groups) >= 3
    # Two cells confirm: the demo grid worker in the app, another cell's worker by SMS reply.
    assert api("gridworker").post(f"/api/v1/delivery/dispatches/{dispatch.id}/ack").json()["cells"] >= 1
    other = staff_of(city.db, groups[1])[0]
    with city.db.writing(Actor.system("tests")) as session:
        assert acks.sms_reply(session, other.mobile, f"收到 {dispatch.ack_code}").new
    acked = {c.cell_code for c in cells(city.db, dispatch.id) if c.acknowledged_at}
    silent = [g for g in groups if g not in acked]
    assert city.group_a in acked and groups[1] in acked and silent
    silent_staff = {p.mobile for g in silent for p in staff_of(city.db, g)}
    acked_staff = {p.mobile for g in acked for p in staff_of(city.db, g)}

    marker = dispatch.headline
    before = sms.gateway.keys_per_recipient(marker)
    clock.advance(timedelta(minutes=4))
    run_jobs(city.db)
    assert [s.state for s in steps_of(city.db, dispatch.id)] == ["pending"] * 3  # not yet

    clock.advance(timedelta(minutes=1, seconds=1))  # 5 min: resend to the silent cells' staff
    run_jobs(city.db)
    after = sms.gateway.keys_per_recipient(marker)
    resent = {phone for phone, keys in after.items() if len(keys) > len(before.get(phone, ()))}
    assert resent == silent_staff - acked_staff
    assert all(k.endswith("-2") for phone in resent for k in after[phone] - before.get(phone, set()))

    clock.advance(timedelta(minutes=5))  # 10 min: the leaders are told
    run_jobs(city.db)
    told = deliveries(city.db, dispatch.id, purpose="escalation", channel="sms")
    assert told and {d.state for d in told} == {"sent"}

    clock.advance(timedelta(minutes=5))  # 15 min: door to door, silent cells only
    run_jobs(city.db)
    tasks = tasks_of(city.db, dispatch.id)
    with city.db.reading() as session:
        codes = {t.jurisdiction_code for t in tasks}
    assert codes == set(silent)
    assert all(t.state == "open" and t.assignee_ids for t in tasks)
    assert [s.state for s in steps_of(city.db, dispatch.id)] == ["done"] * 3
    assert steps_of(city.db, dispatch.id)[2].result["tasks"] == len(silent)
    assert {c.escalated for c in cells(city.db, dispatch.id) if c.cell_code in silent} == {3}
    assert {c.escalated for c in cells(city.db, dispatch.id) if c.cell_code in acked} == {0}
    # The live page's numbers agree.
    live = api("county").get(f"/api/v1/warnings/{wid}/delivery").json()
    assert live["totals"] == {
        "cells": len(groups),
        "acked": len(acked),
        "silent": len(silent),
        "share": live["totals"]["share"],
    }
    assert len(live["tasks"]) == len(silent)


def test_door_to_door_task_closes_once_with_households(city, clock, api, browser_client):
    clock.freeze(core_clock.now())
    wid = make_warning(city.db, city.county_a, area_codes=[city.group_a])
    dispatch = emit(city.db, wid)
    clock.advance(timedelta(minutes=16))
    run_jobs(city.db)
    (task,) = tasks_of(city.db, dispatch.id)
    assert task.jurisdiction_code == city.group_a and task.households_total > 0
    with city.db.reading() as session:
        group_name = session.get(Jurisdiction, city.group_a).name
    assert group_name in browser_client("gridworker").get("/field").text  # the place by name, not code
    assert group_name in browser_client("town").get(f"/warnings/{wid}/live").text
    detail = api("gridworker").get(f"/api/v1/delivery/tasks/{task.id}").json()
    flags = [r["disabled"] or r["lives_alone"] or r["very_old"] for r in detail["residents"]]
    assert flags == sorted(flags, reverse=True)  # vulnerable residents first
    body = {"households_reached": task.households_total, "client_key": "phone-1"}
    first = api("gridworker").post(f"/api/v1/delivery/tasks/{task.id}/close", json=body)
    again = api("gridworker").post(f"/api/v1/delivery/tasks/{task.id}/close", json=body)
    assert first.status_code == again.status_code == 200
    assert again.json()["households_reached"] == task.households_total and again.json()["state"] == "closed"
    other = api("gridworker").post(f"/api/v1/delivery/tasks/{task.id}/close", json=body | {"client_key": "x"})
    assert other.status_code == 409
    assert api("town_b").get(f"/api/v1/delivery/tasks/{task.id}").status_code == 404
    bad = api("gridworker").post(f"/api/v1/delivery/tasks/{task.id}/close", json={"households_reached": -1})
    assert bad.status_code == 422


def test_lifting_stops_the_escalation(city, clock):
    clock.freeze(core_clock.now())
    root = make_warning(city.db, city.county_a, level="orange", area_codes=[city.town_b])
    dispatch = emit(city.db, root)
    staff_sms = len(deliveries(city.db, dispatch.id, purpose="warning"))
    lift = make_warning(city.db, city.county_a, level="orange", area_codes=[city.town_b], root_id=root)
    lifted = emit(city.db, lift, "lifted")
    assert [s.state for s in steps_of(city.db, dispatch.id)] == ["cancelled"] * 3
    with city.db.reading() as session:
        jobs = session.scalars(
            select(Job.state).where(Job.id.in_([s.job_id for s in steps_of(city.db, dispatch.id)]))
        )
        assert set(jobs) == {"cancelled"}
    clock.advance(timedelta(hours=1))
    run_jobs(city.db)
    assert tasks_of(city.db, dispatch.id) == []
    assert lifted.event == "lifted" and lifted.root_warning_id == root and steps_of(city.db, lifted.id) == []
    # The lift reaches the same recipients as the first issue.
    assert len(deliveries(city.db, lifted.id, purpose="warning")) >= staff_sms
    with city.db.reading() as session:
        assert escalation.run_step(session, steps_of(city.db, dispatch.id)[0].id) == "skipped"


def test_expiry_stops_every_escalation(city, clock):
    """The warning's own expiry (the warnings.expire job's work, through the hooks) stops the chain:
    steps and their jobs cancelled, the dispatch stopped as expired, nothing escalates later."""
    clock.freeze(core_clock.now())
    root = make_warning(city.db, city.county_a, level="orange", area_codes=[city.town_b])
    with city.db.writing(Actor.system("tests")) as session:
        session.get(Warning, root).expires = core_clock.now() + timedelta(minutes=2)
    dispatch = emit(city.db, root)
    assert [s.state for s in steps_of(city.db, dispatch.id)] == ["pending"] * 3
    clock.advance(timedelta(minutes=3))  # past expires, before the first step (5 min)
    with city.db.writing(Actor.system("tests")) as session:
        assert lifecycle.expire(session, root) is not None
    with city.db.reading() as session:
        stopped = session.get(Dispatch, dispatch.id)
        assert (stopped.state, stopped.stop_reason) == ("stopped", "expired")
    assert [s.state for s in steps_of(city.db, dispatch.id)] == ["cancelled"] * 3
    with city.db.reading() as session:
        jobs = session.scalars(
            select(Job.state).where(Job.id.in_([s.job_id for s in steps_of(city.db, dispatch.id)]))
        )
        assert set(jobs) == {"cancelled"}
    clock.advance(timedelta(hours=1))
    run_jobs(city.db)
    assert tasks_of(city.db, dispatch.id) == []
    sent = deliveries(city.db, dispatch.id)
    assert {d.purpose for d in sent} == {"warning"}  # no leaders told, no door-to-door staff told
    assert {d.round for d in sent} == {1}  # and nothing resent
    with city.db.reading() as session:
        assert escalation.run_step(session, steps_of(city.db, dispatch.id)[0].id) == "skipped"


def test_an_update_supersedes_and_keeps_the_recipients(city, clock):
    clock.freeze(core_clock.now())
    root = make_warning(city.db, city.county_a, level="yellow", area_codes=[city.village_a])
    first = emit(city.db, root)
    update = make_warning(city.db, city.county_a, level="red", area_codes=[city.group_a], root_id=root)
    second = emit(city.db, update, "updated")
    assert second.root_warning_id == root and second.level == "red"
    with city.db.reading() as session:
        assert session.get(Dispatch, first.id).state == "stopped"
        assert session.get(Dispatch, first.id).stop_reason == "superseded"
    old = {(d.channel, d.recipient_kind, d.recipient_id) for d in deliveries(city.db, first.id)}
    new = {(d.channel, d.recipient_kind, d.recipient_id) for d in deliveries(city.db, second.id)}
    assert old <= new  # the narrower update still reaches everyone the first issue reached
    assert {c.cell_code for c in cells(city.db, first.id)} <= {c.cell_code for c in cells(city.db, second.id)}
    assert [s.action for s in steps_of(city.db, second.id)] == ["resend", "notify_leaders", "door_to_door"]


def test_the_auditor_repairs_a_step_whose_job_died(city, clock, api):
    clock.freeze(core_clock.now())
    wid = make_warning(city.db, city.county_a, level="blue", area_codes=[city.group_a])
    dispatch = emit(city.db, wid)
    (step,) = steps_of(city.db, dispatch.id)
    with city.db.writing(Actor.system("tests")) as session:
        session.get(Job, step.job_id).state = "dead"
    clock.advance(timedelta(minutes=70))
    with city.db.writing(Actor.system("tests")) as session:
        assert escalation.audit_steps(session)["repaired"] >= 1
    assert api("county").get("/api/v1/delivery/stalled").status_code == 200
    run_jobs(city.db)
    (step,) = steps_of(city.db, dispatch.id)
    assert (step.state, step.repairs) == ("done", 1)


def test_a_jurisdiction_sets_its_own_policy(city, api):
    body = {"name": "乙镇红色预警", "steps": [{"after_minutes": 3, "action": "door_to_door"}]}
    assert api("town_b").put(f"/api/v1/delivery/policies/{city.town_b}/red", json=body).status_code == 403
    r = api("county").put(f"/api/v1/delivery/policies/{city.town_b}/red", json=body)
    assert r.status_code == 200, r.text
    assert api("town").put(f"/api/v1/delivery/policies/{city.town_b}/red", json=body).status_code == 403
    wid = make_warning(city.db, city.county_a, area_codes=[city.town_b])
    with city.db.writing(Actor.system("tests")) as session:
        from yingji.warnings.models import Warning

        session.get(Warning, wid).jurisdiction_code = city.town_b
    dispatch = emit(city.db, wid)
    assert dispatch.policy["steps"] == [{"after_minutes": 3, "action": "door_to_door"}]
    with city.db.reading() as session:
        assert session.scalar(select(User.id).where(User.username == "county"))
