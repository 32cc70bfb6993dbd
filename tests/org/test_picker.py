"""The people picker (issue 15 item 7): search-as-you-type over the people in the user's scope only,
as JSON and as the htmx fragment, and the fields it fills read back the same way with or without JS."""

from __future__ import annotations

import uuid

from tests.conftest import unique_mobile
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.org import picker
from yingji.org.models import Person


def _person(city, code: str, name: str) -> tuple[int, str]:
    mobile = unique_mobile()
    with city.db.writing(Actor.system("tests")) as session:
        p = Person(name=name, mobile=mobile, title="选人测试员", jurisdiction_code=code)
        session.add(p)
        session.flush()
        return p.id, mobile


def test_a_town_officer_never_gets_another_towns_people(api, browser_client, city):
    name = f"拣{uuid.uuid4().hex[:6]}"
    pid, mobile = _person(city, city.town_b, name)

    def ids(username: str, q: str) -> list[int]:
        r = api(username).get("/api/v1/pick/people", params={"q": q})
        assert r.status_code == 200, r.text
        return [o["id"] for o in r.json()]

    assert ids("town_b", name) == [pid] and ids("duty", name) == [pid] and ids("county", name) == [pid]
    assert ids("town", name) == [] and ids("town", mobile[:9]) == []  # by name or number: nobody
    assert ids("town", "") == []
    out = api("town_b").get("/api/v1/pick/people", params={"q": name}).json()[0]
    assert out["name"] == name and out["place"] and name in out["label"]

    town = browser_client("town")
    assert name not in town.get("/pick/people", params={"q": name}).text
    other = browser_client("town_b").get("/pick/people", params={"q": name}).text
    assert f'data-pick-id="{pid}"' in other and name in other
    # Narrowing to a place outside one's scope is a 404, not a wider list.
    assert (
        api("town").get("/api/v1/pick/people", params={"q": name, "within": city.town_b}).status_code == 404
    )


def test_picker_fields_take_an_id_a_mobile_or_a_unique_name(browser_client, city):
    name = f"拣{uuid.uuid4().hex[:6]}"
    pid, mobile = _person(city, city.town_b, name)
    form = {
        "starts_at": "2031-05-01T08:00",
        "ends_at": "2031-05-02T18:00",
        "destination": "省城",
        "client_key": uuid.uuid4().hex,
    }
    town = browser_client("town")
    page = town.get("/duty/leave")
    assert "data-picker" in page.text and 'hx-get="/pick/people"' in page.text
    # Another town's person, however named, is refused to a town officer.
    for value, says in (
        (str(pid), "本辖区没有此人"),
        (mobile, "没有使用此手机号的人员"),
        (name, "本辖区没有此人"),
        (f"{name} #{pid}", "本辖区没有此人"),
    ):
        r = town.form("/duty/leave", {**form, "person": value, "client_key": uuid.uuid4().hex})
        assert r.status_code == 422 and says in r.text, (value, r.status_code)
    # The picker's fields are read the same way where the person is in scope.
    system = Principal.system(what="tests")
    with city.db.reading() as session:
        for value in (str(pid), mobile, name, f"{name} #{pid}", f"{name}（选人测试员）"):
            assert picker.resolve(session, system, value, "person") == pid
        assert picker.resolve(session, system, " ", "person") is None
