"""Plan coverage: each rule of rules/plan_coverage.json counts the right subjects (towns, counties,
special HQs, government departments, high-risk enterprises), only plans in force cover them, the
rate per area and rule, the gaps with the unit responsible, the event categories, scope, the page,
the map layer and the Excel list of gaps."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from yingji.core.db import Actor
from yingji.org.models import Jurisdiction, Unit, UnitMembership
from yingji.plans import coverage
from yingji.plans.codes import IN_FORCE
from yingji.plans.models import Plan
from yingji.risk.models import Enterprise

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module", autouse=True)
def _no_demo_plans_in_the_two_counties(city):
    """These tests count from a registry with gaps they choose; the shared demo city already has
    plans. Take the demo's plans of the two counties out of force for this module, then put them back
    exactly as they were."""
    places = (Plan.jurisdiction_code.startswith(city.county_a)) | (
        Plan.jurisdiction_code.startswith(city.county_b)
    )
    with city.db.writing(Actor.system("tests")) as session:
        before = session.execute(select(Plan.id, Plan.state).where(places, Plan.state.in_(IN_FORCE))).all()
        session.execute(update(Plan).where(Plan.id.in_([i for i, _ in before])).values(state="drafting"))
    yield
    with city.db.writing(Actor.system("tests")) as session:
        for plan_id, state in before:
            session.execute(update(Plan).where(Plan.id == plan_id).values(state=state))


def add_plan(db, place: str, kind: str, state: str = "published", **extra) -> int:
    with db.writing(Actor.system("tests")) as session:
        plan = Plan(
            code=f"T-{uuid.uuid4().hex[:10]}",
            title=extra.pop("title", "测试预案"),
            kind=kind,
            jurisdiction_code=place,
            issuer="测试发布机关",
            state=state,
            issued_on=date(2025, 3, 1) if state not in ("drafting", "review", "approval") else None,
            event_categories=extra.pop("event_categories", []),
            **extra,
        )
        session.add(plan)
        session.flush()
        return plan.id


def cell(result, area: str, rule: str) -> tuple[int, int]:
    a = next((x for x in result.areas if x.code == area), None)
    c = a.cells.get(rule) if a else None
    return (c.total, c.covered) if c else (0, 0)


def test_each_rule_counts_its_subjects(city):
    with city.db.reading() as session:
        result = coverage.compute(session, city.county_a)
        towns = session.scalar(
            select(func.count()).where(
                Jurisdiction.level == "town", Jurisdiction.code.startswith(city.county_a)
            )
        )
        hqs = session.scalar(
            select(func.count()).where(Unit.kind == "special_hq", Unit.jurisdiction_code == city.county_a)
        )
        members = session.scalars(
            select(Unit.name).where(Unit.kind == "member_unit", Unit.jurisdiction_code == city.county_a)
        ).all()
        risky = session.scalar(
            select(func.count()).where(
                Enterprise.jurisdiction_code.startswith(city.county_a),
                Enterprise.status == "active",
                (Enterprise.industry.in_(["coal_mine", "non_coal_mine", "metallurgy", "construction"]))
                | Enterprise.industry.in_(["hazchem_production", "hazchem_trade", "fireworks"])
                | Enterprise.industry.in_(["hospitality", "entertainment", "tourism"])
                | Enterprise.hazardous_chemicals
                | Enterprise.major_hazard,
            )
        )
    excluded = coverage.rules()["requirements"][4]["exclude_name_suffixes"]
    departments = [m for m in members if not any(m.endswith(s) for s in excluded)]
    assert cell(result, city.county_a, "government_overall")[0] == 1
    assert cell(result, city.county_a, "township")[0] == towns > 1
    assert cell(result, city.county_a, "special_hq")[0] == hqs >= 17  # other tests may add HQs
    assert (
        cell(result, city.county_a, "department")[0] == len(departments) == len(members) - 4
    )  # 供电局, 武装部, 消防, 通信办
    assert cell(result, city.county_a, "enterprise")[0] == risky > 0
    assert "village" not in {r.key for r in result.rules}  # optional: only when asked
    assert {a.code for a in result.areas} == {city.county_a}
    assert result.goal == 0.97


def test_only_plans_in_force_cover_and_the_right_subject(city):
    db = city.db
    with db.reading() as session:
        before = coverage.compute(session, city.county_b)
        hq, lead = session.execute(
            select(Unit.id, UnitMembership.member_id)
            .join(UnitMembership, UnitMembership.hq_id == Unit.id)
            .where(
                Unit.kind == "special_hq",
                Unit.jurisdiction_code == city.county_b,
                UnitMembership.role == "lead",
            )
            .order_by(Unit.id)
            .limit(1)
        ).one()
        police = session.scalar(
            select(Unit.id).where(
                Unit.kind == "member_unit",
                Unit.jurisdiction_code == city.county_b,
                Unit.name.endswith("公安局"),
            )
        )
        power = session.scalar(
            select(Unit.id).where(
                Unit.kind == "member_unit",
                Unit.jurisdiction_code == city.county_b,
                Unit.name.endswith("供电局"),
            )
        )
        enterprise = session.scalar(
            select(Enterprise.id)
            .where(
                Enterprise.jurisdiction_code.startswith(city.county_b),
                Enterprise.status == "active",
                Enterprise.industry == "coal_mine",
            )
            .limit(1)
        ) or session.scalar(
            select(Enterprise.id)
            .where(
                Enterprise.jurisdiction_code.startswith(city.county_b),
                Enterprise.status == "active",
                Enterprise.hazardous_chemicals,
            )
            .limit(1)
        )
        town = session.scalar(
            select(Jurisdiction.code)
            .where(Jurisdiction.level == "town", Jurisdiction.code.startswith(city.county_b))
            .order_by(Jurisdiction.code)
        )
    add_plan(db, city.county_b, "overall", state="drafting")  # not in force
    add_plan(db, city.county_b, "overall", state="repealed")  # not any more
    add_plan(db, city.county_b, "special", state="filed", hq_unit_id=hq, lead_unit_id=lead)
    add_plan(db, city.county_b, "department", state="issued", issuer_unit_id=police)
    add_plan(db, city.county_b, "department", state="issued", issuer_unit_id=power)  # not a department
    add_plan(db, town, "township", state="revising")  # the old version stays in force
    if enterprise:
        add_plan(db, city.county_b, "enterprise_comprehensive", enterprise_id=enterprise)
    with db.reading() as session:
        after = coverage.compute(session, city.county_b)
    c = city.county_b
    assert cell(after, c, "government_overall") == cell(before, c, "government_overall")
    for rule in ("special_hq", "department", "township") + (("enterprise",) if enterprise else ()):
        assert cell(after, c, rule)[1] == cell(before, c, rule)[1] + 1, rule
        assert cell(after, c, rule)[0] == cell(before, c, rule)[0], rule
    gap_places = {(g.rule, g.subject_id) for g in after.gaps}
    assert ("township", town) not in gap_places and ("special_hq", str(hq)) not in gap_places
    assert after.gaps_total == before.gaps_total - (4 if enterprise else 3)

    add_plan(db, c, "overall", state="published")
    with db.reading() as session:
        last = coverage.compute(session, c)
    total, covered = cell(last, c, "government_overall")
    assert (total, covered) == (1, 1) and last.areas[0].cells["government_overall"].rate == 1.0


def test_gaps_name_the_unit_responsible(city):
    with city.db.reading() as session:
        result = coverage.compute(session, city.county_a)
        committee = session.scalar(
            select(Unit.name).where(Unit.kind == "emergency_committee", Unit.jurisdiction_code == city.town_b)
        )
        leads = dict(
            session.execute(
                select(UnitMembership.hq_id, Unit.name)
                .join(Unit, UnitMembership.member_id == Unit.id)
                .where(UnitMembership.role == "lead")
            ).all()
        )
        # an HQ of the demo, with its lead unit (other tests may add HQs without one)
        hq_gap = next(g for g in result.gaps if g.rule == "special_hq" and int(g.subject_id) in leads)
        lead = leads[int(hq_gap.subject_id)]
    town_gap = next(g for g in result.gaps if g.rule == "township" and g.subject_id == city.town_b)
    assert town_gap.responsible == committee and town_gap.area_code == city.county_a
    assert hq_gap.responsible == lead
    overall = next(g for g in result.gaps if g.rule == "government_overall")
    assert overall.responsible.endswith("应急管理局")


def test_villages_count_when_asked_and_categories_are_read(city):
    add_plan(
        db := city.db,
        city.county_a,
        "special",
        event_categories=["natural.flood_drought", "natural.geological"],
    )
    add_plan(db, city.village_a, "village")
    with db.reading() as session:
        result = coverage.compute(session, city.county_a, optional={"village"})
        villages = session.scalar(
            select(func.count()).where(
                Jurisdiction.level == "village", Jurisdiction.code.startswith(city.county_a)
            )
        )
    total, covered = cell(result, city.county_a, "village")
    assert total == villages and covered >= 1
    row = next(r for r in result.categories if r["code"] == city.county_a)
    assert row["counts"]["natural"] >= 1 and set(row["counts"]) == {"natural", "accident", "health", "social"}


def test_api_scope_page_map_and_excel(city, api, browser_client):
    town = api("town")
    r = town.get("/api/v1/plans/coverage")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scope_code"] == city.town_a
    assert body["totals"]["township"]["total"] == 1  # a town sees its own town only
    assert {x["key"] for x in body["rules"]} >= {"township", "enterprise"}
    assert town.get("/api/v1/plans/coverage", params={"within": city.town_other_county}).status_code == 404
    county = api("county").get("/api/v1/plans/coverage", params={"villages": "true"}).json()
    assert "village" in county["totals"] and county["goal"] == 0.97
    assert all(g["area_code"] == city.county_a for g in county["gaps"])
    label = next(x for x in county["rules"] if x["key"] == "township")["label"]
    assert label == "乡镇（街道）应急预案"

    geo = api("commander").get("/api/v1/plans/coverage/map", params={"zoom": 8})
    assert geo.status_code == 200 and geo.headers["content-type"].startswith("application/geo+json")
    feats = geo.json()["features"]
    codes = {f["properties"]["code"] for f in feats}
    assert {city.county_a, city.county_b} <= codes
    assert all(len(c) == 6 and c.startswith("5206") for c in codes)
    assert all(0 <= f["properties"]["rate"] <= 1 for f in feats)

    x = api("county").get("/api/v1/plans/coverage/gaps.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    assert [c.value for c in ws[1]][:3] == ["所属县(市、区)", "应有预案", "单位(地区)名称"]
    assert (
        ws.max_row - 1
        == county["gaps_total"]
        - county["totals"]["village"]["total"]
        + county["totals"]["village"]["covered"]
    )

    page = browser_client("county").get("/plans/coverage")
    assert page.status_code == 200
    assert "预案覆盖" in page.text and "97" in page.text and "缺口" in page.text and "责任单位" in page.text
    assert "plans-map.js" in page.text
