"""Division shapes for a page's map: the named divisions as one FeatureCollection, as stored."""

from __future__ import annotations

import json

from yingji.geo import layers


def test_shapes_of_names_the_divisions_it_finds(city):
    with city.db.reading() as session:
        body = json.loads(layers.shapes_of(session, [city.town_a, city.town_b, "520602999"]))
        assert layers.shapes_of(session, []) is None
        assert layers.shapes_of(session, ["520602999"]) is None  # no such town, no shape
    assert {f["id"] for f in body["features"]} == {city.town_a, city.town_b}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in body["features"])
