"""Rebuilding cases: one open case per household, steps only along REBUILD_MOVES (409 else), each
step taken at its STEP_LEVEL in scope (403 else), the notice period (override audited), rejection
with its reason, the grant on county approval, progress and photos while building, payments within
the grant unless overridden, every step an append-only row."""

from __future__ import annotations

import io
import uuid

from PIL import Image
from sqlalchemy import select

from tests.aid.helpers import backdate_notices
from yingji.aid.models import RebuildStep
from yingji.auth.models import AuditEntry


def new_case(api, city, user="gridleader", **extra) -> dict:
    body = {
        "jurisdiction_code": city.village_a,
        "household": f"R{uuid.uuid4().hex[:10]}",
        "head_name": "重建户",
        "degree": "collapsed",
        "rooms": 3,
    } | extra
    r = api(user).post("/api/v1/aid/rebuild", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def step(client, case_id, to, **extra):
    return client.post(f"/api/v1/aid/rebuild/{case_id}/steps", json={"to": to} | extra)


def test_a_case_through_its_steps_by_level(city, api):
    leader, town, county = api("gridleader"), api("town"), api("county")
    c = new_case(api, city)
    assert c["state"] == "applied" and c["mode"] == "rebuild" and c["state_label"] == "已申请"
    # one open case per household
    dup = leader.post(
        "/api/v1/aid/rebuild",
        json={
            "jurisdiction_code": city.village_a,
            "household": c["household"],
            "head_name": "x",
            "degree": "severe",
        },
    )
    assert dup.status_code == 409
    # steps the table forbids
    for bad in ("town_checked", "building", "funded"):
        assert step(county, c["id"], bad).status_code == 409
    # the village reviews and posts the notice; a grid worker cannot, nor a town outside
    assert step(api("gridworker"), c["id"], "village_reviewed").status_code in (403, 404)
    assert step(api("town_b"), c["id"], "village_reviewed").status_code in (403, 404)
    assert step(leader, c["id"], "village_reviewed", note="民主评议通过").status_code == 200
    r = step(leader, c["id"], "notice")
    assert r.status_code == 200 and r.json()["notice"]["open"]
    # the village is not the town: it cannot take the town's check
    r = step(leader, c["id"], "town_checked", override_note="x")
    assert r.status_code == 403
    # within the notice period: refused unless an override (audited)
    r = step(town, c["id"], "town_checked")
    assert r.status_code == 409 and r.json()["error"]["code"] == "notice_running"
    backdate_notices(city, case_id=c["id"])
    assert step(town, c["id"], "town_checked", note="乡镇审核").status_code == 200
    # county approval needs the county level and the grant
    r = step(town, c["id"], "county_approved", grant_yuan=20000)
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_level"
    assert "县" in r.json()["error"]["message"]
    assert step(county, c["id"], "county_approved").status_code == 422
    r = step(county, c["id"], "county_approved", grant_yuan=20000)
    assert r.status_code == 200 and r.json()["grant_yuan"] == 20000
    assert step(town, c["id"], "building").status_code == 200
    # progress while building, by the village
    r = leader.post(f"/api/v1/aid/rebuild/{c['id']}/progress", json={"progress_pct": 40, "note": "圈梁完成"})
    assert r.status_code == 200 and r.json()["progress_pct"] == 40
    assert (
        leader.post(f"/api/v1/aid/rebuild/{c['id']}/progress", json={"progress_pct": 140}).status_code == 422
    )
    # a photo by content hash (the same photo twice is one)
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buf, "JPEG")
    files = {"file": ("a.jpg", buf.getvalue(), "image/jpeg")}
    p1 = leader.post(f"/api/v1/aid/rebuild/{c['id']}/photos", files=files, data={"caption": "施工"})
    p2 = leader.post(f"/api/v1/aid/rebuild/{c['id']}/photos", files=files)
    assert p1.status_code == 201 and p2.json()["id"] == p1.json()["id"] and p1.json()["step"] == "building"
    assert leader.get(p1.json()["url"]).content == buf.getvalue()
    assert api("town_b").get(p1.json()["url"]).status_code == 404
    bad = leader.post(
        f"/api/v1/aid/rebuild/{c['id']}/photos", files={"file": ("a.jpg", b"not an image", "image/jpeg")}
    )
    assert bad.status_code == 422
    # acceptance and payments (county), within the grant unless overridden
    assert step(town, c["id"], "accepted").status_code == 403
    r = step(county, c["id"], "accepted")
    assert r.status_code == 200 and r.json()["progress_pct"] == 100
    pay = f"/api/v1/aid/rebuild/{c['id']}/payments"
    assert county.post(pay, json={"amount_yuan": 15000}).status_code == 200
    over = county.post(pay, json={"amount_yuan": 6000})
    assert over.status_code == 409 and over.json()["error"]["code"] == "rebuild_over_grant"
    assert leader.post(pay, json={"amount_yuan": 1}).status_code == 403
    # funds short of the grant need an override; then paid in full
    assert step(county, c["id"], "funded").status_code == 409
    assert county.post(pay, json={"amount_yuan": 5000}).status_code == 200
    r = step(county, c["id"], "funded", note="拨付完毕")
    assert r.status_code == 200 and r.json()["state"] == "funded" and r.json()["paid_yuan"] == 20000
    assert r.json()["next_steps"] == []
    with city.db.reading() as session:
        steps = session.scalars(
            select(RebuildStep).where(RebuildStep.case_id == c["id"]).order_by(RebuildStep.id)
        ).all()
    moves = [s.to_state for s in steps if s.from_state != s.to_state]
    assert moves == [
        "applied",
        "village_reviewed",
        "notice",
        "town_checked",
        "county_approved",
        "building",
        "accepted",
        "funded",
    ]
    assert len(steps) == len(moves) + 3  # progress and two payments
    # a household's finished case still counts: no second case
    again = api("gridleader").post(
        "/api/v1/aid/rebuild",
        json={
            "jurisdiction_code": city.village_a,
            "household": c["household"],
            "head_name": "x",
            "degree": "general",
        },
    )
    assert again.status_code == 409


