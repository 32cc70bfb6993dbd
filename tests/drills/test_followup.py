"""After a drill: records (photos and documents recognised by their bytes), the evaluation report with
the six sections of 2013 第二十三条, problems as follow-up tasks and the revision trigger on the plan."""

from __future__ import annotations

import io

from docx import Document
from PIL import Image
from sqlalchemy import select

from tests.drills.conftest import drill_body, held_drill, make_plan
from yingji.plans.models import PlanTrigger

SECTIONS = {
    "execution": "按脚本完成",
    "plan_fitness": "总体合理",
    "command": "指挥顺畅",
    "responders": "处置规范",
    "equipment": "装备适用",
    "suggestions": "细化职责",
}


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def docx() -> bytes:
    doc = Document()
    doc.add_paragraph("演练方案")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_records_are_photos_or_documents(city, api):
    town = api("town")
    drill = held_drill(town, city.town_a)
    url = f"/api/v1/drills/{drill['id']}/records"
    r = town.post(url, files={"file": ("现场.png", png(), "image/png")}, params={"caption": "现场照片"})
    assert r.status_code == 201, r.text
    photo = r.json()
    assert photo["kind"] == "photo" and photo["caption"] == "现场照片"
    again = town.post(url, files={"file": ("again.png", png(), "image/png")})
    assert again.json()["id"] == photo["id"]
    r = town.post(url, files={"file": ("方案.docx", docx(), "application/octet-stream")})
    assert (
        r.status_code == 201
        and r.json()["kind"] == "document"
        and r.json()["content_type"].endswith("document")
    )
    for name, data in (
        ("notes.txt", "不是文档".encode()),
        ("fake.pdf", b"%PDF-1.4 no end"),
        ("x.docx", b"PK\x03\x04junk"),
    ):
        r = town.post(url, files={"file": (name, data, "application/pdf")})
        assert r.status_code == 422, (name, r.text)
        assert "只接受照片" in r.json()["error"]["details"][0]["message"]
    assert len(town.get(url).json()) == 2
    served = town.get(photo["url"])
    assert served.status_code == 200 and served.content == png()
    assert api("town_b").get(photo["url"]).status_code == 404
    assert api("town_b").post(url, files={"file": ("p.png", png(), "image/png")}).status_code == 404


def test_evaluation_report_and_its_final_form(city, api):
    town = api("town")
    planned = town.post("/api/v1/drills", json=drill_body(city.town_a)).json()
    assert town.put(f"/api/v1/drills/{planned['id']}/evaluation", json={"execution": "x"}).status_code == 409
    drill = held_drill(town, city.town_a)
    url = f"/api/v1/drills/{drill['id']}/evaluation"
    assert town.get(url).status_code == 404
    r = town.put(url, json={"execution": "草稿"})
    assert r.status_code == 200 and not r.json()["final"]
    r = town.put(url, json={"execution": "按脚本完成", "final": True, "evaluated_on": "2026-06-20"})
    assert r.status_code == 422
    missing = {d["field"] for d in r.json()["error"]["details"]}
    assert missing == set(SECTIONS) - {"execution"}
    r = town.put(url, json=SECTIONS | {"final": True, "evaluated_on": "2026-06-10"})
    assert r.status_code == 422  # before the drill
    r = town.put(url, json=SECTIONS | {"final": True, "evaluated_on": "2026-06-20", "evaluators": "评估组"})
    assert r.status_code == 200 and r.json()["final"]
    assert town.get(f"/api/v1/drills/{drill['id']}").json()["state"] == "evaluated"
    assert town.put(url, json=SECTIONS).status_code == 409
    assert api("county").get(url).json()["command"] == "指挥顺畅"


