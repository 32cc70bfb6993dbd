"""The lifecycle of a plan through the API: steps in order only, comments before approval, the
signatory of the kind, filing to the body of RULES2 §9.3 which accepts or returns it, clocks met,
evaluation, revision to a new version, repeal — in scope, audited, nothing half-written."""

from __future__ import annotations

from sqlalchemy import select

from tests.plans.conftest import ok, plan_body, to_approval
from yingji.auth.models import AuditEntry
from yingji.plans.models import PlanClock, PlanVersion


def test_from_drafting_to_filed_and_published(city, api):
    town, county = api("town"), api("county")
    plan = ok(town.post("/api/v1/plans", json=plan_body(city.town_a)), 201)
    assert (
        plan["state"] == "drafting"
        and plan["state_label"] == "编制"
        and plan["kind_label"] == "乡镇(街道)应急预案"
    )
    pid = plan["id"]

    # out of order: nothing changes
    issue = {"doc_number": "测府发〔2026〕1号", "issued_on": "2026-03-02", "signatory": "李四"}
    r = town.post(f"/api/v1/plans/{pid}/issue", json=issue | {"signatory_role": "township_party_government"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    ok(town.post(f"/api/v1/plans/{pid}/submit", json={}))
    r = town.post(f"/api/v1/plans/{pid}/approval", json={})
    assert r.status_code == 409  # no comment recorded yet
    plan = to_approval(town, pid)
    assert plan["state"] == "approval" and len(plan["reviews"]) == 1

    # the wrong signatory: a town plan is issued in the name of the town's Party committee and government
    r = town.post(f"/api/v1/plans/{pid}/issue", json=issue | {"signatory_role": "principal"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "signatory_role"
    assert ok(town.get(f"/api/v1/plans/{pid}"))["state"] == "approval"
    plan = ok(
        town.post(f"/api/v1/plans/{pid}/issue", json=issue | {"signatory_role": "township_party_government"})
    )
    assert plan["state"] == "issued" and plan["in_force"] and plan["doc_number"] == "测府发〔2026〕1号"
    clocks = {c["kind"]: c for c in plan["clocks"]}
    # 20 working days after Monday 2 March 2026, the issue day not counted
    assert clocks["filing"]["due_on"] == "2026-03-30" and clocks["publish"]["due_on"] == "2026-03-30"
    assert clocks["evaluation"]["due_on"] == "2029-03-02"
    assert plan["filing_route"]["to_jurisdiction_code"] == city.county_a

    # filing to a body that does not receive a town's plan
    bad = town.post(
        f"/api/v1/plans/{pid}/filings", json={"to_jurisdiction_code": city.town_a, "to_body": "government"}
    )
    assert bad.status_code == 422
    bad = town.post(
        f"/api/v1/plans/{pid}/filings", json={"to_jurisdiction_code": city.county_a, "to_body": "township"}
    )
    assert bad.status_code == 422
    sent = {"to_jurisdiction_code": city.county_a, "to_body": "government", "submitted_on": "2026-03-20"}
    plan = ok(town.post(f"/api/v1/plans/{pid}/filings", json=sent))
    filing = plan["filings"][0]
    assert filing["state"] == "submitted" and filing["to_name"].endswith("人民政府")
    assert town.post(f"/api/v1/plans/{pid}/filings", json=sent).status_code == 409  # one at a time

    # only the receiving body decides; a return lists what is missing
    assert (
        town.post(f"/api/v1/plans/filings/{filing['id']}/decision", json={"accept": True}).status_code == 403
    )
    assert (
        api("town_b")
        .post(f"/api/v1/plans/filings/{filing['id']}/decision", json={"accept": True})
        .status_code
        == 404
    )
    incoming = ok(county.get("/api/v1/plans/filings", params={"size": 200}))
    assert filing["id"] in [f["id"] for f in incoming["items"]]
    r = county.post(f"/api/v1/plans/filings/{filing['id']}/decision", json={"accept": False})
    assert r.status_code == 422
    returned = ok(
        county.post(
            f"/api/v1/plans/filings/{filing['id']}/decision", json={"accept": False, "reason": "缺编制说明"}
        )
    )
    assert returned["state"] == "returned" and returned["state_label"] == "已退回"
    assert ok(town.get(f"/api/v1/plans/{pid}"))["state"] == "issued"
    plan = ok(town.post(f"/api/v1/plans/{pid}/filings", json=sent | {"submitted_on": "2026-03-25"}))
    again = plan["filings"][0]
    accepted = ok(
        county.post(
            f"/api/v1/plans/filings/{again['id']}/decision", json={"accept": True, "decided_on": "2026-03-27"}
        )
    )
    assert accepted["state"] == "accepted"
    plan = ok(town.get(f"/api/v1/plans/{pid}"))
    assert plan["state"] == "filed" and plan["filed_on"] == "2026-03-27"
    filing_clock = next(c for c in plan["clocks"] if c["kind"] == "filing")
    assert (
        filing_clock["state"] == "met" and filing_clock["met_on"] == "2026-03-25" and not filing_clock["late"]
    )

    plan = ok(
        town.post(f"/api/v1/plans/{pid}/publish", json={"published_on": "2026-04-10", "how": "镇政府公开栏"})
    )
    publish_clock = next(c for c in plan["clocks"] if c["kind"] == "publish")
    assert plan["state"] == "published" and publish_clock["state"] == "met" and publish_clock["late"]
    actions = [e["action"] for e in plan["events"]]
    assert actions[0] == "publish" and actions[-1] == "create" and "filing_returned" in actions

    with city.db.reading() as session:
        rows = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "plans", AuditEntry.entity_id == str(pid))
        ).all()
    assert rows.count("create") == 1 and rows.count("update") >= 5


def test_scope_and_permissions(city, api):
    town = api("town")
    plan = ok(town.post("/api/v1/plans", json=plan_body(city.town_a)), 201)
    assert api("town_b").get(f"/api/v1/plans/{plan['id']}").status_code == 404
    assert api("town_b").post(f"/api/v1/plans/{plan['id']}/submit", json={}).status_code == 404
    assert api("county").get(f"/api/v1/plans/{plan['id']}").status_code == 200
    assert api("viewer").post(f"/api/v1/plans/{plan['id']}/submit", json={}).status_code == 403
    assert town.post("/api/v1/plans", json=plan_body(city.town_b)).status_code == 403
    assert api("viewer").post("/api/v1/plans", json=plan_body(city.town_a)).status_code == 403
    dup = plan_body(city.town_a, code=plan["code"])
    assert town.post("/api/v1/plans", json=dup).status_code == 409
    assert town.post("/api/v1/plans", json=plan_body(city.town_a, kind="nonsense")).status_code == 422
    assert (
        town.post("/api/v1/plans", json=plan_body(city.town_a, event_categories=["x.y"])).status_code == 422
    )
    listed = ok(api("town_b").get("/api/v1/plans", params={"q": plan["code"]}))
    assert listed["total"] == 0
    assert ok(town.get("/api/v1/plans", params={"q": plan["code"]}))["total"] == 1


def test_evaluation_revision_and_repeal(city, api):
    from tests.plans.conftest import issued

    town, county = api("town"), api("county")
    plan = issued(town, city.town_a, issued_on="2026-01-05")
    pid = plan["id"]
    # an evaluation needs the plan filed first
    assert town.post(f"/api/v1/plans/{pid}/evaluation", json={}).status_code == 409
    town.post(
        f"/api/v1/plans/{pid}/filings", json={"to_jurisdiction_code": city.county_a, "to_body": "government"}
    )
    fid = ok(town.get(f"/api/v1/plans/{pid}"))["filings"][0]["id"]
    ok(county.post(f"/api/v1/plans/filings/{fid}/decision", json={"accept": True}))
    ok(town.post(f"/api/v1/plans/{pid}/evaluation", json={"comment": "三年评估"}))
    bad = {"outcome": "revise", "evaluated_on": "2026-06-01", "findings": "机构调整", "reason": "bogus"}
    assert town.post(f"/api/v1/plans/{pid}/evaluated", json=bad).status_code == 422
    assert ok(town.get(f"/api/v1/plans/{pid}"))["state"] == "evaluating"  # nothing half-written
    plan = ok(town.post(f"/api/v1/plans/{pid}/evaluated", json=bad | {"reason": "org_changed"}))
    assert plan["state"] == "revising" and plan["in_force"] and plan["version_no"] == 1
    assert plan["versions"][0]["version_no"] == 2 and plan["versions"][0]["reason_label"].startswith(
        "应急指挥机构"
    )
    # a major revision cannot skip consultation and approval
    issue = {
        "doc_number": "测府发〔2026〕9号",
        "issued_on": "2026-07-01",
        "signatory": "王五",
        "signatory_role": "township_party_government",
    }
    assert town.post(f"/api/v1/plans/{pid}/issue", json=issue).status_code == 409
    ok(
        town.post(
            f"/api/v1/plans/{pid}/triggers",
            json={
                "reason": "drill_problems",
                "detail": "演练发现转移路线不通",
                "source": "drill",
                "source_ref": "drill:1",
            },
        )
    )
    to_approval(town, pid)
    plan = ok(town.post(f"/api/v1/plans/{pid}/issue", json=issue))
    assert plan["version_no"] == 2 and plan["state"] == "issued" and plan["filed_on"] is None
    assert [t["state"] for t in plan["triggers"]] == ["handled"]
    with city.db.reading() as session:
        versions = dict(
            session.execute(
                select(PlanVersion.version_no, PlanVersion.status).where(PlanVersion.plan_id == pid)
            ).all()
        )
        clocks = session.execute(
            select(PlanClock.version_no, PlanClock.kind, PlanClock.state).where(PlanClock.plan_id == pid)
        ).all()
    assert versions == {1: "superseded", 2: "in_force"}
    assert {(v, s) for v, k, s in clocks if k == "filing"} == {(1, "met"), (2, "open")}
    plan = ok(town.post(f"/api/v1/plans/{pid}/repeal", json={"reason": "与上位预案合并"}))
    assert plan["state"] == "repealed" and not plan["in_force"]
    assert town.post(f"/api/v1/plans/{pid}/submit", json={}).status_code == 409
    assert all(c["state"] in ("met", "cancelled") for c in plan["clocks"])


def test_a_village_plan_is_filed_with_its_town(city, api):
    from tests.plans.conftest import issued

    gl = api("town")
    plan = issued(gl, city.village_a, kind="village", title="测试村应急预案")
    assert plan["filing_route"]["to_jurisdiction_code"] == city.town_a
    assert [b["code"] for b in plan["filing_route"]["bodies"]] == ["township"]
    r = gl.post(
        f"/api/v1/plans/{plan['id']}/filings",
        json={"to_jurisdiction_code": city.county_a, "to_body": "government"},
    )
    assert r.status_code == 422
    ok(
        gl.post(
            f"/api/v1/plans/{plan['id']}/filings",
            json={"to_jurisdiction_code": city.town_a, "to_body": "township"},
        )
    )