def test_rejection_needs_a_reason_and_objection_sends_back(city, api):
    leader, town = api("gridleader"), api("town")
    c = new_case(api, city, degree="general")
    assert c["mode"] == "repair"
    assert step(leader, c["id"], "rejected").status_code == 422
    r = step(leader, c["id"], "rejected", reason="房屋损坏系年久失修，不属因灾")
    assert r.status_code == 200 and r.json()["reason"] and r.json()["state_label"] == "未批准"
    assert step(leader, c["id"], "village_reviewed").status_code == 409

    c2 = new_case(api, city)
    step(leader, c2["id"], "village_reviewed")
    notice = step(leader, c2["id"], "notice").json()["notice"]
    assert (
        leader.post(
            f"/api/v1/aid/notices/{notice['id']}/objections", json={"by": "邻居", "text": "该户另有住房"}
        ).status_code
        == 201
    )
    backdate_notices(city, case_id=c2["id"], days=0)
    r = step(town, c2["id"], "town_checked", override_note="急需")
    assert r.status_code == 409 and r.json()["error"]["code"] == "objections_open"
    r = town.post(
        f"/api/v1/aid/notices/{notice['id']}/objections/0/answer",
        json={"upheld": True, "answer": "属实，退回重新评议"},
    )
    assert r.status_code == 200
    case = api("county").get(f"/api/v1/aid/rebuild/{c2['id']}").json()
    assert case["state"] == "village_reviewed" and case["steps"][-1]["data"]["objection_upheld"]


def test_override_of_the_notice_is_audited(city, api):
    leader, town = api("gridleader"), api("town")
    c = new_case(api, city)
    step(leader, c["id"], "village_reviewed")
    step(leader, c["id"], "notice")
    r = step(town, c["id"], "town_checked", override_note="汛期抢建，经乡镇党委同意")
    assert r.status_code == 200 and r.json()["steps"][-1]["data"]["override"]
    with city.db.reading() as session:
        notes = session.scalars(
            select(AuditEntry.note).where(
                AuditEntry.entity == "rebuild_cases",
                AuditEntry.entity_id == str(c["id"]),
                AuditEntry.action == "override",
            )
        ).all()
    assert notes == ["汛期抢建，经乡镇党委同意"]


def test_from_a_damaged_house_when_there_is_one(city, api):
    from yingji.damage.models import DamagedHouse

    with city.db.reading() as session:
        house = session.scalar(
            select(DamagedHouse).where(DamagedHouse.jurisdiction_code.startswith(city.town_a)).limit(1)
        )
    if house is None:  # the damage demo lives on another branch; nothing to read yet
        return
    r = api("town").post("/api/v1/aid/rebuild", json={"damaged_house_id": house.id})
    assert r.status_code in (201, 409)
