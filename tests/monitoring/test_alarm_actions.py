"""What an alarm sets going (through the job queue): the monitor and the town are told in their inbox,
a draft warning for the point's area or an incident report for the grid is made once; and people
acknowledge and clear alarms in their area."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.monitoring.conftest import feed, make_point, make_rule, make_sensor, principal_of, run_alarm_jobs
from yingji.auth.models import User
from yingji.incidents.models import Incident
from yingji.monitoring.models import Alarm, AlarmEvent, Sensor
from yingji.notify.models import InboxMessage
from yingji.warnings.models import Warning


def person_of(db, username: str) -> int:
    with db.reading() as session:
        return session.scalar(select(User.person_id).where(User.username == username))


def only_alarm(db, code: str) -> Alarm:
    with db.reading() as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == code))
        [alarm] = session.scalars(select(Alarm).where(Alarm.sensor_id == sid)).all()
        return alarm


def inbox(db, username: str, alarm_id: int) -> list[InboxMessage]:
    user = principal_of(db, username).user_id
    with db.reading() as session:
        return list(
            session.scalars(
                select(InboxMessage).where(
                    InboxMessage.user_id == user, InboxMessage.link == f"/monitoring/alarms/{alarm_id}"
                )
            )
        )


def places_told(db, alarm_id: int) -> set[str]:
    with db.reading() as session:
        rows = session.scalars(
            select(User.jurisdiction_code)
            .join(InboxMessage, InboxMessage.user_id == User.id)
            .where(InboxMessage.link == f"/monitoring/alarms/{alarm_id}")
        )
        return set(rows)


def test_a_warning_rule_drafts_one_warning_and_tells_the_monitor_and_the_town(city, frozen):
    db = city.db
    point = make_point(db, city.group_a, monitor_person_id=person_of(db, "gridworker"))
    code = make_sensor(db, point, "rain_gauge")
    make_rule(db, point, "rain_gauge", "sum_1h", 40.0, 20.0, level="orange", action="warning")
    now = frozen.now()
    feed(db, [(code, now - timedelta(minutes=5 * k), 4.0) for k in range(12)])  # 48 mm in an hour
    alarm = only_alarm(db, code)
    assert alarm.state == "open" and alarm.warning_id is None
    run_alarm_jobs(db)
    run_alarm_jobs(db)  # nothing twice
    alarm = only_alarm(db, code)
    with db.reading() as session:
        warning = session.get(Warning, alarm.warning_id)
        assert warning.status == "draft" and warning.level == "orange"
        assert warning.jurisdiction_code == city.county_a  # issued by the county, a person publishes
        kinds = [e.kind for e in session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id))]
    assert kinds.count("warning_drafted") == 1 and "raised" in kinds
    assert len(inbox(db, "gridworker", alarm.id)) == 1  # the monitor
    told = places_told(db, alarm.id)
    assert city.town_a in told  # the town's duty officer on duty (or, without a roster, its officials)
    assert not any(code.startswith(city.town_b) for code in told)


def test_an_incident_rule_files_an_incident_report_for_the_grid(city, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "displacement")
    make_rule(db, point, "displacement", "rate_h", 10.0, 2.0, level="red", action="incident")
    now = frozen.now()
    feed(db, [(code, now - timedelta(hours=1), 100.0), (code, now, 112.0)])
    run_alarm_jobs(db)
    alarm = only_alarm(db, code)
    with db.reading() as session:
        incident = session.get(Incident, alarm.incident_id)
        assert incident.jurisdiction_code.startswith(city.group_a[:12])
        assert (
            incident.category == "natural.geological"
            and incident.idempotency_key == f"monitoring-alarm-{alarm.id}"
        )


def test_alarms_are_acknowledged_and_cleared_in_scope(city, api, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "gas_lel")
    make_rule(db, point, "gas_lel", "value", 40.0, 30.0, level="red")
    feed(db, [(code, frozen.now(), 45.0)])
    alarm = only_alarm(db, code)
    assert api("town_b").get(f"/api/v1/alarms/{alarm.id}").status_code == 404
    assert api("town_b").post(f"/api/v1/alarms/{alarm.id}/ack").status_code == 404
    assert api("viewer").post(f"/api/v1/alarms/{alarm.id}/ack").status_code == 403
    r = api("gridworker").post(f"/api/v1/alarms/{alarm.id}/ack", json={"note": "已到现场"})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    board = api("town").get("/api/v1/alarms?state=open&size=200").json()
    assert alarm.id in [a["id"] for a in board["items"]] and board["counts"]["red"] >= 1
    feed(db, [(code, frozen.now() + timedelta(minutes=1), 46.0)])  # still above: no second alarm
    r = api("town").post(f"/api/v1/alarms/{alarm.id}/clear", json={"note": "传感器故障，已更换"})
    assert r.json()["state"] == "cleared"
    detail = api("town").get(f"/api/v1/alarms/{alarm.id}").json()
    assert [e["kind"] for e in detail["events"]][-2:] == ["acknowledged", "cleared"]
    assert api("town").post(f"/api/v1/alarms/{alarm.id}/ack").status_code == 409
    history = api("town").get(f"/api/v1/alarms?state=all&point_id={point}").json()
    assert [a["id"] for a in history["items"]] == [alarm.id]


def test_rules_are_managed_in_scope(city, api):
    point = make_point(city.db, city.group_a)
    rule = {
        "hazard_point_id": point,
        "sensor_kind": "rain_gauge",
        "metric": "sum_3h",
        "raise_at": 60,
        "clear_at": 40,
        "level": "red",
    }
    assert api("gridworker").post("/api/v1/alarm-rules", json=rule).status_code == 403
    assert api("town_b").post("/api/v1/alarm-rules", json=rule).status_code == 404
    bad = api("county").post("/api/v1/alarm-rules", json=rule | {"clear_at": 70})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "clear_at"
    wrong = api("county").post(
        "/api/v1/alarm-rules", json=rule | {"sensor_kind": "humidity", "metric": "sum_3h"}
    )
    assert wrong.status_code == 422
    made = api("county").post("/api/v1/alarm-rules", json=rule)
    assert made.status_code == 201
    effective = api("county").get(f"/api/v1/hazard-points/{point}/effective-rules?kind=rain_gauge").json()
    assert [r["source"] for r in effective if r["metric"] == "sum_3h"] == ["point"]
    assert {r["source"] for r in effective if r["metric"] == "sum_1h"} == {"default"}
    assert api("town_b").delete(f"/api/v1/alarm-rules/{made.json()['id']}").status_code == 404
    assert api("county").delete(f"/api/v1/alarm-rules/{made.json()['id']}").status_code == 204
