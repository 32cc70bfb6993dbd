"""The one map's layers: server-side clusters (scoped, summing to the total), ETag / 304 and
Cache-Control, boundaries simplified by zoom band, the time filter of incidents and alarms, and
the warnings layer scoped by area."""

from __future__ import annotations

import gzip
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.monitoring.conftest import feed, make_point, make_rule, make_sensor
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock as clock_module
from yingji.core.db import Actor
from yingji.geo import simplify
from yingji.incidents.models import Incident
from yingji.monitoring.models import HazardPoint
from yingji.org.models import Jurisdiction
from yingji.risk.models import Enterprise, RiskPoint

WHOLE = "100,20,120,35"  # a box around the whole test city


def _scope(code: str) -> Principal:
    return Principal(None, "t", "t", "admin", code)


def _count(db, model, code: str, *where) -> int:
    scope_col = model.code if model is Jurisdiction else model.jurisdiction_code
    with db.reading() as session:
        return session.scalar(
            select(func.count()).select_from(model).where(in_scope(scope_col, _scope(code)), *where)
        )


def _hazards(db, code):
    return _count(db, HazardPoint, code, HazardPoint.status == "active", HazardPoint.lon.is_not(None))


def _risk(db, code):
    ent = _count(db, Enterprise, code, Enterprise.status != "closed", Enterprise.lon.is_not(None))
    pts = _count(
        db, RiskPoint, code, RiskPoint.enterprise_id.is_(None), RiskPoint.active, RiskPoint.lon.is_not(None)
    )
    return ent + pts


def _risk_box(db, code):
    """(min lon, min lat, max lon, max lat) of the risk layer's points in scope of code."""
    boxes = []
    with db.reading() as session:
        for model, where in (
            (Enterprise, (Enterprise.status != "closed",)),
            (RiskPoint, (RiskPoint.enterprise_id.is_(None), RiskPoint.active)),
        ):
            boxes.append(
                session.execute(
                    select(
                        func.min(model.lon), func.min(model.lat), func.max(model.lon), func.max(model.lat)
                    ).where(in_scope(model.jurisdiction_code, _scope(code)), model.lon.is_not(None), *where)
                ).one()
            )
    boxes = [b for b in boxes if b[0] is not None]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@pytest.mark.parametrize("layer", ["hazards", "risk", "villages"])
