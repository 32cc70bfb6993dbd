"""Progress reports (scope, idempotency, a closed task), year-end sign-off by the right people only,
the sweep's reminders and escalation through the three colours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.governance.helpers import client_for, departments, key, person_with_post, plan_with_measure
from yingji.core import clock
from yingji.core.db import Actor
from yingji.governance import labels, supervision
from yingji.governance.models import Notice, PlanUnit


def _unit(city, i: int = 0):
    return departments(city)[i]


def test_report_by_the_unit_is_idempotent_and_refused_when_closed(api, app, city):
    unit, other = _unit(city, 0), _unit(city, 1)
    plan, m = plan_with_measure(api, city, [unit.id])
    member = client_for(app, city, person_with_post(city, unit.id, "member", city.county_a), city.county_a)
    outsider = client_for(app, city, person_with_post(city, other.id, "member", city.county_a), city.county_a)
    body = {"unit_id": unit.id, "text": "已制定方案并召开会议。", "percent": 40, "client_key": key()}
    r1 = member.post(f"/api/v1/work-tasks/measures/{m['id']}/reports", json=body)
    assert r1.status_code == 201, r1.text
    r2 = member.post(f"/api/v1/work-tasks/measures/{m['id']}/reports", json=body)
    assert r2.status_code == 201 and r2.json()["id"] == r1.json()["id"]
    ledger = api("county").get(f"/api/v1/work-tasks/measures/{m['id']}").json()
    assert len(ledger["reports"]) == 1 and ledger["measure"]["state"] == "ongoing"
    # another unit's staff cannot report for this unit, nor for their own unit on a measure it does not carry
    assert (
        outsider.post(
            f"/api/v1/work-tasks/measures/{m['id']}/reports", json=body | {"client_key": key()}
        ).status_code
        == 403
    )
    r = outsider.post(
        f"/api/v1/work-tasks/measures/{m['id']}/reports",
        json=body | {"unit_id": other.id, "client_key": key()},
    )
    assert r.status_code == 403
    # outside the jurisdiction the measure does not exist
    assert (
        api("town_b")
        .post(f"/api/v1/work-tasks/measures/{m['id']}/reports", json=body | {"client_key": key()})
        .status_code
        == 404
    )
    # evidence: a document by its bytes
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    e = member.post(
        f"/api/v1/work-tasks/reports/{r1.json()['id']}/evidence",
        files={"file": ("会议纪要.pdf", pdf, "application/pdf")},
    )
    assert e.status_code == 201, e.text
    assert member.get(e.json()["url"]).content == pdf
    bad = member.post(
        f"/api/v1/work-tasks/reports/{r1.json()['id']}/evidence",
        files={"file": ("x.exe", b"MZ....", "application/octet-stream")},
    )
    assert bad.status_code == 422
    # closed plan: 409, Chinese first, English too
    assert api("county").post(f"/api/v1/work-tasks/plans/{plan['id']}/close").status_code == 200
    r = member.post(f"/api/v1/work-tasks/measures/{m['id']}/reports", json=body | {"client_key": key()})
    assert r.status_code == 409
    err = r.json()["error"]
    assert (
        err["code"] == "plan_closed" and err["message"] != err["message_en"] and "closed" in err["message_en"]
    )


def test_report_on_a_closed_measure(api, city):
    unit = _unit(city, 0)
    _plan, m = plan_with_measure(api, city, [unit.id])
    assert (
        api("county").post(f"/api/v1/work-tasks/measures/{m['id']}/move", json={"to": "closed"}).status_code
        == 200
    )
    r = api("county").post(
        f"/api/v1/work-tasks/measures/{m['id']}/reports", json={"unit_id": unit.id, "text": "补报"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "measure_closed"
    assert (
        api("county").post(f"/api/v1/work-tasks/measures/{m['id']}/move", json={"to": "done"}).status_code
        == 409
    )


def test_sign_off_by_the_named_people_only(api, app, city):
    unit = _unit(city, 2)
    head = person_with_post(city, unit.id, "chief", city.county_a)
    plan, _m = plan_with_measure(api, city, [unit.id])
    with city.db.writing(Actor.system("tests")) as session:
        pu = session.scalar(
            select(PlanUnit).where(PlanUnit.plan_id == plan["id"], PlanUnit.unit_id == unit.id)
        )
        head = pu.head_person_id  # the unit's first head post holder is the named head
    leader = person_with_post(city, _unit(city, 3).id, "deputy", city.county_a)
    r = api("county").put(
        f"/api/v1/work-tasks/plans/{plan['id']}/units/{unit.id}", json={"leader_person_id": leader}
    )
    assert r.status_code == 200, r.text
    s = api("county").put(
        f"/api/v1/work-tasks/plans/{plan['id']}/units/{unit.id}/summary", json={"text": "全年完成情况总结。"}
    )
    assert s.status_code == 200, s.text
    sid = s.json()["id"]
    head_c = client_for(app, city, head, city.county_a)
    leader_c = client_for(app, city, leader, city.county_a)
    someone = client_for(app, city, person_with_post(city, unit.id, "member", city.county_a), city.county_a)
    url = f"/api/v1/work-tasks/summaries/{sid}/sign"
    assert someone.post(url, json={"role": "head"}).status_code == 403
    assert leader_c.post(url, json={"role": "head"}).status_code == 403  # the leader is not the head
    assert head_c.post(url, json={"role": "leader"}).status_code == 403
    assert api("county").post(url, json={"role": "head"}).status_code == 403  # a manager is not the signer
    r = head_c.post(url, json={"role": "head"})
    assert r.status_code == 200 and r.json()["head_signed_at"] and not r.json()["locked"]
    assert head_c.post(url, json={"role": "head"}).status_code == 409
    r = leader_c.post(url, json={"role": "leader"})
    assert r.status_code == 200 and r.json()["locked"]
    again = api("county").put(
        f"/api/v1/work-tasks/plans/{plan['id']}/units/{unit.id}/summary", json={"text": "改"}
    )
    assert again.status_code == 409
    # the only unit signed twice: the plan closed
    assert api("county").get(f"/api/v1/work-tasks/plans/{plan['id']}").json()["state"] == "closed"
    with city.db.reading() as session:
        from yingji.auth.models import AuditEntry as AuditLog

        rows = session.scalars(
            select(AuditLog).where(
                AuditLog.entity == "gov_summaries", AuditLog.action == "sign", AuditLog.entity_id == str(sid)
            )
        ).all()
        assert len(rows) == 2


def _notices(city, measure_id: int) -> list[Notice]:
    with city.db.reading() as session:
        return list(
            session.scalars(select(Notice).where(Notice.measure_id == measure_id).order_by(Notice.id))
        )


def _sweep(city, today):
    with city.db.writing(Actor.system("tests")) as session:
        return supervision.sweep(session, today=today, within=city.county_a)


def test_sweep_escalates_blue_orange_red(api, app, city):
    unit = _unit(city, 0)
    today = clock.to_local(clock.now()).date()
    _plan, m = plan_with_measure(api, city, [unit.id], deadline="2020年1月")  # long past
    _sweep(city, today)
    first = _notices(city, m["id"])
    assert [(n.kind, n.level, n.state) for n in first] == [("supervision", "blue", "open")]
    _sweep(city, today)
    assert len(_notices(city, m["id"])) == 1  # nothing twice
    step = timedelta(days=labels.escalate_days())
    _sweep(city, today + step)
    _sweep(city, today + 2 * step)
    _sweep(city, today + 3 * step)
    rows = _notices(city, m["id"])
    assert [n.level for n in rows] == ["blue", "orange", "red"]
    assert [n.state for n in rows] == ["superseded", "superseded", "open"]
    # the unit answers, the manager closes
    member = client_for(app, city, person_with_post(city, unit.id, "member", city.county_a), city.county_a)
    red = rows[-1].id
    assert (
        api("town_b").post(f"/api/v1/work-tasks/notices/{red}/answer", json={"answer": "x"}).status_code
        == 404
    )
    r = member.post(f"/api/v1/work-tasks/notices/{red}/answer", json={"answer": "已整改，补报材料。"})
    assert r.status_code == 200 and r.json()["state"] == "answered"
    assert member.post(f"/api/v1/work-tasks/notices/{red}/close", json={}).status_code == 403
    r = api("county").post(f"/api/v1/work-tasks/notices/{red}/close", json={"reason": "办结"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert (
        api("county").post(f"/api/v1/work-tasks/notices/{red}/answer", json={"answer": "x"}).status_code
        == 409
    )


def test_urgent_starts_orange_and_at_risk_is_reminded(api, city):
    unit = _unit(city, 1)
    today = clock.to_local(clock.now()).date()
    _p, urgent = plan_with_measure(api, city, [unit.id], deadline="2020年1月", urgent=True)
    soon = today + timedelta(days=max(1, labels.at_risk_days() - 1))
    _p2, risky = plan_with_measure(api, city, [unit.id], deadline=soon.isoformat())
    _sweep(city, today)
    assert [n.level for n in _notices(city, urgent["id"])] == ["orange"]
    rows = _notices(city, risky["id"])
    assert [(n.kind, n.level) for n in rows] == [("reminder", "blue")]
    page = api("county").get("/api/v1/work-tasks/notices", params={"level": "orange"}).json()
    assert urgent["id"] in [n["measure_id"] for n in page["items"]]
