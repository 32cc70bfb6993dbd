"""Travel times: straight line × road factor, and a hand-made road network where a river blocks the
straight line so the road over the bridge decides who is nearer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.geo import travel
from yingji.geo.travel import RoadGraph, RoadNetworkInvalid, TravelModel, haversine_km

# A river runs north–south at lon 108.05. West-bank road from A up to the bridge at lat 27.05, across,
# and down the east bank to B; the east-bank road goes on north to E.
A, B, E = (108.00, 27.00), (108.10, 27.00), (108.10, 27.12)
BRIDGE_W, BRIDGE_E = (108.00, 27.05), (108.10, 27.05)


def river_roads(**props) -> dict:
    def line(*points, **p):
        return {
            "type": "Feature",
            "properties": p,
            "geometry": {"type": "LineString", "coordinates": [list(x) for x in points]},
        }

    return {
        "type": "FeatureCollection",
        "features": [
            line(A, BRIDGE_W, **props),
            line(BRIDGE_W, BRIDGE_E, **props),
            line(B, BRIDGE_E, E, **props),
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
        ],
    }


def km(p, q) -> float:
    return float(haversine_km(p[0], p[1], q[0], q[1]))


def test_haversine_is_right_for_known_distances():
    assert km((0, 0), (0, 1)) == pytest.approx(111.19, abs=0.01)  # one degree of latitude
    assert km((108.0, 27.0), (108.0, 27.0)) == 0
    assert km(A, B) == pytest.approx(9.91, abs=0.02)  # 0.1° of longitude at 27°N


def test_straight_line_is_distance_times_road_factor_over_speed():
    model = TravelModel(road_factor=1.4, speed_kmh=40)
    minutes = model.minutes_to([A, E], B)
    assert minutes[0] == pytest.approx(km(A, B) * 1.4 / 40 * 60)
    assert minutes[1] == pytest.approx(km(E, B) * 1.4 / 40 * 60)
    assert travel.travel_minutes(np.array([A]), B, model)[0] == pytest.approx(minutes[0])
    assert model.minutes_to([B], B)[0] == 0


def test_mountain_counties_wind_more_unless_a_factor_is_set():
    model = TravelModel()
    assert model.for_place("520627001").road_factor == 1.7  # 沿河: the Wujiang gorge
    assert model.for_place("520602").road_factor == travel.DEFAULT_ROAD_FACTOR
    assert TravelModel(road_factor=2.0).for_place("520627").road_factor == 2.0
    assert model.for_place("520627").minutes_to([A], B)[0] > model.minutes_to([A], B)[0]


def test_the_road_over_the_bridge_beats_the_blocked_straight_line():
    plain = TravelModel(road_factor=1.4, speed_kmh=40)
    west, east = plain.minutes_to([A, E], B)
    assert west < east  # as the crow flies, the west-bank team is nearer

    roads = RoadGraph.from_geojson(river_roads())
    assert roads.node_count == 5 and roads.edge_count == 8  # 4 segments, both ways
    model = TravelModel(road_factor=1.4, speed_kmh=40, roads=roads)
    estimate = model.estimate([A, E], B)
    assert estimate.by_road.tolist() == [True, True]
    west, east = estimate.minutes
    assert east < west  # by road, the east-bank team is nearer: the west one must go round by the bridge
    by_road = km(A, BRIDGE_W) + km(BRIDGE_W, BRIDGE_E) + km(BRIDGE_E, B)
    assert west == pytest.approx(by_road / 40 * 60, rel=1e-6)
    assert east == pytest.approx(km(E, B) / 40 * 60, rel=1e-6)


def test_speeds_one_way_roads_and_access_legs():
    fast = TravelModel(speed_kmh=40, roads=RoadGraph.from_geojson(river_roads(speed_kmh=80)))
    slow = TravelModel(speed_kmh=40, roads=RoadGraph.from_geojson(river_roads()))
    assert fast.minutes_to([A], B)[0] == pytest.approx(slow.minutes_to([A], B)[0] / 2)

    one_way = RoadGraph.from_geojson(river_roads(oneway=True))  # drawn A→bridge→…, B→bridge→E
    model = TravelModel(speed_kmh=40, roads=one_way)
    assert np.isfinite(model.minutes_to([A], E)[0]) and model.estimate([A], E).by_road[0]
    back = model.estimate([E], A)  # no way back against the arrows: the straight estimate is used
    assert not back.by_road[0]
    assert back.minutes[0] == pytest.approx(model.straight_minutes(km(E, A)))

    near_a = (108.001, 27.0)  # 100 m off the road: a short straight leg to the nearest node
    leg = TravelModel(speed_kmh=40, road_factor=1.4).straight_minutes(km(near_a, A))
    assert slow.minutes_to([near_a], B)[0] == pytest.approx(slow.minutes_to([A], B)[0] + leg)


def test_far_from_the_roads_falls_back_to_the_straight_line():
    model = TravelModel(roads=RoadGraph.from_geojson(river_roads()))
    far = (109.0, 28.0)
    estimate = model.estimate([far, A], B)
    assert estimate.by_road.tolist() == [False, True]
    assert estimate.minutes[0] == pytest.approx(model.straight_minutes(km(far, B)))
    assert model.estimate([A], far).by_road.tolist() == [False]  # the destination is off the network


def test_matrix_agrees_with_single_destinations_and_roundtrips():
    roads = RoadGraph.from_geojson(river_roads())
    again = RoadGraph.from_bytes(roads.to_bytes())
    for model in (TravelModel(), TravelModel(roads=roads), TravelModel(roads=again)):
        matrix = model.minutes_matrix([A, B, E], [B, E])
        assert matrix.shape == (3, 2)
        assert np.allclose(matrix[:, 0], model.minutes_to([A, B, E], B))
        assert np.allclose(matrix[:, 1], model.minutes_to([A, B, E], E))
    assert np.allclose(
        TravelModel(roads=roads).minutes_matrix([A], [B]), TravelModel(roads=again).minutes_matrix([A], [B])
    )


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"type": "FeatureCollection", "features": []}, "no_lines"),
        ([], "not_geojson"),
        ({"type": "Topology"}, "not_geojson"),
        ({"type": "LineString", "coordinates": [[108, 27], ["x", 27]]}, "bad_coordinate"),
        ({"type": "LineString", "coordinates": [[108, 27], [200, 27]]}, "out_of_bounds"),
    ],
)
def test_bad_road_files_are_refused_with_a_reason(doc, reason):
    with pytest.raises(RoadNetworkInvalid) as exc:
        RoadGraph.from_geojson(doc)
    assert exc.value.reason == reason


def test_the_loaded_network_of_a_database_is_used_and_forgotten(databases):
    from yingji.geo import roads

    db = databases.make("travel")
    system = Principal.system()
    with db.reading() as session:
        assert travel.model_for(session).roads is None
    with db.writing(Actor.system("tests")) as session:
        roads.load(session, system, json.dumps(river_roads()).encode(), "river.geojson")
    with db.reading() as session:
        model = travel.model_for(session)
        assert model.method == "road_network" and model.roads.node_count == 5
        assert model.minutes_to([E], B)[0] < model.minutes_to([A], B)[0]
        assert travel.model_for(session).roads is model.roads  # cached per process
    with db.writing(Actor.system("tests")) as session:
        assert roads.clear(session, system) == 1
    with db.reading() as session:
        assert travel.model_for(session).roads is None