def test_problems_follow_up_and_the_plan_revision_trigger(city, api):
    town = api("town")
    plan = make_plan(city, city.county_a, "special", title="县防汛抗旱应急预案")
    other_plan = make_plan(city, city.town_a, "township")
    drill = held_drill(town, city.town_a, plan_ids=[plan])
    url = f"/api/v1/drills/{drill['id']}/problems"
    base = {"area": "plan", "description": "成员单位职责不清", "measure": "细化职责", "due_on": "2026-08-01"}
    assert town.post(url, json=base | {"revise": True}).status_code == 422  # which plan?
    assert town.post(url, json=base | {"plan_id": other_plan, "revise": True}).status_code == 422
    assert town.post(url, json=base | {"due_on": "2026-01-01"}).status_code == 422
    r = town.post(url, json=base | {"plan_id": plan, "revise": True})
    assert r.status_code == 201, r.text
    problem = r.json()
    assert problem["seq"] == 1 and problem["trigger_id"] and problem["area_label"] == "预案"
    with city.db.reading() as session:  # the plans' own trigger, the one their lifecycle handles
        trigger = session.get(PlanTrigger, problem["trigger_id"])
        assert trigger.plan_id == plan and trigger.reason == "drill_problems" and trigger.state == "open"
        assert trigger.source == "drill" and trigger.source_ref == f"drill-problem:{problem['id']}"
        assert trigger.jurisdiction_code == city.county_a and "成员单位职责不清" in trigger.detail
    listed = api("county").get(f"/api/v1/plans/{plan}").json()["triggers"]
    assert [t["id"] for t in listed] == [problem["trigger_id"]]
    assert api("town_b").get(f"/api/v1/plans/{plan}").status_code == 404
    second = town.post(url, json={"area": "support", "description": "对讲机电量不足"}).json()
    assert second["seq"] == 2 and second["trigger_id"] is None
    done = town.post(f"{url}/{second['id']}/done", json={"note": "已更换电池"})
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert town.post(f"{url}/{second['id']}/done", json={}).status_code == 409
    assert api("town_b").post(f"{url}/{problem['id']}/done", json={}).status_code == 404
    assert [p["state"] for p in town.get(url).json()] == ["open", "done"]


