"""The dual-prevention API's answers are what their ``Out`` models say (issue 16): every key the body
has is named by the model (``extra="forbid"``), in the body's order, with its type. The routes send
their bodies as before and the models only describe them, so this is what keeps the two together."""

from __future__ import annotations

from pydantic import BaseModel

from tests.risk.conftest import enterprise, image_bytes, key, to_rectifying
from yingji.risk import schemas as s
from yingji.risk.dangers import today


def conforms(model: type[BaseModel], body) -> None:
    """``body`` validates against ``model`` and lists its keys in the model's order."""
    model.model_validate(body)
    names = [f.alias or name for name, f in model.model_fields.items()]
    assert [k for k in names if k in body] == list(body), (model.__name__, list(body))


def conforms_each(model: type[BaseModel], items: list) -> None:
    assert items, model.__name__  # an empty list would prove nothing
    for item in items:
        conforms(model, item)


def test_the_register_answers_as_described(city, api):
    county, town = api("county"), api("town")
    made = enterprise(town, city.village_a, principal_phone="13812345678", employees=30)
    conforms(s.EnterpriseOut, made)
    page = county.get("/api/v1/risk/enterprises", params={"size": 5}).json()
    conforms(s.EnterprisePage, page)
    conforms_each(s.EnterpriseOut, page["items"])
    patched = town.patch(f"/api/v1/risk/enterprises/{made['id']}", json={"note": "复核"}).json()
    conforms(s.EnterpriseOut, patched)

    point = town.post(
        "/api/v1/risk/points", json={"enterprise_id": made["id"], "name": "储罐区", "hazards": "泄漏"}
    ).json()
    conforms(s.RiskPointOut, point)
    assessed = town.post(
        f"/api/v1/risk/points/{point['id']}/assessments", json={"method": "LEC", "l": 3, "e": 6, "c": 7}
    )
    assert assessed.status_code == 201, assessed.text
    conforms(s.AssessmentOut, assessed.json())
    one = town.get(f"/api/v1/risk/points/{point['id']}").json()
    conforms(s.RiskPointDetailOut, one)
    conforms_each(s.AssessmentOut, one["assessments"])
    points = county.get("/api/v1/risk/points", params={"size": 5}).json()
    conforms(s.RiskPointPage, points)
    conforms_each(s.RiskPointOut, points["items"])
    detail = town.get(f"/api/v1/risk/enterprises/{made['id']}").json()
    conforms(s.EnterpriseDetailOut, detail)
    conforms_each(s.RiskPointOut, detail["risk_points"])
    scored = town.get("/api/v1/risk/score", params={"method": "LS", "l": 2, "s": 5}).json()
    conforms(s.ScoreOut, scored)


def test_plans_and_inspections_answer_as_described(city, api):
    county, town = api("county"), api("town")
    year = today().year + 4  # a year of its own
    made = county.post("/api/v1/risk/plans", json={"jurisdiction_code": city.county_a, "year": year})
    assert made.status_code == 201, made.text
    conforms(s.PlanGeneratedOut, made.json())
    conforms(s.CoverageOut, made.json()["coverage"])
    conforms_each(s.ClassCoverageOut, made.json()["coverage"]["classes"])
    conforms_each(s.PlanSummaryOut, county.get("/api/v1/risk/plans").json())
    plan = county.get(f"/api/v1/risk/plans/{made.json()['id']}").json()
    conforms(s.PlanOut, plan)
    conforms(s.PlanItemPage, plan["items"])
    conforms_each(s.PlanItemOut, plan["items"]["items"])

    firm = enterprise(town, city.village_a)
    visit = town.post(
        "/api/v1/risk/inspections",
        json={
            "enterprise_id": firm["id"],
            "inspectors": "张三、李四",
            "orders": ["rectify"],
            "dangers": [{"title": "灭火器过期", "category": "fire"}],
            "client_key": key(),
        },
    )
    assert visit.status_code == 201, visit.text
    conforms(s.InspectionDetailOut, visit.json())
    conforms(s.InspectionDetailOut, town.get(f"/api/v1/risk/inspections/{visit.json()['id']}").json())
    listed = town.get("/api/v1/risk/inspections").json()
    conforms(s.InspectionPage, listed)
    conforms_each(s.InspectionOut, listed["items"])


def test_the_loop_answers_as_described(city, api):
    town, county = api("town"), api("county")
    reported = town.post(
        "/api/v1/risk/dangers",
        json={"title": "配电箱无防护", "category": "electrical", "jurisdiction_code": city.village_a}
        | {"client_key": key(), "reporter_name": "赵六"},
    )
    assert reported.status_code == 201, reported.text
    conforms(s.DangerDetailOut, reported.json())
    d = reported.json()["id"]
    to_rectifying(town, d, major=True)  # with the 重大 plan
    photo = town.post(
        f"/api/v1/risk/dangers/{d}/photos/before", files={"file": ("a.png", image_bytes(), "image/png")}
    )
    assert photo.status_code == 201, photo.text
    conforms(s.DangerPhotoOut, photo.json())
    one = town.get(f"/api/v1/risk/dangers/{d}").json()
    conforms(s.DangerDetailOut, one)
    conforms(s.DangerPlanOut, one["plan"])
    conforms_each(s.DangerPhotoRef, one["photos"])
    conforms_each(s.DangerEventOut, one["events"])
    ledger = county.get("/api/v1/risk/dangers", params={"size": 5}).json()
    conforms(s.DangerPage, ledger)
    conforms_each(s.DangerOut, ledger["items"])


def test_meetings_clearing_and_settings_answer_as_described(city, api):
    leader, county = api("gridleader"), api("county")
    month = f"{today().year - 4}-{today().month:02d}"
    body = {"jurisdiction_code": city.village_a, "month": month, "held_on": f"{month}-05", "host": "村支书"}
    made = leader.post("/api/v1/risk/meetings", json=body | {"minutes": "研判本月风险", "client_key": key()})
    assert made.status_code == 201, made.text
    conforms(s.MeetingOut, made.json())
    conforms(s.MeetingOut, leader.post(f"/api/v1/risk/meetings/{made.json()['id']}/report").json())
    listed = leader.get("/api/v1/risk/meetings", params={"month": month}).json()
    conforms(s.MeetingPage, listed)
    conforms_each(s.MeetingOut, listed["items"])
    conforms(s.MeetingCoverageOut, listed["coverage"])

    clearing = county.get("/api/v1/risk/clearing").json()
    conforms(s.ClearingOut, clearing)
    conforms_each(s.ClearingRowOut, clearing["rows"])
    conforms_each(s.ClearingTownOut, clearing["towns"])

    conforms(s.SettingsOut, county.get(f"/api/v1/risk/settings/{city.village_a}").json())
    try:
        put = county.put(f"/api/v1/risk/settings/{city.county_a}", json={"remind_days": 5})
        assert put.status_code == 200, put.text
        conforms(s.SettingsOut, put.json())
    finally:
        county.put(f"/api/v1/risk/settings/{city.county_a}", json={"remind_days": None})
