"""The demo of the test city: Tongren's numbers scaled to the built counties, every state of the
loop, the plan covering every key-class enterprise, villages' meetings, valid credit codes."""

from __future__ import annotations

from sqlalchemy import func, select

from yingji.org.models import Jurisdiction
from yingji.risk import creditcode, demo
from yingji.risk.danger_models import Danger
from yingji.risk.models import EnforcementPlan, Enterprise, Meeting, PlanItem

# 9, a kind digit, a Guizhou division, then the demo's organisation codes, which start with MA (a
# test's random code may hold "MA" elsewhere)
DEMO_CODES = "9_520___MA%"


def test_the_demo_is_tongren_scaled_to_the_built_counties(city):
    with city.db.reading() as session:
        towns = session.scalar(
            select(func.count()).where(Jurisdiction.level == "town", Jurisdiction.code.startswith("5206"))
        )
        share = towns / demo.TOWNS
        demo_enterprises = session.scalar(select(func.count()).where(Enterprise.credit_code.like(DEMO_CODES)))
        assert demo_enterprises == round(demo.ENTERPRISES * share)
        states = dict(session.execute(select(Danger.status, func.count()).group_by(Danger.status)).all())
        assert set(states) >= {
            "found",
            "registered",
            "graded",
            "rectifying",
            "reviewing",
            "accepted",
            "closed",
            "dismissed",
        }
        assert sum(states.values()) >= round(demo.DANGERS * share)
        codes = session.scalars(select(Enterprise.credit_code).limit(200)).all()
        assert all(creditcode.is_valid(c) for c in codes)
        assert session.scalar(select(func.count()).select_from(Meeting)) > 0


def test_the_demo_plans_cover_every_key_enterprise(city):
    with city.db.reading() as session:
        plans = session.scalars(select(EnforcementPlan)).all()
        assert {p.jurisdiction_code for p in plans} >= {city.county_a, city.county_b}
        for plan in plans:
            if plan.jurisdiction_code not in (city.county_a, city.county_b):
                continue
            key_units = set(
                session.scalars(
                    select(Enterprise.id).where(
                        Enterprise.jurisdiction_code.startswith(plan.jurisdiction_code),
                        Enterprise.enforcement_class == "A",
                        Enterprise.credit_code.like(DEMO_CODES),
                    )
                )
            )
            planned = set(session.scalars(select(PlanItem.enterprise_id).where(PlanItem.plan_id == plan.id)))
            assert key_units and key_units <= planned


def test_the_demo_is_deterministic(city, clock):
    from yingji.demo import builder

    clock.freeze(clock.now())
    data = builder.generate(builder.DemoOptions(counties=["520603"]))
    start = {name: 1 for name in demo.TABLES}
    one = demo.generate(data, 7, start)
    two = demo.generate(data, 7, start)
    for name in ("risk_enterprises", "risk_dangers", "risk_meetings"):
        a = [{k: v for k, v in r.items() if not k.endswith("_at")} for r in one.rows[name]]
        b = [{k: v for k, v in r.items() if not k.endswith("_at")} for r in two.rows[name]]
        assert a == b and a