def test_clusters_sum_to_the_scoped_total(city, api, layer):
    expected = {
        "hazards": lambda code: _hazards(city.db, code),
        "risk": lambda code: _risk(city.db, code),
        "villages": lambda code: _count(
            city.db, Jurisdiction, code, Jurisdiction.level == "village", Jurisdiction.lon.is_not(None)
        ),
    }[layer]
    r = api("duty").get(f"/api/v1/map/clusters/{layer}", params={"zoom": 8, "bbox": WHOLE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == expected(city.city) > 0
    if not body["raw"]:
        assert sum(c[2] for c in body["clusters"]) == body["total"]
        # a cluster is a count, never thousands of raw features
        assert len(body["clusters"]) < body["total"]


def test_a_town_officers_clusters_hold_only_their_towns_points(city, api):
    whole_city = api("duty").get("/api/v1/map/clusters/risk", params={"zoom": 9, "bbox": WHOLE}).json()
    mine = api("town").get("/api/v1/map/clusters/risk", params={"zoom": 9, "bbox": WHOLE}).json()
    assert mine["total"] == _risk(city.db, city.town_a) < whole_city["total"]
    other = api("town_b").get("/api/v1/map/clusters/risk", params={"zoom": 9, "bbox": WHOLE}).json()
    assert other["total"] == _risk(city.db, city.town_b)
    # the clusters hold the town's points only: every cluster centre inside the box of the town's
    # own points (not the town's outline: other tests may place a point of the town anywhere)
    box = _risk_box(city.db, city.town_a)
    if not mine["raw"]:
        assert sum(c[2] for c in mine["clusters"]) == mine["total"]
        for lon, lat, _n, _hot in mine["clusters"]:
            assert box[0] - 1e-4 <= lon <= box[2] + 1e-4 and box[1] - 1e-4 <= lat <= box[3] + 1e-4


def test_close_in_or_few_points_are_drawn_raw(city, api):
    close = api("duty").get("/api/v1/map/clusters/hazards", params={"zoom": 15, "bbox": WHOLE}).json()
    assert close["raw"] is True and close["clusters"] == []
    assert api("duty").get("/api/v1/map/clusters/planets", params={"zoom": 8}).status_code == 422
    assert api("duty").get("/api/v1/map/clusters/risk", params={"zoom": 99}).status_code == 422
    assert api("duty").get("/api/v1/map/clusters/risk", params={"zoom": 8, "bbox": "1,2"}).status_code == 422


def test_major_risks_are_counted_in_their_clusters(city, api):
    body = api("duty").get("/api/v1/map/clusters/risk", params={"zoom": 6, "bbox": WHOLE}).json()
    major = _count(
        city.db,
        Enterprise,
        city.city,
        Enterprise.status != "closed",
        Enterprise.lon.is_not(None),
        Enterprise.risk_rank >= 4,
    ) + _count(
        city.db,
        RiskPoint,
        city.city,
        RiskPoint.enterprise_id.is_(None),
        RiskPoint.active,
        RiskPoint.lon.is_not(None),
        RiskPoint.risk_rank >= 4,
    )
    clusters = body["clusters"] or [[0, 0, body["total"], major]]
    assert sum(c[3] for c in clusters) == major


def test_boundaries_carry_an_etag_and_answer_304(api):
    c = api("duty")
    first = c.get("/api/v1/map/features", params={"level": "county", "zoom": 0})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert "max-age=3600" in first.headers["cache-control"] and "private" in first.headers["cache-control"]
    again = c.get(
        "/api/v1/map/features", params={"level": "county", "zoom": 0}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    # another zoom band is another body, another tag
    finer = c.get(
        "/api/v1/map/features", params={"level": "county", "zoom": 13}, headers={"If-None-Match": etag}
    )
    assert finer.status_code == 200 and finer.headers["etag"] != etag


def _wire(client, params: dict, **headers: str):
    """A map layer's response and its body as sent (not decoded)."""
    with client.stream("GET", "/api/v1/map/features", params=params, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def test_a_layer_is_shared_compressed_once_and_dropped_when_a_division_changes(city, api):
    c = api("duty")
    params = {"level": "town", "bbox": WHOLE, "zoom": 9}
    plain, body = _wire(c, params, **{"Accept-Encoding": "identity"})
    packed, wire = _wire(c, params, **{"Accept-Encoding": "gzip"})
    assert plain.headers.get("content-encoding") is None and packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(wire) == body and len(wire) < len(body) / 3
    assert "Accept-Encoding" in packed.headers["vary"]
    # each encoding has its own tag; either one names the same content
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for tag in (plain.headers["etag"], packed.headers["etag"]):
        again = c.get("/api/v1/map/features", params=params, headers={"If-None-Match": tag})
        assert again.status_code == 304
    # a renamed town is in the next answer (the shared copy is dropped at the commit)
    with city.db.writing(Actor.system("tests")) as session:
        town = session.get(Jurisdiction, city.town_a)
        old, town.name = town.name, town.name + "（改）"
    try:
        names = {
            f["properties"]["name"] for f in c.get("/api/v1/map/features", params=params).json()["features"]
        }
        assert old + "（改）" in names and old not in names
    finally:
        with city.db.writing(Actor.system("tests")) as session:
            session.get(Jurisdiction, city.town_a).name = old


def test_live_layers_revalidate_and_change_their_etag(city, api, clock):
    c = api("duty")
    first = c.get("/api/v1/map/incidents", params={"bbox": WHOLE})
    cc = first.headers["cache-control"]
    assert "must-revalidate" in cc and "max-age=15" in cc
    assert (
        c.get(
            "/api/v1/map/incidents", params={"bbox": WHOLE}, headers={"If-None-Match": first.headers["etag"]}
        ).status_code
        == 304
    )
    # a new reading in alarm changes the alarm layer: the old tag no longer matches
    alarms = c.get("/api/v1/map/alarms", params={"bbox": WHOLE})
    at = clock_module.now().replace(second=0, microsecond=0)
    clock.freeze(at)
    point = make_point(city.db, city.group_a)
    code = make_sensor(city.db, point, "gas_lel")
    make_rule(city.db, point, "gas_lel", "value", 40.0, 30.0, level="red")
    feed(city.db, [(code, at - timedelta(minutes=1), 45.0)])
    after = c.get(
        "/api/v1/map/alarms", params={"bbox": WHOLE}, headers={"If-None-Match": alarms.headers["etag"]}
    )
    assert after.status_code == 200
    found = {f["properties"]["id"]: f["properties"] for f in after.json()["features"]}
    assert found[point]["level"] == "red" and found[point]["url"] == f"/monitoring/points/{point}"
    # time filter: raised in the last hour includes it; a window before it does not
    since = (at - timedelta(hours=1)).isoformat()
    recent = c.get("/api/v1/map/alarms", params={"bbox": WHOLE, "since": since}).json()["features"]
    assert point in {f["properties"]["id"] for f in recent}
    old = c.get(
        "/api/v1/map/alarms",
        params={"bbox": WHOLE, "since": (at - timedelta(days=30)).isoformat(), "until": since},
    ).json()["features"]
    assert point not in {f["properties"]["id"] for f in old}
    # another town's officer never sees it
    assert point not in {
        f["properties"]["id"] for f in api("town_b").get("/api/v1/map/alarms").json()["features"]
    }


def test_boundaries_are_simpler_at_low_zoom(city, api):
    c = api("duty")
    coarse = c.get("/api/v1/map/features", params={"level": "county", "zoom": 6}).json()
    fine = c.get("/api/v1/map/features", params={"level": "county", "zoom": 14}).json()
    v_coarse = sum(simplify.vertices(json.dumps(f["geometry"])) for f in coarse["features"])
    v_fine = sum(simplify.vertices(json.dumps(f["geometry"])) for f in fine["features"])
    assert len(coarse["features"]) == len(fine["features"]) > 0
    assert v_coarse < v_fine / 2, (v_coarse, v_fine)
    # coordinates are rounded: no more than 5 decimals at any band
    for f in fine["features"]:
        decimals = re.findall(r"\.(\d+)", json.dumps(f["geometry"]))
        assert decimals and max(len(d) for d in decimals) <= 5
    assert simplify.band_of(6) == 0 and simplify.band_of(9.5) == 1 and simplify.band_of(None) == 3


def _incidents_in(db, code, since=None, until=None):
    with db.reading() as session:
        stmt = select(Incident.id).where(
            in_scope(Incident.jurisdiction_code, _scope(code)),
            Incident.merged_into_id.is_(None),
            Incident.lon.is_not(None),
        )
        if since:
            stmt = stmt.where(Incident.occurred_at >= since)
        if until:
            stmt = stmt.where(Incident.occurred_at < until)
        return set(session.scalars(stmt))


def test_the_time_filter_of_incidents(city, api):
    with city.db.reading() as session:
        times = sorted(
            session.scalars(
                select(Incident.occurred_at).where(
                    in_scope(Incident.jurisdiction_code, _scope(city.city)), Incident.lon.is_not(None)
                )
            )
        )
    assert len(times) >= 2, "the test city has incidents"
    since, until = times[len(times) // 2], times[-1]
    got = api("duty").get(
        "/api/v1/map/incidents",
        params={"bbox": WHOLE, "since": since.isoformat(), "until": until.isoformat()},
    )
    ids = {f["properties"]["id"] for f in got.json()["features"]}
    assert ids == _incidents_in(city.db, city.city, since, until)
    assert got.headers["x-feature-count"] == str(len(ids))
    mine = (
        api("town").get("/api/v1/map/incidents", params={"bbox": WHOLE, "since": times[0].isoformat()}).json()
    )
    assert {f["properties"]["id"] for f in mine["features"]} == _incidents_in(city.db, city.town_a, times[0])
    bad = api("duty").get(
        "/api/v1/map/incidents", params={"since": until.isoformat(), "until": since.isoformat()}
    )
    assert bad.status_code == 422
    assert api("duty").get("/api/v1/map/incidents", params={"since": "yesterday"}).status_code == 422


def test_warnings_in_force_are_scoped_by_area(city, api):
    duty = api("duty").get("/api/v1/map/warnings", params={"zoom": 9})
    assert duty.status_code == 200 and duty.headers["content-type"].startswith("application/geo+json")
    town = api("town").get("/api/v1/map/warnings", params={"zoom": 9}).json()["features"]
    for f in town:
        assert f["properties"]["code"].startswith(city.town_a)
        assert f["properties"]["level"] in ("red", "orange", "yellow", "blue")
        assert f["properties"]["url"].startswith("/warnings/")
    assert len(town) <= max(1, len(duty.json()["features"]))


def test_labels_of_a_level_are_scoped_and_cacheable(city, api):
    r = api("town").get("/api/v1/map/points", params={"level": "village"})
    points = r.json()["points"]
    assert points and all(p[0].startswith(city.town_a) for p in points)
    assert "etag" in r.headers
