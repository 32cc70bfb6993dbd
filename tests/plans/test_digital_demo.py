"""The demo's response parts: plans without levels get four levels with actions of the HQ and the
member units; a plan that already has levels is left as it is."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.plans.digital_helpers import make_plan
from yingji.demo.builder import DemoData, DemoOptions
from yingji.plans import demo_response
from yingji.plans.models import PlanAction, PlanLevel


def test_demo_fills_plans_without_levels(city):
    bare = make_plan(city.db, city.county_a, levels=False, categories=("natural.geological",))
    road = make_plan(
        city.db, city.county_a, topic="road_traffic", levels=False, categories=("accident.road_traffic",)
    )
    done = make_plan(city.db, city.county_a)
    with city.db.reading() as s:
        before = s.scalar(select(func.count()).select_from(PlanAction).where(PlanAction.plan_id == done.id))
    demo_response.build(city.db, DemoData(top=city.city), DemoOptions(), None)
    with city.db.reading() as s:
        levels = s.scalars(
            select(PlanLevel).where(PlanLevel.plan_id == bare.id).order_by(PlanLevel.level)
        ).all()
        assert [lv.level for lv in levels] == [1, 2, 3, 4]
        assert levels[2].conditions["rule"] == {"kind": "geological_damage", "grade": "III"}
        assert "地质灾害防治条例" in levels[0].trigger_text
        road_levels = s.scalars(select(PlanLevel).where(PlanLevel.plan_id == road.id)).all()
        assert {lv.level: lv.conditions["grades"] for lv in road_levels} == {
            1: ["I"],
            2: ["II"],
            3: ["III"],
            4: ["IV"],
        }
        actions = s.scalars(select(PlanAction).where(PlanAction.plan_id == bare.id)).all()
        by_level = {n: [a for a in actions if a.level == n] for n in (1, 2, 3, 4)}
        members_at = {n: {a.unit_id for a in rows if a.role == "member"} for n, rows in by_level.items()}
        assert members_at[4] == {bare.member_ids[0]} and members_at[1] == set(bare.member_ids)
        assert all(a.due_minutes for a in actions if a.kind == "task")
        assert any(a.resources for a in actions)
        assert (
            s.scalar(select(func.count()).select_from(PlanAction).where(PlanAction.plan_id == done.id))
            == before
        )