def test_the_drill_pages_and_forms(city, browser_client):
    page = browser_client("town")
    r = page.get("/drills/new")
    assert r.status_code == 200 and "新增演练" in r.text and "Plan a drill" not in r.text
    r = page.form(
        "/drills/new",
        {
            "jurisdiction_code": city.town_a,
            "title": "页面演练",
            "form": "live",
            "scope": "single",
            "purpose": "test",
            # a day of its own: a calendar cell shows four drills, and the shared city has others on the 1st
            "planned_on": "2026-09-23",
            "notice_time": "on",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    url = r.headers["location"]
    detail = page.get(url)
    assert "页面演练" in detail.text and "不预先通知" in detail.text and "计划中" in detail.text
    r = page.form(
        "/drills/new",
        {
            "jurisdiction_code": city.town_a,
            "title": "缺日期",
            "form": "live",
            "scope": "single",
            "purpose": "test",
        },
    )
    assert r.status_code == 422 and "请填写演练计划日期或年度" in r.text
    r = page.form(f"{url}/state", {"state": "ended", "at": "2026-09-23T09:00"}, follow_redirects=False)
    assert r.status_code == 303
    r = page.form(
        f"{url}/participants", {"kind": "other", "name": "志愿者", "headcount": "12"}, follow_redirects=False
    )
    assert r.status_code == 303 and "志愿者" in page.get(url).text
    r = page.form(f"{url}/state", {"state": "running"})
    assert r.status_code == 422 and "已实施" in r.text
    for path in (
        "/drills",
        "/drills/calendar?year=2026&month=9",
        "/drills/programme",
        "/drills/compliance",
        "/drills/report?year=2026",
        f"{url}/evaluation",
        "/rules/tables/drill_frequency",
    ):
        r = page.get(path)
        assert r.status_code == 200, path
    assert "页面演练" in page.get("/drills/calendar?year=2026&month=9").text
    assert browser_client("town_b").get(url).status_code == 404


def test_the_plans_owners_dismiss_a_revision_trigger_saying_why(city, api):
    town = api("town")
    plan = make_plan(city, city.county_a, "special", title="县地质灾害应急预案")
    drill = held_drill(town, city.town_a, plan_ids=[plan])
    body = {"area": "plan", "description": "避险路线未标注", "plan_id": plan, "revise": True}
    trigger_id = town.post(f"/api/v1/drills/{drill['id']}/problems", json=body).json()["trigger_id"]
    url = f"/api/v1/plans/{plan}/triggers/dismiss"
    assert town.post(url, json={"trigger_id": trigger_id, "note": "不需修订"}).status_code in (403, 404)
    assert api("town_b").post(url, json={"trigger_id": trigger_id, "note": "不需修订"}).status_code == 404
    assert api("county").post(url, json={"trigger_id": trigger_id}).status_code == 422  # why?
    r = api("county").post(url, json={"trigger_id": trigger_id, "note": "路线已在附图中标注"})
    assert r.status_code == 200, r.text
    assert [t["state"] for t in r.json()["triggers"] if t["id"] == trigger_id] == ["dismissed"]
    assert api("county").post(url, json={"trigger_id": trigger_id, "note": "再次"}).status_code == 409
    with city.db.reading() as session:
        assert session.get(PlanTrigger, trigger_id).handled_note == "路线已在附图中标注"


def test_the_evaluation_starts_from_the_measured_reaction_times():
    from types import SimpleNamespace as M

    from yingji.drills import figures

    measured = [
        M(
            metric="receive",
            subject="市值班室",
            seconds=120,
            limit_seconds=300,
            outcome="met",
            inject_title="山洪",
            basis=None,
        ),
        M(
            metric="first_report",
            subject="县应急局",
            seconds=5400,
            limit_seconds=3600,
            outcome="late",
            inject_title="山洪",
            basis="493号令",
        ),
        M(
            metric="task_ack",
            subject="县水务局",
            seconds=None,
            limit_seconds=1800,
            outcome="overdue",
            inject_title=None,
            basis=None,
        ),
    ]
    text = figures.responders_text(measured)
    assert text.startswith("平台共测评3项处置动作：按时1项，超时1项，逾期未完成1项")
    assert "首报上报1项，最快90分钟、最慢90分钟，其中县应急局超时（90/60分钟）" in text
    assert "任务签收1项，其中县水务局逾期未完成（—/30分钟）" in text
    assert figures.responders_text([]) == ""
    rows = figures.rows(measured)
    assert [r["minutes"] for r in rows] == ["2.0", "90", "—"]


def test_reminders_reach_the_planners_once_and_triggers_reach_the_plans_owners(city, api):
    from datetime import date

    from yingji.auth.models import User
    from yingji.core.db import Actor
    from yingji.drills import reminders
    from yingji.notify.models import InboxMessage

    town = api("town_b")
    soon = town.post("/api/v1/drills", json=drill_body(city.town_b, planned_on="2021-05-03")).json()
    drill = held_drill(town, city.town_b, at="2021-04-01T02:00:00Z")
    problem = town.post(
        f"/api/v1/drills/{drill['id']}/problems",
        json={"area": "support", "description": "发电机无法启动", "due_on": "2021-04-20"},
    ).json()
    with city.db.writing(Actor.system("tests")) as session:
        counts = reminders.run(session, date(2021, 4, 28), 7)
        reminders.run(session, date(2021, 4, 28), 7)  # a second run tells nobody twice
    assert counts["upcoming"] >= 1 and counts["overdue"] >= 1
    with city.db.reading() as session:
        uid = session.scalar(select(User.id).where(User.username == "town_b"))
        links = session.scalars(select(InboxMessage.link).where(InboxMessage.user_id == uid)).all()
        subjects = session.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == uid)).all()
    assert links.count(f"/drills/{soon['id']}") == 1
    assert links.count(f"/drills/{problem['drill_id']}#problems") == 1
    assert any("逾期" in s and "发电机无法启动" in s for s in subjects)

    plan = make_plan(city, city.county_a, "special", title="县通信保障应急预案")
    held = held_drill(api("town"), city.town_a, plan_ids=[plan])
    body = {"area": "plan", "description": "通信保障组职责缺失", "plan_id": plan, "revise": True}
    api("town").post(f"/api/v1/drills/{held['id']}/problems", json=body)
    with city.db.reading() as session:
        county = session.scalar(select(User.id).where(User.username == "county"))
        told = session.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == county)).all()
    assert any("县通信保障应急预案" in s for s in told)
