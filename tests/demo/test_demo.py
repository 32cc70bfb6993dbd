"""The demo city: real divisions at seed-003 scale, deterministic geometry, one login per role."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import shapely
from sqlalchemy import func, select

from yingji.demo import builder
from yingji.geo.shapes import from_geojson
from yingji.org.models import Jurisdiction


@pytest.mark.slow
def test_yingji_demo_builds_tongren_at_seed_scale(databases, tmp_path):
    db = databases.make("demo", migrated=False)
    env = os.environ | {"YINGJI_DATABASE_URL": db.settings.database_url, "YINGJI_VAR_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "yingji", "demo"], env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Yingji@2026" in run.stdout and "duty" in run.stdout
    stats = json.loads(
        subprocess.run(
            [sys.executable, "-m", "yingji", "stats", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert (stats["counties"], stats["towns"], stats["villages"]) == (10, 181, 2947)
    assert 20_000 <= stats["grid_cells"] <= 22_000
    assert 34_000 <= stats["grid_workers"] <= 38_000
    assert stats["grid_cells_by_level"] == {"1": 181, "2": 2947, "3": stats["grid_cells"]}
    assert stats["units_by_kind"]["special_hq"] == 17 * 11  # the city and each of its 10 counties
    assert stats["units_by_kind"]["emergency_committee"] == 181
    assert stats["people"] > 40_000 and stats["users"] == 11
    again = subprocess.run(
        [sys.executable, "-m", "yingji", "demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and "already built" in again.stdout


def test_same_seed_same_city_other_seed_other_city(clock):
    clock.freeze(clock.now())
    one = builder.generate(builder.DemoOptions(counties=["520603"]))
    two = builder.generate(builder.DemoOptions(counties=["520603"]))
    other = builder.generate(builder.DemoOptions(counties=["520603"], seed=7))
    assert one.tables == two.tables
    geometry = {r["code"]: r["geometry"] for r in one.tables["jurisdictions"]}
    assert geometry != {r["code"]: r["geometry"] for r in other.tables["jurisdictions"]}


def test_places_nest_inside_their_parents(city):
    with city.db.reading() as session:
        rows = session.execute(
            select(
                Jurisdiction.code,
                Jurisdiction.parent_code,
                Jurisdiction.geometry,
                Jurisdiction.lon,
                Jurisdiction.lat,
            ).where(Jurisdiction.code.startswith(city.county_b))
        ).all()
    shapes = {code: from_geojson(g) for code, _, g, _, _ in rows if g}
    for code, parent, _, lon, lat in rows:
        if parent in shapes and code in shapes:
            child, outer = shapes[code], shapes[parent]
            assert child.difference(outer.buffer(1e-4)).area < 1e-6, code
            assert shapely.contains_xy(child.buffer(1e-6), lon, lat), code
    county = shapes[city.county_b]
    towns = [shapes[c] for c, p, *_ in rows if p == city.county_b]
    assert abs(sum(t.area for t in towns) - county.area) / county.area < 0.01  # a partition


def test_groups_extend_their_village_code(city):
    with city.db.reading() as session:
        bad = session.scalar(
            select(func.count()).where(
                Jurisdiction.level == "group",
                func.substr(Jurisdiction.code, 1, 12) != Jurisdiction.parent_code,
            )
        )
        groups = session.scalar(select(func.count()).where(Jurisdiction.level == "group"))
    assert groups > 0 and bad == 0


def test_every_role_has_a_demo_login(city):
    logins = builder.existing_logins(city.db)
    assert {login.role for login in logins} == {
        "admin",
        "commander",
        "duty_officer",
        "department_staff",
        "county_officer",
        "town_officer",
        "grid_leader",
        "grid_worker",
        "team_leader",
        "warehouse_keeper",
        "viewer",
    }
