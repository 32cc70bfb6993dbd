"""Consultations take experts from the registry (and free text for outsiders): the form proposes
the experts whose field fits the incident, nearest first; the participant names the registry
expert; the expert's history lists the consultation; an expert one cannot see is refused whole."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import unique_mobile
from tests.response.conftest import new_incident
from yingji.core import clock
from yingji.response.models import Consultation


def _expert(client, place, name, **extra):
    body = {
        "name": name,
        "jurisdiction_code": place,
        "mobile": unique_mobile(),
        "disciplines": ["geology"],
        "categories": ["natural.geological"],
    } | extra
    r = client.post("/api/v1/experts", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_consultation_takes_experts_from_the_registry(city, api, browser_client):
    town = api("town")
    iid = new_incident(city.db, city.town_a, category="natural.geological", grading_kind="geological")
    geo = _expert(town, city.town_a, "会商地质专家")
    _expert(
        town, city.town_a, "会商交通专家", disciplines=["transport"], categories=["accident.road_traffic"]
    )

    proposed = town.get(f"/api/v1/incidents/{iid}/experts").json()["items"]
    assert geo["id"] in [e["id"] for e in proposed]
    assert all(any(c["code"].startswith("natural") for c in e["categories"]) for e in proposed)

    r = town.post(
        f"/api/v1/incidents/{iid}/consultations",
        json={
            "held_at": clock.now().isoformat(),
            "topic": "滑坡险情会商",
            "expert_ids": [geo["id"]],
            "experts": ["省地质专家 李某"],
        },
    )
    assert r.status_code == 201, r.text
    people = r.json()["participants"]
    assert {"kind": "expert", "expert_id": geo["id"], "name": "会商地质专家"}.items() <= people[0].items()
    assert people[1]["expert_id"] is None and people[1]["name"] == "省地质专家 李某"

    detail = town.get(f"/api/v1/experts/{geo['id']}").json()
    assert detail["consultations"] == 1 and detail["history"][0]["topic"] == "滑坡险情会商"
    assert detail["history"][0]["incident_id"] == iid

    page = browser_client("town")
    panel = page.get(f"/incidents/{iid}/response")
    assert panel.status_code == 200 and "专家库" in panel.text and "★ 会商地质专家" in panel.text
    assert f'href="/experts/{geo["id"]}"' in panel.text  # the participant links to the expert
    r = page.form(
        f"/response/incidents/{iid}/consultations",
        {
            "held_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "topic": "第二次会商",
            "expert_ids": [str(geo["id"])],
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "alert-red" not in r.text and "第二次会商" in r.text
    assert town.get(f"/api/v1/experts/{geo['id']}").json()["consultations"] == 2


def test_an_expert_one_cannot_see_is_refused_and_nothing_is_written(city, api):
    other = _expert(api("admin"), city.town_other_county, "邻县专家")
    iid = new_incident(city.db, city.town_a)
    with city.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(Consultation))
    r = api("town").post(
        f"/api/v1/incidents/{iid}/consultations",
        json={"held_at": clock.now().isoformat(), "topic": "会商", "expert_ids": [other["id"]]},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "expert_ids"
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Consultation)) == before


def test_a_retired_expert_leaves_the_search_and_cannot_be_invited(city, api):
    town = api("town")
    e = _expert(town, city.town_a, "退库专家")
    assert town.patch(f"/api/v1/experts/{e['id']}", json={"active": False}).status_code == 200
    assert not town.get("/api/v1/experts", params={"q": "退库专家"}).json()["items"]
    assert town.get(f"/api/v1/experts/{e['id']}").json()["active"] is False  # still readable
    iid = new_incident(city.db, city.town_a)
    r = town.post(
        f"/api/v1/incidents/{iid}/consultations",
        json={"held_at": clock.now().isoformat(), "topic": "会商", "expert_ids": [e["id"]]},
    )
    assert r.status_code == 422
