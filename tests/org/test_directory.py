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


def test_every_name_people_use_for_a_place():
    from yingji.org.names import aliases

    def spoken(name, level):
        return [a for a, _ in aliases(name, level)]

    assert spoken("北门社区居民委员会", "village")[1:] == ["北门社区", "北门"]
    assert spoken("茶园山村村民委员会", "village")[1:] == ["茶园山村", "茶园山"]
    assert "桐木坪乡" in spoken("桐木坪侗族乡", "town") and "桐木坪" in spoken("桐木坪侗族乡", "town")
    assert "六龙山乡" in spoken("六龙山侗族土家族乡", "town")
    assert {"环北街道办事处", "环北"} <= set(spoken("环北街道", "town"))
    assert {"玉屏县", "玉屏"} <= set(spoken("玉屏侗族自治县", "county"))


def test_the_name_index_is_built_once(city):
    from yingji.org import names

    with city.db.reading() as session:
        first = names.index(session)
        assert names.index(session) is first
        assert first.path_text(city.village_a).count(" · ") == 2  # county · town · village


def test_a_town_officer_sees_the_county_and_city_hqs_above(api, city):
    answer = api("town").get("/api/v1/directory", params={"q": "防汛"}).json()
    assert answer["places"][0]["code"] == city.town_a and answer["fell_back"]
    hqs = {c["place_code"]: c["unit_name"] for c in answer["contacts"] if c["post"] == "指挥长"}
    assert "防汛抗旱指挥部" in hqs[city.county_a] and "防汛抗旱指挥部" in hqs[city.city]


def test_numbers_are_masked_as_the_role_requires(api, city):
    village = _name(city, city.village_a)
    for user, masked in (("viewer", True), ("duty", False)):
        answer = api(user).get("/api/v1/directory", params={"q": f"{village} 值班 防汛"}).json()
        phones = [c["mobile"] for c in answer["contacts"] if c["mobile"]]
        phones += [d["duty_phone"] for d in answer["duty"] if d["duty_phone"]]
        assert phones and all(("*" in p) == masked for p in phones), user


def test_a_shared_name_is_a_choice_and_the_choice_answers(api, browser_client, city):
    with city.db.reading() as session:
        from sqlalchemy import func, select

        name = session.scalar(
            select(Jurisdiction.name)
            .where(Jurisdiction.level == "village")
            .group_by(Jurisdiction.name)
            .having(func.count() > 1)
            .order_by(Jurisdiction.name)
            .limit(1)
        )
    common = name.removesuffix("村民委员会").removesuffix("居民委员会")
    answer = api("duty").get("/api/v1/directory", params={"q": f"{common} 防汛"}).json()
    assert len(answer["choices"]) >= 2 and not answer["contacts"]
    chosen = answer["choices"][1]
    assert chosen["path"].count(" · ") == 2
    again = (
        api("duty").get("/api/v1/directory", params={"q": f"{common} 防汛", "place": chosen["code"]}).json()
    )
    assert again["places"][0]["code"] == chosen["code"] and again["contacts"]
    page = browser_client("duty").get("/directory", params={"q": f"{common} 防汛"})
    assert "哪一处" in page.text and f"place={chosen['code']}" in page.text


def test_a_place_not_recognised_is_said_so(api, browser_client, city):
    answer = api("duty").get("/api/v1/directory", params={"q": "火星村 防汛"}).json()
    assert answer["unknown"] == "火星村" and not answer["contacts"] and not answer["places"]
    page = browser_client("duty").get("/directory", params={"q": "火星村 防汛"})
    assert "没有认出" in page.text and "指挥长" not in page.text


def test_outside_the_town_officers_own_town(api, city):
    other = _name(city, city.town_b)
    answer = api("town").get("/api/v1/directory", params={"q": f"{other} 防汛"}).json()
    assert [p["code"] for p in answer["outside"]] == [city.town_b] and not answer["contacts"]


def test_duty_and_phones_on_the_page(browser_client, city):
    page = browser_client("town").get("/directory", params={"q": "谁在值班"})
    assert page.status_code == 200 and "当前值班" in page.text
    assert 'href="tel:' in page.text
    assert "Leader on duty" not in page.text


def test_a_grid_worker_names_their_own_group_without_its_suffix(api, city):
    with city.db.reading() as session:
        group = session.get(Jurisdiction, city.group_a)
    answer = api("gridworker").get("/api/v1/directory", params={"q": f"{group.name[:-1]} 网格员"}).json()
    assert answer["places"][0]["code"] == city.group_a
    assert answer["contacts"] and all(c["role"] == "grid_worker" for c in answer["contacts"])


def test_shared_answers_stay_per_jurisdiction_and_follow_a_new_post(api, city):
    """The same question from two towns is answered for each (answers are shared per scope), and
    a new post shows at once (the commit drops the shared answer)."""
    import uuid

    from sqlalchemy import select

    from tests.conftest import unique_mobile
    from yingji.core.db import Actor
    from yingji.org.models import Person, Position, Unit

    for _ in range(2):  # the second time from the cache
        a = api("town").get("/api/v1/directory", params={"q": "防汛"}).json()
        b = api("town_b").get("/api/v1/directory", params={"q": "防汛"}).json()
        assert a["places"][0]["code"] == city.town_a and b["places"][0]["code"] == city.town_b
        assert not any(c["place_code"] == city.town_b for c in a["contacts"])
    name = f"测组长{uuid.uuid4().hex[:4]}"
    with city.db.writing(Actor.system("tests")) as session:
        unit = session.scalar(
            select(Unit).where(
                Unit.jurisdiction_code == city.town_a,
                Unit.kind == "working_group",
                Unit.topic == "flood_drought",
            )
        )
        person = Person(name=name, mobile=unique_mobile(), title="组长", jurisdiction_code=city.town_a)
        session.add(person)
        session.flush()
        post = Position(
            person_id=person.id,
            unit_id=unit.id,
            title="组长",
            role="chief",
            sort=-1,
            jurisdiction_code=city.town_a,
        )
        session.add(post)
        session.flush()
        post_id = post.id
    try:
        again = api("town").get("/api/v1/directory", params={"q": "防汛"}).json()
        assert name in [c["name"] for c in again["contacts"]]
    finally:
        with city.db.writing(Actor.system("tests")) as session:
            session.delete(session.get(Position, post_id))
