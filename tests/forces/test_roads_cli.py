"""The road network through the API (city level only) and the ``yingji forces`` commands."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.geo.test_travel import river_roads
from yingji.forces.cli import forces


def test_load_and_clear_a_road_network_through_the_api(api, city):
    admin = api("admin")
    far_away = json.dumps(river_roads()).encode()  # lon 108.0–108.1, lat 27.0: west of Tongren's teams
    files = {"file": ("roads.geojson", far_away, "application/geo+json")}
    assert api("town").post("/api/v1/forces/roads", files=files).status_code == 403
    bad = admin.post("/api/v1/forces/roads", files={"file": ("x.geojson", b"{]", "application/geo+json")})
    assert (
        bad.status_code == 422 and bad.json()["error"]["details"][0]["message"] == "文件不是 GeoJSON 对象。"
    )
    empty = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    r = admin.post("/api/v1/forces/roads", files={"file": ("e.geojson", empty, "application/geo+json")})
    assert r.status_code == 422
    try:
        r = admin.post("/api/v1/forces/roads", files=files)
        assert r.status_code == 201, r.text
        assert r.json()["method"] == "road_network" and r.json()["network"]["nodes"] == 5
        assert api("viewer").get("/api/v1/forces/roads").json()["network"]["name"] == "roads.geojson"
    finally:
        assert admin.delete("/api/v1/forces/roads").status_code == 204
    assert api("viewer").get("/api/v1/forces/roads").json() == {"method": "straight_line", "network": None}


def test_the_forces_commands(databases, tmp_path, monkeypatch):
    db = databases.make("forcescli")
    monkeypatch.setenv("YINGJI_DATABASE_URL", db.settings.database_url)
    monkeypatch.setenv("YINGJI_VAR_DIR", str(tmp_path))
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(river_roads()))
    runner = CliRunner()
    loaded = runner.invoke(forces, ["load-roads", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "5 nodes" in loaded.output
    checks = runner.invoke(forces, ["checks"])
    assert checks.exit_code == 0 and "不足 10 人的志愿队伍" in checks.output
    near = runner.invoke(forces, ["nearest", "108.0", "27.0", "--need", "medical"])
    assert near.exit_code == 0 and near.output == ""  # no teams in an empty database
    assert "told 0" in runner.invoke(forces, ["warn"]).output
    assert "removed 1" in runner.invoke(forces, ["clear-roads"]).output
