"""Threat lists (households from the registry, totals on the hazard point), the households under a
warning's area (vulnerable first) and the village groups' routes, with scope."""

from __future__ import annotations

import json

from sqlalchemy import select

from yingji.monitoring.models import HazardPoint
from yingji.residents.models import Resident
from yingji.warnings.models import Warning


def _point_in(city, prefix):
    with city.db.reading() as session:
        return session.scalar(
            select(HazardPoint.id)
            .where(HazardPoint.jurisdiction_code.startswith(prefix), HazardPoint.kind == "geological")
            .order_by(HazardPoint.id)
        ) or session.scalar(
            select(HazardPoint.id)
            .where(HazardPoint.jurisdiction_code.startswith(prefix))
            .order_by(HazardPoint.id)
        )


def test_threat_list_replaced_and_totals(city, api):
    point_id = _point_in(city, city.town_a)
    with city.db.reading() as session:
        members = session.execute(
            select(Resident.jurisdiction_code, Resident.household).where(
                Resident.jurisdiction_code == city.group_a, Resident.active
            )
        ).all()
    households = sorted({(c, h) for c, h in members})[:2]
    body = {"households": [{"jurisdiction_code": c, "household": h, "note": "坡下"} for c, h in households]}
    r = api("town").put(f"/api/v1/hazard-points/{point_id}/threats", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["households"] == len(households)
    assert out["people"] == sum(1 for m in members if (m[0], m[1]) in set(households))
    with city.db.reading() as session:
        point = session.get(HazardPoint, point_id)
        assert (point.threatened_households, point.threatened_people) == (out["households"], out["people"])
    r = api("town").put(f"/api/v1/hazard-points/{point_id}/threats", json={"places": [city.group_a]})
    assert r.json()["households"] == len({(c, h) for c, h in members})
    assert api("town").get(f"/api/v1/hazard-points/{point_id}/threats").json()["items"][0]["head_name"]
    bad = {"households": [{"jurisdiction_code": city.group_a, "household": "no-such-household"}]}
    assert api("town").put(f"/api/v1/hazard-points/{point_id}/threats", json=bad).status_code == 422
    assert api("town_b").put(f"/api/v1/hazard-points/{point_id}/threats", json=body).status_code in (403, 404)


def test_warning_threatened_vulnerable_first(city, api):
    with city.db.reading() as session:
        warning_id = session.scalar(
            select(Warning.id).where(
                Warning.template_key == "geohazard_weather_risk", Warning.status == "published"
            )
        )
    out = api("county").get(f"/api/v1/warnings/{warning_id}/threatened", params={"limit": 50}).json()
    assert out["households"] > 0 and out["people"] >= out["households"]
    flags = [x["vulnerable"] for x in out["items"]]
    assert flags == sorted(flags, reverse=True)


def test_routes_crud_and_scope(city, api):
    path = json.dumps({"type": "LineString", "coordinates": [[109.1, 27.7], [109.2, 27.71]]})
    body = {"jurisdiction_code": city.group_a, "hazard_kind": "flash_flood", "path": path, "minutes": 25}
    r = api("town").post("/api/v1/evacuation/routes", json=body)
    assert r.status_code == 201, r.text
    route = r.json()
    assert route["place"] and route["minutes"] == 25
    assert api("town").post("/api/v1/evacuation/routes", json=body).status_code == 409
    r = api("town").patch(f"/api/v1/evacuation/routes/{route['id']}", json={"assembly_point": "村委会广场"})
    assert r.json()["assembly_point"] == "村委会广场"
    bad = api("town").patch(f"/api/v1/evacuation/routes/{route['id']}", json={"path": '{"type": "Point"}'})
    assert bad.status_code == 422
    assert (
        api("town_b").patch(f"/api/v1/evacuation/routes/{route['id']}", json={"minutes": 3}).status_code
        == 404
    )
    other = {**body, "jurisdiction_code": city.town_b}
    assert api("town").post("/api/v1/evacuation/routes", json=other).status_code == 403
    listed = api("town").get("/api/v1/evacuation/routes", params={"within": city.village_a}).json()
    assert route["id"] in [x["id"] for x in listed]
    assert api("town").delete(f"/api/v1/evacuation/routes/{route['id']}").status_code == 204
