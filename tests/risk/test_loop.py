"""The hidden-danger loop 排查 → 登记 → 分级 → 整改 → 复查验收 → 销号: no step can be skipped, a 重大
danger needs its full plan and is written off by its supervisor, field submissions are idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.risk.conftest import PLAN, danger, deadline, enterprise, key, step, to_rectifying
from yingji.risk import loop
from yingji.risk.danger_models import DangerEvent


def test_a_general_danger_goes_round_the_whole_loop(city, api):
    worker, town = api("gridworker"), api("town")
    d = danger(worker)
    assert d["status"] == "found" and d["jurisdiction_code"] == city.group_a and d["source"] == "grid"
    rect = to_rectifying(town, d["id"])
    assert (
        rect["status"] == "rectifying" and rect["deadline"] == deadline(10) and rect["supervised_by"] is None
    )
    done = step(worker, d["id"], "report_done", note="已清理", client_key=key())
    assert done.status_code == 200 and done.json()["status"] == "reviewing"
    assert step(town, d["id"], "accept", note="复查合格").json()["status"] == "accepted"
    closed = step(town, d["id"], "close").json()
    assert closed["status"] == "closed" and closed["closed_at"] and closed["accepted_at"]
    actions = [e["action"] for e in town.get(f"/api/v1/risk/dangers/{d['id']}").json()["events"]]
    assert actions == ["report", "register", "grade", "rectify", "report_done", "accept", "close"]


def test_no_step_can_be_skipped(city, api):
    town = api("town")
    d = danger(api("gridworker"))
    for action in ("grade", "rectify", "report_done", "accept", "close"):
        r = step(town, d["id"], action, note="x")
        assert r.status_code == 409 and r.json()["error"]["code"] == "step_not_allowed", action
    assert step(town, d["id"], "register").status_code == 200
    for action in ("register", "rectify", "accept", "close"):
        assert step(town, d["id"], action, note="x").status_code == 409, action
    assert step(town, d["id"], "fly").status_code == 404
    assert town.get(f"/api/v1/risk/dangers/{d['id']}").json()["status"] == "registered"
    # the table itself: every step leads forward or back one step, and nothing leaves closed
    assert loop.next_steps("closed") == [] and loop.next_steps("dismissed") == []
    assert {s.action for s in loop.next_steps("found")} == {"register", "dismiss"}


def test_each_step_asks_for_what_it_needs(city, api):
    town = api("town")
    d = danger(api("gridworker"))
    assert step(town, d["id"], "dismiss").status_code == 422  # a reason is needed
    step(town, d["id"], "register")
    assert step(town, d["id"], "grade").status_code == 422  # the checklist is needed
    assert step(town, d["id"], "grade", checklist={"spooky": True}).status_code == 422
    step(town, d["id"], "grade", checklist={})
    partial = step(town, d["id"], "rectify", responsible_party="某公司", deadline=deadline())
    assert partial.status_code == 422
    fields = {e["field"] for e in partial.json()["error"]["details"]}
    assert fields == {"measures", "funds_cny"}
    past = step(
        town,
        d["id"],
        "rectify",
        responsible_party="某公司",
        measures="清理",
        funds_cny=0,
        deadline=deadline(-1),
    )
    assert past.status_code == 422
    assert town.get(f"/api/v1/risk/dangers/{d['id']}").json()["status"] == "graded"


def test_a_major_danger_needs_its_plan_and_its_supervisor(city, api):
    town, county = api("town"), api("county")
    e = enterprise(town, city.village_a)
    d = danger(town, enterprise_id=e["id"], title="粉尘爆炸危险场所未设泄爆装置", category="dust")
    step(town, d["id"], "register")
    assert step(town, d["id"], "grade", checklist={"needs_stop": True}).json()["grade"] == "major"
    no_plan = step(
        town,
        d["id"],
        "rectify",
        responsible_party="企业",
        measures="改造",
        funds_cny=300000,
        deadline=deadline(40),
    )
    assert no_plan.status_code == 422 and no_plan.json()["error"]["details"][0]["field"] == "plan"
    half = PLAN | {"time_limit": deadline(40), "emergency_plan": ""}
    assert (
        step(
            town, d["id"], "rectify", responsible_party="企业", measures="改造", funds_cny=1, plan=half
        ).status_code
        == 422
    )
    ok = step(
        town,
        d["id"],
        "rectify",
        responsible_party="企业",
        measures="改造",
        funds_cny=300000,
        plan=PLAN | {"time_limit": deadline(40)},
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["deadline"] == deadline(40) and body["supervised_by"] == city.county_a
    assert body["plan"]["emergency_plan"] == PLAN["emergency_plan"]
    assert step(api("gridleader"), d["id"], "supervise").status_code == 403  # nor grid leaders
    assert step(town, d["id"], "supervise").status_code == 403  # nor does the town itself
    listed = step(county, d["id"], "supervise", note="挂牌督办")
    assert listed.status_code == 200 and listed.json()["listed"] is True
    step(town, d["id"], "report_done", note="改造完成")
    step(town, d["id"], "accept")
    assert step(town, d["id"], "close").status_code == 403  # the supervising county writes it off
    assert step(county, d["id"], "close").json()["status"] == "closed"


def test_rejected_rectification_goes_back_with_a_new_deadline(city, api):
    town = api("town")
    d = danger(api("gridworker"))
    to_rectifying(town, d["id"])
    step(town, d["id"], "report_done", note="做了")
    assert step(town, d["id"], "reject").status_code == 422
    back = step(town, d["id"], "reject", note="还有杂物", deadline=deadline(20)).json()
    assert back["status"] == "rectifying" and back["deadline"] == deadline(20)
    assert step(town, d["id"], "extend", note="等材料", deadline=deadline(15)).status_code == 422  # earlier
    assert step(town, d["id"], "extend", note="等材料", deadline=deadline(30)).json()["deadline"] == deadline(
        30
    )


def test_field_submissions_are_idempotent(city, api):
    worker = api("gridworker")
    client_key = key()
    first = danger(worker, client_key=client_key)
    again = danger(worker, client_key=client_key, title="另一个标题")
    assert again["id"] == first["id"] and again["title"] == first["title"]
    to_rectifying(api("town"), first["id"])
    done_key = key()
    one = step(worker, first["id"], "report_done", note="好了", client_key=done_key)
    two = step(worker, first["id"], "report_done", note="好了", client_key=done_key)
    assert one.status_code == two.status_code == 200 and two.json()["status"] == "reviewing"
    with city.db.reading() as session:
        count = session.scalar(
            select(func.count()).where(
                DangerEvent.danger_id == first["id"], DangerEvent.action == "report_done"
            )
        )
    assert count == 1


def test_scope_of_dangers(city, api):
    d = danger(api("gridworker"))
    assert api("town_b").get(f"/api/v1/risk/dangers/{d['id']}").status_code == 404
    assert step(api("town_b"), d["id"], "register").status_code == 404
    assert step(api("viewer"), d["id"], "register").status_code == 403
    assert (
        api("gridworker")
        .post("/api/v1/risk/dangers", json={"title": "别处", "jurisdiction_code": city.town_b})
        .status_code
        == 404
    )
    listed = api("town_b").get("/api/v1/risk/dangers", params={"size": 200}).json()["items"]
    assert all(x["jurisdiction_code"].startswith(city.town_b) for x in listed)
    assert "reporter_phone" not in api("gridworker").get(f"/api/v1/risk/dangers/{d['id']}").json()


def test_photos_before_and_after(city, api):
    from tests.risk.conftest import image_bytes

    worker, town = api("gridworker"), api("town")
    d = danger(worker)
    url = f"/api/v1/risk/dangers/{d['id']}/photos"
    png = image_bytes()
    assert worker.post(f"{url}/before", files={"file": ("a.png", png, "image/png")}).status_code == 201
    assert (
        worker.post(f"{url}/after", files={"file": ("b.png", png, "image/png")}).status_code == 422
    )  # not yet
    fake = worker.post(f"{url}/before", files={"file": ("x.jpg", b"GIF89a not an image", "image/jpeg")})
    assert fake.status_code == 422
    to_rectifying(town, d["id"])
    after = worker.post(
        f"{url}/after", files={"file": ("c.jpg", image_bytes("JPEG", colour=(0, 200, 0)), "image/jpeg")}
    )
    assert after.status_code == 201
    photos = town.get(f"/api/v1/risk/dangers/{d['id']}").json()["photos"]
    assert [p["stage"] for p in photos] == ["before", "after"]
    assert api("town_b").post(f"{url}/before", files={"file": ("a.png", png, "image/png")}).status_code == 404
