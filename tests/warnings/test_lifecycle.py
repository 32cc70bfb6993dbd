"""Lifecycle: the transition table, approval of red and orange by another leader, the 第六十四条
check at publish, updates and lifts that reference the first issue, expiry by a job row."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.warnings.conftest import create, payload, publish_blue
from yingji.core import clock as core_clock
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker
from yingji.warnings import lifecycle
from yingji.warnings.models import Warning, WarningVersion


def test_transition_table_is_explicit():
    assert lifecycle.TRANSITIONS["published"] == {"updated", "lifted", "expired"}
    for end in ("updated", "lifted", "expired"):
        assert lifecycle.TRANSITIONS[end] == frozenset()
    assert "published" not in lifecycle.TRANSITIONS["lifted"]


def test_red_needs_approval_by_another_leader(api, city):
    county = api("county")
    w = create(county, city.village_a, "red")
    assert w["status"] == "draft"
    # Not yet approved: publishing is refused.
    r = county.post(f"/api/v1/warnings/{w['id']}/publish")
    assert r.status_code == 409, r.text
    assert county.post(f"/api/v1/warnings/{w['id']}/submit").json()["status"] == "submitted"
    # The author may not approve their own red warning.
    r = county.post(f"/api/v1/warnings/{w['id']}/approve", json={"note": "ok"})
    assert r.status_code == 403
    # A duty officer drafts and publishes but does not approve.
    assert api("duty").post(f"/api/v1/warnings/{w['id']}/approve", json={}).status_code == 403
    r = api("commander").post(f"/api/v1/warnings/{w['id']}/approve", json={"note": "同意"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["review_note"] == "同意"
    # The commander approves but cannot publish; the county officer can.
    assert api("commander").post(f"/api/v1/warnings/{w['id']}/publish").status_code == 403
    r = county.post(f"/api/v1/warnings/{w['id']}/publish")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "published" and out["msg_type"] == "Alert"
    assert re.fullmatch(r"520602\d{3}\d{3}00_\d{14}_\d", out["identifier"])  # GB/T 35965.1 A.1.1: 31 chars
    assert out["sender_code"].startswith("520602") and len(out["sender_code"]) == 14
    assert out["headline"].endswith("暴雨红色预警") and out["headline"].startswith("测试区气象局发布")
    # Published twice? The table says no.
    assert county.post(f"/api/v1/warnings/{w['id']}/publish").status_code == 409


def test_orange_rejected_goes_back_to_draft(api, city):
    county = api("county")
    w = create(county, city.village_a, "orange")
    county.post(f"/api/v1/warnings/{w['id']}/submit")
    r = api("commander").post(f"/api/v1/warnings/{w['id']}/reject", json={"note": "范围不准"})
    assert r.status_code == 200 and r.json()["status"] == "draft"
    edited = county.put(f"/api/v1/warnings/{w['id']}", json=payload(city.village_a, "orange", event="大暴雨"))
    assert edited.status_code == 200 and edited.json()["event"] == "大暴雨"
    assert edited.json()["revision"] == 2


def test_blue_and_yellow_publish_without_approval(api, city):
    duty = api("duty")
    out = publish_blue(duty, city.village_a)
    assert out["status"] == "published"
    w = create(duty, city.village_a, "yellow")
    assert duty.post(f"/api/v1/warnings/{w['id']}/publish").json()["status"] == "published"


def test_article_64_lists_exactly_what_is_missing(api, city):
    duty = api("duty")
    w = create(
        duty,
        city.village_a,
        "blue",
        description="",
        instruction="",
        sender_name="",
        area={"division_codes": []},
    )
    assert duty.get(f"/api/v1/warnings/{w['id']}/check").json()["missing"] == [
        "area",
        "matters",
        "measures",
        "issuer",
    ]
    r = duty.post(f"/api/v1/warnings/{w['id']}/publish")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "warning_incomplete"
    assert [d["field"] for d in err["details"]] == ["area", "matters", "measures", "issuer"]
    assert (
        "可能影响的范围" in err["message"] and "警示事项" in err["message"] and "发布单位" in err["message"]
    )
    assert "possible area of impact" in err["message_en"]
    # Without a start time and an event, those are named too, in the law's order.
    w2 = create(duty, city.village_a, "blue", event="", categories=[], effective=None)
    assert duty.get(f"/api/v1/warnings/{w2['id']}/check").json()["missing"] == ["category", "start_time"]
    assert duty.get(f"/api/v1/warnings/{w['id']}").json()["status"] == "draft"


def test_update_and_lift_reference_the_first_issue(api, city):
    duty = api("duty")
    first = publish_blue(duty, city.village_a)
    upd = duty.post(f"/api/v1/warnings/{first['id']}/update")
    assert upd.status_code == 201, upd.text
    upd = upd.json()
    assert upd["msg_type"] == "Update" and upd["root_id"] == first["id"] and upd["status"] == "draft"
    body = payload(city.village_a, "yellow", revision=upd["revision"])
    assert duty.put(f"/api/v1/warnings/{upd['id']}", json=body).status_code == 200
    out = duty.post(f"/api/v1/warnings/{upd['id']}/publish").json()
    assert out["status"] == "published" and out["level"] == "yellow"
    ref = f"{first['sender']},{first['identifier']},"
    assert out["references"][0].startswith(ref)
    assert "更新" in out["headline"]
    assert duty.get(f"/api/v1/warnings/{first['id']}").json()["status"] == "updated"
    # Lifting the chain (from any of its issues) cancels the issue in force.
    r = duty.post(f"/api/v1/warnings/{first['id']}/lift", json={"reason": "降雨已结束"})
    assert r.status_code == 200, r.text
    cancel = r.json()
    assert cancel["msg_type"] == "Cancel" and cancel["root_id"] == first["id"]
    assert cancel["references"][0].startswith(ref) and len(cancel["references"]) == 2
    assert cancel["note"] == "降雨已结束" and "解除" in cancel["headline"]
    assert duty.get(f"/api/v1/warnings/{upd['id']}").json()["status"] == "lifted"
    assert [c["msg_type"] for c in cancel["chain"]] == ["Alert", "Update", "Cancel"]
    # Nothing left in force: a second lift or update is refused.
    assert duty.post(f"/api/v1/warnings/{first['id']}/lift", json={"reason": "x"}).status_code == 409
    assert duty.post(f"/api/v1/warnings/{first['id']}/update").status_code == 409


def test_expiry_is_a_job_row_run_at_expires(api, city, clock):
    clock.freeze(core_clock.now())
    duty = api("duty")
    now = core_clock.now()
    out = publish_blue(duty, city.village_a, expires=(now + timedelta(minutes=30)).isoformat())
    with city.db.reading() as session:
        job = session.scalars(
            select(Job).where(Job.kind == "warnings.expire").order_by(Job.id.desc())
        ).first()
        assert job.payload == {"warning_id": out["id"]}
        assert abs((job.due_at - (now + timedelta(minutes=30))).total_seconds()) < 1
    worker = Worker(city.db, kinds=["warnings.expire"])
    worker.run_until_idle()
    assert duty.get(f"/api/v1/warnings/{out['id']}").json()["status"] == "published"
    clock.advance(timedelta(minutes=31))
    worker.run_until_idle()
    assert duty.get(f"/api/v1/warnings/{out['id']}").json()["status"] == "expired"


def test_every_change_is_kept_as_a_version(api, city):
    duty = api("duty")
    first = publish_blue(duty, city.village_a)
    duty.post(f"/api/v1/warnings/{first['id']}/lift", json={"reason": "结束"})
    rows = duty.get(f"/api/v1/warnings/{first['id']}/versions").json()["items"]
    assert [(v["action"], v["status"]) for v in rows] == [
        ("created", "draft"),
        ("published", "published"),
        ("lifted", "lifted"),
    ]
    assert rows[1]["snapshot"]["cap"]["identifier"] == first["identifier"]
    with city.db.reading() as session:
        n = session.scalar(select(WarningVersion.id).where(WarningVersion.warning_id == first["id"]).limit(1))
        assert n is not None
        assert session.get(Warning, first["id"]).ended_at is not None


def test_locked_template_fields_cannot_change(api, city):
    duty = api("duty")
    body = payload(
        city.village_a, "blue", template_key="geohazard_weather_risk", event="暴雨", categories=["Geo", "Met"]
    )
    r = duty.post("/api/v1/warnings", json=body)
    assert r.status_code == 422
    assert {d["field"] for d in r.json()["error"]["details"]} == {"event"}
    body = payload(
        city.village_a,
        "blue",
        template_key="geohazard_weather_risk",
        event="",
        categories=[],
        description="",
        instruction="",
    )
    r = duty.post("/api/v1/warnings", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["event"] == "地质灾害气象风险" and out["locked_fields"][:2] == ["event", "category"]
    assert out["description"].startswith("受降雨影响") and "风险" in out["description"]
    assert out["sender_code"][6:9] == "103"  # the natural-resources sector of the template
