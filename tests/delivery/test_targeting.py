"""Targeting against known cells of the test city: a polygon over two adjacent village groups, a
small circle, division codes, a town's own outline; and the preview the compose page shows."""

from __future__ import annotations

import shapely
from shapely.geometry import shape
from sqlalchemy import select

from tests.delivery.conftest import cells, emit, group_codes, make_warning
from yingji.delivery import targeting
from yingji.org.models import Jurisdiction
from yingji.warnings.geometry import circle_polygon


def geometries(db, codes):
    with db.reading() as session:
        rows = session.execute(
            select(Jurisdiction.code, Jurisdiction.geometry, Jurisdiction.lon, Jurisdiction.lat).where(
                Jurisdiction.code.in_(codes)
            )
        ).all()
    return {r.code: (shapely.from_geojson(r.geometry), r.lon, r.lat) for r in rows}


def two_neighbours(db, village):
    groups = group_codes(db, village)
    shapes = geometries(db, groups)
    first = groups[0]
    for other in groups[1:]:
        if shapes[first][0].touches(shapes[other][0]):
            return first, other, shapes
    raise AssertionError("no two adjacent groups in the village")


def latlon_ring(polygon):
    return [[y, x] for x, y in polygon.exterior.coords]


def test_polygon_over_two_adjacent_groups_targets_exactly_them(city):
    a, b, shapes = two_neighbours(city.db, city.village_a)
    union = shapely.union(shapes[a][0], shapes[b][0])
    assert union.geom_type == "Polygon"  # they share an edge
    with city.db.reading() as session:
        target = targeting.resolve(session, union)
    assert [code for _, code in target.cells] == sorted([a, b])
    assert target.villages == [city.village_a] and target.towns == [city.village_a[:9]]
    # The same through a warning's CAP polygon ([lat, lon] pairs), published.
    wid = make_warning(city.db, city.county_a, polygons=[latlon_ring(union)])
    dispatch = emit(city.db, wid)
    assert [c.cell_code for c in cells(city.db, dispatch.id)] == sorted([a, b])


def test_small_circle_targets_the_group_it_lies_in(city):
    group = group_codes(city.db, city.village_a)[-1]
    _, lon, lat = geometries(city.db, [group])[group]
    circle = circle_polygon(lat, lon, 10)
    with city.db.reading() as session:
        assert [code for _, code in targeting.resolve(session, circle).cells] == [group]
    wid = make_warning(city.db, city.county_a, circles=[[lat, lon, 10]])
    assert [c.cell_code for c in cells(city.db, emit(city.db, wid).id)] == [group]


def test_division_codes_take_whole_subtrees(city):
    with city.db.reading() as session:
        village = targeting.resolve(session, None, [city.village_a.ljust(12, "0")])
        town = targeting.resolve(session, None, [city.town_b])
        both = targeting.resolve(session, None, [city.town_b, city.village_a])
    assert [c for _, c in village.cells] == group_codes(city.db, city.village_a)
    assert [c for _, c in town.cells] == group_codes(city.db, city.town_b)
    assert len(both.cells) == len(village.cells) + len(town.cells)
    assert set(both.towns) == {city.town_b, city.village_a[:9]}


def test_a_towns_own_outline_reaches_all_its_groups(city):
    with city.db.reading() as session:
        outline = shape(__import__("json").loads(session.get(Jurisdiction, city.town_b).geometry))
        target = targeting.resolve(session, outline)
    assert [c for _, c in target.cells] == group_codes(city.db, city.town_b)


def test_nothing_outside_the_map(city):
    far_away = shapely.box(10, 10, 11, 11)
    with city.db.reading() as session:
        assert targeting.resolve(session, far_away).cells == []
        assert targeting.resolve(session, None, ["999999", "not-a-code"]).cells == []


def test_preview_counts_by_channel_and_town(city):
    wid = make_warning(city.db, city.county_a, area_codes=[city.village_a])
    from yingji.warnings.models import Warning

    with city.db.reading() as session:
        preview = targeting.preview(session, session.get(Warning, wid))
    groups = group_codes(city.db, city.village_a)
    assert preview["cells"] == len(groups) and preview["villages"] == 1
    assert preview["by_town"][0]["code"] == city.village_a[:9] and preview["by_town"][0]["cells"] == len(
        groups
    )
    assert preview["staff"] > len(groups)  # grid workers plus the village's cadres
    assert (
        preview["residents"] > 0 and preview["by_channel"]["sms"] == preview["staff"] + preview["residents"]
    )
