"""The expert registry: register, read, change in scope and audited; pools above one's place are
visible, pools beside it are not; numbers masked without contact.phone; search by field and place;
availability as a move of its own; pages in Chinese."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.conftest import unique_mobile
from yingji.auth.models import AuditEntry
from yingji.experts.models import Expert


def expert_body(place: str, **extra) -> dict:
    return {
        "name": "测试专家",
        "title": "高级工程师",
        "title_grade": "associate",
        "unit_name": "测试县水务局",
        "jurisdiction_code": place,
        "mobile": unique_mobile(),
        "disciplines": ["flood_drought", "hydrology"],
        "categories": ["natural.flood_drought"],
        "specialty": "山洪沟治理",
    } | extra


def test_register_read_change_in_scope_and_audited(city, api):
    town = api("town")
    r = town.post("/api/v1/experts", json=expert_body(city.town_a))
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["availability"] == "available" and e["availability_label"] == "可召集"
    assert [f["label"] for f in e["disciplines"]] == ["防汛抗旱与水利", "水文"]
    assert e["categories"][0]["label"] == "水旱灾害" and e["title_grade_label"] == "副高级"
    assert e["code"].startswith(f"ZJ{city.town_a[:6]}-")

    assert api("county").get(f"/api/v1/experts/{e['id']}").status_code == 200
    assert api("town_b").get(f"/api/v1/experts/{e['id']}").status_code == 404
    assert api("town_b").patch(f"/api/v1/experts/{e['id']}", json={"title": "x"}).status_code == 404

    changed = town.patch(f"/api/v1/experts/{e['id']}", json={"disciplines": ["geology"], "position": "总工"})
    assert changed.status_code == 200, changed.text
    assert [f["code"] for f in changed.json()["disciplines"]] == ["geology"]
    assert changed.json()["categories"][0]["code"] == "natural.flood_drought"  # untouched

    with city.db.reading() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "experts", AuditEntry.entity_id == str(e["id"]))
            .order_by(AuditEntry.id)
        ).all()
        fields = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "expert_fields").order_by(AuditEntry.id)
        ).all()
    assert [a.action for a in rows] == ["create", "update"]
    assert rows[1].after["position"] == "总工"
    assert "create" in fields and "delete" in fields


def test_pools_above_are_seen_and_numbers_masked_without_contact_phone(city, api):
    county_expert = api("county").post("/api/v1/experts", json=expert_body(city.county_a)).json()
    mobile = county_expert["mobile"]
    seen = api("town").get(f"/api/v1/experts/{county_expert['id']}")
    assert seen.status_code == 200 and seen.json()["mobile"] == mobile  # a county pool serves its towns
    other = api("county").post("/api/v1/experts", json=expert_body(city.town_other_county))
    assert other.status_code == 403  # another county is outside the county officer's area
    viewer = api("viewer").get(f"/api/v1/experts/{county_expert['id']}").json()
    assert viewer["mobile"] == mobile[:3] + "****" + mobile[-4:]
    # a town officer may not write to the pool above
    refused = api("town").patch(f"/api/v1/experts/{county_expert['id']}", json={"title": "改"})
    assert refused.status_code == 403


def test_bad_input_is_a_clear_error_and_nothing_is_written(city, api):
    town = api("town")
    before = _count(city)
    r = town.post("/api/v1/experts", json=expert_body(city.town_a, disciplines=["astrology"]))
    assert r.status_code == 422
    r = town.post("/api/v1/experts", json=expert_body(city.town_a, mobile="12345"))
    assert r.status_code == 422
    r = town.post("/api/v1/experts", json=expert_body(city.town_a, disciplines=[]))
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "disciplines"
    code = f"T{uuid.uuid4().hex[:8]}"
    assert town.post("/api/v1/experts", json=expert_body(city.town_a, code=code)).status_code == 201
    dup = town.post("/api/v1/experts", json=expert_body(city.town_a, code=code))
    assert dup.status_code == 409 and "已" in dup.json()["error"]["message"]
    assert _count(city) == before + 1
    assert api("viewer").post("/api/v1/experts", json=expert_body(city.town_a)).status_code == 403


def _count(city) -> int:
    with city.db.reading() as session:
        return len(session.scalars(select(Expert.id)).all())


def test_availability_is_a_move_with_its_time_and_note(city, api):
    town = api("town")
    e = town.post("/api/v1/experts", json=expert_body(city.town_a)).json()
    r = town.post(
        f"/api/v1/experts/{e['id']}/availability", json={"availability": "busy", "note": "外出开会"}
    )
    assert r.status_code == 200 and r.json()["availability_label"] == "暂不便"
    assert r.json()["availability_note"] == "外出开会" and r.json()["availability_changed_at"]
    again = town.post(f"/api/v1/experts/{e['id']}/availability", json={"availability": "busy"})
    assert again.status_code == 409
    assert (
        town.post(f"/api/v1/experts/{e['id']}/availability", json={"availability": "gone"}).status_code == 422
    )


def test_search_by_field_and_place(city, api):
    town = api("town")
    tag = uuid.uuid4().hex[:6]
    geo = town.post(
        "/api/v1/experts",
        json=expert_body(city.town_a, name=f"地质{tag}", disciplines=["geology"], categories=["natural"]),
    ).json()
    fire = town.post(
        "/api/v1/experts",
        json=expert_body(city.town_a, name=f"消防{tag}", disciplines=["fire"], categories=["accident.fire"]),
    ).json()
    far = (
        api("county")
        .post(
            "/api/v1/experts",
            json=expert_body(
                city.county_a, name=f"县地质{tag}", disciplines=["geology"], categories=["natural"]
            ),
        )
        .json()
    )

    def names(**params):
        got = town.get("/api/v1/experts", params={"q": tag, **params})
        assert got.status_code == 200, got.text
        return [i["name"] for i in got.json()["items"]]

    assert set(names(discipline="geology")) == {geo["name"], far["name"]}
    # an expert of 自然灾害 as a whole fits a flood; a fire expert does not
    assert set(names(category="natural.flood_drought")) == {geo["name"], far["name"]}
    assert names(category="accident") == [fire["name"]]
    assert set(names(within=city.town_a)) == {geo["name"], fire["name"]}
    ordered = names(discipline="geology", near=city.town_a)
    assert ordered == [geo["name"], far["name"]]  # the town's own pool before the county's
    assert town.get("/api/v1/experts", params={"within": city.town_other_county}).status_code == 404
    assert town.get("/api/v1/experts", params={"discipline": "DROP TABLE"}).status_code == 422


def test_pages_in_chinese(city, browser_client, api):
    e = api("town").post("/api/v1/experts", json=expert_body(city.town_a, name="页面专家")).json()
    town = browser_client("town")
    listing = town.get("/experts", params={"q": "页面专家"})
    assert listing.status_code == 200 and "专家库" in listing.text and "页面专家" in listing.text
    assert "防汛抗旱与水利" in listing.text and "可召集" in listing.text
    detail = town.get(f"/experts/{e['id']}")
    assert detail.status_code == 200 and "参加会商" in detail.text
    assert town.get("/experts/new").status_code == 200
    bad = town.form("/experts/new", {"name": "", "jurisdiction_code": city.town_a, "disciplines": "fire"})
    assert bad.status_code == 422
    made = town.form(
        "/experts/new",
        {"name": "表单专家", "jurisdiction_code": city.town_a, "disciplines": ["fire", "medical"]},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:800]
    moved = town.form(
        f"/experts/{e['id']}/availability", {"availability": "unavailable"}, follow_redirects=False
    )
    assert moved.status_code == 303
    same = town.form(f"/experts/{e['id']}/availability", {"availability": "unavailable"})
    assert same.status_code == 409 and "已" in same.text
    assert town.get("/experts/import").status_code == 200
    assert browser_client("viewer").get("/experts/new").status_code == 403


def test_the_demo_has_expert_pools(city):
    with city.db.reading() as session:
        codes = session.scalars(
            select(Expert.jurisdiction_code).where(Expert.code.startswith("ZJ5206"))
        ).all()
    assert {"5206", city.county_a, city.county_b} <= set(codes)


def test_english_is_available(city, browser_client, api):
    from yingji.core.http import LANG_COOKIE

    e = api("town").post("/api/v1/experts", json=expert_body(city.town_a, name="English专家")).json()
    town = browser_client("town")
    town.cookies.set(LANG_COOKIE, "en")
    page = town.get(f"/experts/{e['id']}")
    assert (
        page.status_code == 200
        and "Consultations taken part in" in page.text
        and "Flood, drought" in page.text
    )
    assert "Expert registry" in town.get("/experts").text
    cov = town.get("/plans/coverage")
    assert (
        cov.status_code == 200 and "Plan coverage" in cov.text and "Plan of each town or street" in cov.text
    )
