"""Editing a plan's response part through the API: levels with conditions (and from the grading
tables), actions of the HQ and member units, and what is refused: wrong shape, a unit that is not a
member, another place's plan, a repealed plan, deleting what a response used."""

from __future__ import annotations

from sqlalchemy import select

from tests.plans.digital_helpers import make_plan, new_incident
from yingji.core.db import Actor
from yingji.plans.models import Plan, PlanAction, PlanLevel


def test_levels_and_actions_round_trip(city, api):
    plan = make_plan(city.db, city.county_a, levels=False)
    c = api("county")
    url = f"/api/v1/plans/{plan.id}"
    level = {
        "trigger_text": "死亡3人以上或直接经济损失100万元以上的地质灾害",
        "conditions": {
            "figures": [{"measure": "deaths", "min": 3}],
            "rule": {"kind": "geological_damage", "grade": "III"},
        },
        "decided_by": "指挥长",
    }
    assert (
        c.post(f"{url}/levels/3/actions", json={"role": "hq", "title": "会商", "due_minutes": 30}).status_code
        == 409
    )
    r = c.put(f"{url}/levels/3", json=level)
    assert r.status_code == 200, r.text
    assert r.json()["levels"][0]["conditions"]["rule"] == {"kind": "geological_damage", "grade": "III"}
    assert r.json()["missing_levels"] == [1, 2, 4]
    hq = c.post(
        f"{url}/levels/3/actions",
        json={
            "role": "hq",
            "title": "组织会商研判",
            "due_minutes": 30,
            "resources": [{"item": "无人机", "quantity": 2, "unit": "架"}],
        },
    )
    assert hq.status_code == 201, hq.text
    assert hq.json()["seq"] == 1 and hq.json()["unit_name"]  # the HQ's name
    member = c.post(
        f"{url}/levels/3/actions",
        json={"role": "member", "unit_id": plan.member_ids[1], "kind": "notice", "title": "通报交通管制"},
    )
    assert member.status_code == 201 and member.json()["seq"] == 2
    r = c.patch(
        f"{url}/actions/{member.json()['id']}", json={"kind": "task", "due_minutes": 45, "priority": "urgent"}
    )
    assert r.status_code == 200 and r.json()["kind"] == "task" and r.json()["priority"] == "urgent"
    # a task without a time limit is not a valid action
    r = c.patch(f"{url}/actions/{member.json()['id']}", json={"due_minutes": None})
    assert r.status_code == 422
    assert "任务须有时限" in r.json()["error"]["details"][0]["message"]
    part = c.get(f"{url}/response-part").json()
    assert [a["title"] for a in part["levels"][0]["actions"]] == ["组织会商研判", "通报交通管制"]
    assert c.delete(f"{url}/actions/{hq.json()['id']}").status_code == 200
    assert c.delete(f"{url}/levels/3").json()["levels"] == []


def test_bad_input_is_refused(city, api):
    plan = make_plan(city.db, city.county_a, levels=False)
    c = api("county")
    url = f"/api/v1/plans/{plan.id}"
    ok = {"trigger_text": "x"}
    assert c.put(f"{url}/levels/5", json=ok).status_code == 422
    assert c.put(f"{url}/levels/2", json=ok | {"conditions": {"grades": ["V"]}}).status_code == 422
    assert (
        c.put(
            f"{url}/levels/2", json=ok | {"conditions": {"figures": [{"measure": "cows", "min": 1}]}}
        ).status_code
        == 422
    )
    assert c.put(f"{url}/levels/2", json={"trigger_text": ""}).status_code == 422
    assert c.put(f"{url}/levels/2", json=ok).status_code == 200
    bad = [
        {"role": "member", "title": "无单位", "due_minutes": 10},
        {"role": "hq", "unit_id": plan.member_ids[0], "title": "总部带单位", "due_minutes": 10},
        {"role": "hq", "title": "无时限任务"},
        {"role": "hq", "title": "x", "due_minutes": 0},
    ]
    for body in bad:
        assert c.post(f"{url}/levels/2/actions", json=body).status_code == 422, body
    # a unit that is not a member unit of this plan
    with city.db.reading() as s:
        stranger = s.scalar(select(Plan.issuer_unit_id).limit(1))  # None: pick any unit not in the plan
    r = c.post(
        f"{url}/levels/2/actions",
        json={"role": "member", "unit_id": plan.hq_unit_id, "title": "x", "due_minutes": 5},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "unit_id"
    assert stranger is None
    # another county's plan: the town and the other county may not touch it
    assert api("town").put(f"{url}/levels/1", json=ok).status_code == 403
    assert api("town").get(f"{url}/response-part").status_code == 404
    assert api("viewer").put(f"{url}/levels/1", json=ok).status_code == 403


def test_used_actions_stay_and_repealed_plans_are_final(city, api):
    plan = make_plan(city.db, city.county_a)
    incident = new_incident(
        city.db, city.town_a, grade="IV", category="natural.geological", grading_kind="geological_damage"
    )
    c = api("county")
    assert (
        c.post(
            f"/api/v1/incidents/{incident}/response/activate",
            json={"level": 4, "plan_id": plan.id, "decided_by": "县长"},
        ).status_code
        == 201
    )
    with city.db.reading() as s:
        used = s.scalar(
            select(PlanAction.id).where(
                PlanAction.plan_id == plan.id, PlanAction.level == 4, PlanAction.seq == 1
            )
        )
    assert c.delete(f"/api/v1/plans/{plan.id}/actions/{used}").status_code == 409
    assert c.delete(f"/api/v1/plans/{plan.id}/levels/4").status_code == 409
    with city.db.writing(Actor.system("tests")) as s:
        s.get(Plan, plan.id).state = "repealed"
    assert c.put(f"/api/v1/plans/{plan.id}/levels/4", json={"trigger_text": "x"}).status_code == 409


def test_levels_from_the_grading_table(city, api):
    plan = make_plan(city.db, city.county_a, levels=False)
    c = api("county")
    r = c.post(f"/api/v1/plans/{plan.id}/response-part/from-rules", json={"kind": "production_safety"})
    assert r.status_code == 200, r.text
    levels = r.json()["levels"]
    assert [lv["level"] for lv in levels] == [1, 2, 3, 4]
    assert (
        "30 人以上" in levels[0]["trigger_text"]
        and "生产安全事故报告和调查处理条例" in levels[0]["trigger_text"]
    )
    with city.db.reading() as s:
        assert s.scalar(
            select(PlanLevel.conditions).where(PlanLevel.plan_id == plan.id, PlanLevel.level == 2)
        ) == {
            "grades": [],
            "rule": {"kind": "production_safety", "grade": "II"},
            "figures": [],
        }
