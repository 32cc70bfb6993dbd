"""The contact directory answers "who is responsible for X in place Y" in one search."""

from __future__ import annotations

from yingji.org.models import Jurisdiction


def _name(city, code):
    with city.db.reading() as session:
        return session.get(Jurisdiction, code).name


def test_topic_alone_gives_the_city_hq_for_it(api, city):
    answer = api("duty").get("/api/v1/directory", params={"q": "森林防火谁负责"}).json()
    assert [t["code"] for t in answer["topics"]] == ["forest_fire"]
    first = answer["contacts"][0]
    assert first["post"] == "指挥长" and "森林防灭火指挥部" in first["unit_name"]
    assert any("林业局" in u["name"] for u in answer["units"])


def test_place_and_topic_walk_up_from_the_grid(api, city):
    village, town = _name(city, city.village_a), _name(city, city.town_a)
    answer = api("duty").get("/api/v1/directory", params={"q": f"{town}{village} 防汛"}).json()
    assert answer["places"][0]["code"] == city.village_a
    reasons = [c["reason"] for c in answer["contacts"]]
    assert reasons[0].endswith("网格长")  # the village secretary leads the level-2 grid
    units = [c["unit_name"] for c in answer["contacts"] if c["unit_name"]]
    assert any(u.endswith("应急服务站") for u in units)
    assert any(u.endswith("防汛抗旱工作组") for u in units)
    assert any("防汛抗旱指挥部" in u for u in units)
    # nearest first: the village's people come before the town's, the town's before the county's
    codes = [c["place_code"] for c in answer["contacts"]]
    assert codes.index(city.village_a) < codes.index(city.town_a) < codes.index(city.county_a)


def test_group_name_finds_its_grid_workers(api, city):
    with city.db.reading() as session:
        group = session.get(Jurisdiction, city.group_a)
        village = session.get(Jurisdiction, group.parent_code)
    answer = api("duty").get("/api/v1/directory", params={"q": f"{village.name}{group.name}"}).json()
    assert answer["places"][0]["code"] == city.group_a
    assert answer["contacts"][0]["reason"].endswith("网格长")
    assert any(c["reason"].endswith("网格员") for c in answer["contacts"])


def test_person_name_search(api, city):
    person = api("duty").get("/api/v1/people", params={"within": city.village_a}).json()["items"][0]
    answer = api("duty").get("/api/v1/directory", params={"q": person["name"]}).json()
    assert person["id"] in [c["person_id"] for c in answer["contacts"]]


def test_directory_page_and_english(browser_client, city):
    duty = browser_client("duty")
    page = duty.get("/directory", params={"q": "地质灾害"})
    assert page.status_code == 200 and "地质灾害应急指挥部" in page.text
    duty.get("/lang/en?next=/directory", follow_redirects=False)
    duty.cookies.set("yingji_lang", "en")
    page = duty.get("/directory", params={"q": "地质灾害"})
    assert "Find the right person" in page.text and "Geological hazards" in page.text
