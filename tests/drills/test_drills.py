"""Drills: planning in scope with audit rows, the plans a drill may exercise, the state machine, what
an unannounced drill hides from the players, participants, the yearly drill plan."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.drills.conftest import drill_body, held_drill, make_plan
from yingji.auth.models import AuditEntry
from yingji.drills.models import Drill
from yingji.org.models import Unit


def test_plan_read_change_in_scope_and_audited(city, api):
    town = api("town")
    r = town.post("/api/v1/drills", json=drill_body(city.town_a, title="环北街道防汛应急演练"))
    assert r.status_code == 201, r.text
    drill = r.json()
    assert drill["state"] == "planned" and drill["state_label"] == "计划中" and drill["year"] == 2026
    assert (
        drill["form_label"] == "实战演练" and drill["scope_label"] == "综合演练" and not drill["double_blind"]
    )

    assert api("county").get(f"/api/v1/drills/{drill['id']}").status_code == 200
    assert api("town_b").get(f"/api/v1/drills/{drill['id']}").status_code == 404
    assert api("town_b").patch(f"/api/v1/drills/{drill['id']}", json={"place": "x"}).status_code == 404
    changed = town.patch(f"/api/v1/drills/{drill['id']}", json={"place": "河滨公园", "form": "tabletop"})
    assert changed.status_code == 200 and changed.json()["form_label"] == "桌面演练"

    with city.db.reading() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "drills", AuditEntry.entity_id == str(drill["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [a.action for a in rows] == ["create", "update"]
    assert rows[1].after["place"] == "河滨公园" and rows[1].before["form"] == "live"
    listed = town.get("/api/v1/drills", params={"q": "环北街道防汛"}).json()
    assert drill["id"] in [d["id"] for d in listed["items"]]
    assert drill["id"] not in [
        d["id"] for d in api("town_b").get("/api/v1/drills", params={"q": "环北街道防汛"}).json()["items"]
    ]


def test_writes_outside_the_jurisdiction_or_without_permission_are_refused(city, api):
    body = drill_body(city.town_other_county, title="越权演练")
    r = api("town").post("/api/v1/drills", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    assert api("gridleader").post("/api/v1/drills", json=drill_body(city.village_a)).status_code == 403
    assert api("duty").post("/api/v1/drills", json=drill_body(city.town_a)).status_code == 403
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Drill.title == "越权演练")) == 0


def test_bad_input_is_a_clear_error(city, api):
    town = api("town")
    r = town.post("/api/v1/drills", json=drill_body(city.town_a, planned_on=None))
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "planned_on"
    r = town.post("/api/v1/drills", json=drill_body(city.town_a, year=2025, planned_on="2026-03-01"))
    assert r.status_code == 422
    assert town.post("/api/v1/drills", json=drill_body(city.town_a, form="parade")).status_code == 422
    r = town.post("/api/v1/drills", json=drill_body(city.town_a), headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 201


def test_a_drill_exercises_plans_of_its_place_above_or_below(city, api):
    town = api("town")
    county_plan = make_plan(city, city.county_a, "overall", title="县总体应急预案")
    own = make_plan(city, city.town_a, "township")
    elsewhere = make_plan(city, city.town_other_county, "township")
    repealed = make_plan(city, city.town_a, "township", state="repealed")
    r = town.post("/api/v1/drills", json=drill_body(city.town_a, plan_ids=[county_plan, own]))
    assert r.status_code == 201, r.text
    assert {p["id"] for p in r.json()["plans"]} == {county_plan, own}
    for bad in (elsewhere, repealed, 2**40):
        r = town.post("/api/v1/drills", json=drill_body(city.town_a, plan_ids=[bad]))
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "plan_ids"


def test_the_state_machine(city, api):
    town = api("town")
    drill = town.post("/api/v1/drills", json=drill_body(city.town_a)).json()
    url = f"/api/v1/drills/{drill['id']}/state"
    assert town.post(url, json={"state": "evaluated"}).status_code == 409
    assert town.post(url, json={"state": "cancelled"}).status_code == 422  # no reason
    assert town.post(url, json={"state": "running", "at": "2099-01-01T00:00:00Z"}).status_code == 422
    r = town.post(url, json={"state": "running", "at": "2026-06-15T01:00:00Z"})
    assert r.status_code == 200 and r.json()["state_label"] == "进行中"
    assert town.post(url, json={"state": "ended", "at": "2026-06-14T01:00:00Z"}).status_code == 422
    r = town.post(url, json={"state": "ended", "at": "2026-06-15T04:00:00Z"})
    assert r.status_code == 200 and r.json()["state"] == "ended"
    r = town.post(url, json={"state": "running"})
    assert r.status_code == 409 and "已实施" in r.json()["error"]["message"]
    assert town.patch(f"/api/v1/drills/{drill['id']}", json={"title": "改名"}).status_code == 409
    assert town.patch(f"/api/v1/drills/{drill['id']}", json={"note": "补记"}).status_code == 200

    other = town.post("/api/v1/drills", json=drill_body(city.town_a)).json()
    r = town.post(f"/api/v1/drills/{other['id']}/state", json={"state": "cancelled", "reason": "汛情影响"})
    assert r.status_code == 200 and "汛情影响" in r.json()["note"]


def test_an_unannounced_drill_hides_its_day_and_scenario_from_the_players(city, api):
    body = drill_body(
        city.town_a, notice_time=False, notice_scenario=False, scenario="山洪冲毁便桥，12 人被困"
    )
    drill = api("town").post("/api/v1/drills", json=body).json()
    assert drill["double_blind"] and drill["scenario"].startswith("山洪")
    duty = api("duty")  # on duty at the city: a player, not a planner
    seen = duty.get(f"/api/v1/drills/{drill['id']}").json()
    assert seen["scenario"] is None and seen["planned_on"] is None and seen["place"] is None
    assert drill["id"] not in [
        d["id"] for d in duty.get("/api/v1/drills", params={"size": 200}).json()["items"]
    ]
    staff = api("staff").get(f"/api/v1/drills/{drill['id']}").json()  # directs drills
    assert staff["scenario"].startswith("山洪") and staff["planned_on"] == "2026-06-15"
    held = api("town")
    held.post(f"/api/v1/drills/{drill['id']}/state", json={"state": "ended", "at": "2026-06-15T03:00:00Z"})
    after = duty.get(f"/api/v1/drills/{drill['id']}").json()
    assert after["scenario"].startswith("山洪") and after["starts_at"]


def test_participants_from_the_registers(city, api):
    town = api("town")
    drill = held_drill(town, city.town_a)
    with city.db.reading() as session:
        unit = session.scalar(select(Unit.id).where(Unit.jurisdiction_code == city.town_a))
        far = session.scalar(select(Unit.id).where(Unit.jurisdiction_code.startswith(city.county_b)))
    url = f"/api/v1/drills/{drill['id']}/participants"
    r = town.post(url, json={"kind": "unit", "unit_id": unit, "role": "director", "headcount": 5})
    assert r.status_code == 201 and r.json()["role_label"] == "导调"
    assert town.post(url, json={"kind": "unit", "unit_id": unit}).status_code == 409
    assert town.post(url, json={"kind": "unit", "unit_id": far}).status_code == 422
    assert town.post(url, json={"kind": "team"}).status_code == 422
    assert town.post(url, json={"kind": "other"}).status_code == 422
    r = town.post(url, json={"kind": "other", "name": "辖区群众", "headcount": 120})
    assert r.status_code == 201
    assert town.get(f"/api/v1/drills/{drill['id']}").json()["headcount"] == 125
    assert api("town_b").post(url, json={"kind": "other", "name": "x"}).status_code == 404
    pid = r.json()["id"]
    assert town.delete(f"{url}/{pid}").status_code == 204
    assert [p["name"] for p in town.get(url).json()] != ["辖区群众"]
    assert town.get(f"/api/v1/drills/{drill['id']}").json()["headcount"] == 5


def test_the_yearly_drill_plan(city, api):
    town = api("town_b")
    body = {"jurisdiction_code": city.town_b, "year": 2031, "title": "乙镇2031年度应急演练计划"}
    r = town.post("/api/v1/drills/programmes", json=body)
    assert r.status_code == 201 and r.json()["state"] == "draft" and r.json()["drills"] == []
    assert town.post("/api/v1/drills/programmes", json=body).status_code == 409
    pid = r.json()["id"]
    approve = {"approved_by": "乙镇应急管理委员会主任", "approved_on": "2026-01-10"}
    assert town.post(f"/api/v1/drills/programmes/{pid}/approve", json=approve).status_code == 422  # no drill
    assert api("town").post(f"/api/v1/drills/programmes/{pid}/approve", json=approve).status_code == 404
    drill = town.post("/api/v1/drills", json=drill_body(city.town_b, planned_on="2031-05-12")).json()
    r = town.post(f"/api/v1/drills/programmes/{pid}/approve", json=approve)
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert [d["id"] for d in r.json()["drills"]] == [drill["id"]]
    got = town.get("/api/v1/drills/programmes", params={"year": 2031, "within": city.town_b})
    assert got.status_code == 200 and got.json()["approved_by"] == "乙镇应急管理委员会主任"
    assert town.post(f"/api/v1/drills/programmes/{pid}/approve", json=approve).status_code == 409
