"""Bad input is never a 500: every error has a code and a message in Chinese and English."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/v1/people/abc", {}, 422),
        ("get", "/api/v1/people/99999999", {}, 404),
        ("get", "/api/v1/map/features?level=county&bbox=1,2,3", {}, 422),
        ("get", "/api/v1/map/features?level=planet", {}, 422),
        ("get", "/api/v1/grid-cells?level=9", {}, 422),
        ("post", "/api/v1/people", {"json": [1, 2]}, 422),
        (
            "post",
            "/api/v1/people",
            {"content": "\xff\xfe", "headers": {"content-type": "application/json"}},
            422,
        ),
        ("patch", "/api/v1/units/1", {"json": {"kind": "x"}}, 422),
        ("get", "/api/v1/nowhere", {}, 404),
        ("delete", "/api/v1/me", {}, 405),
        ("get", "/api/v1/directory?q=" + "长" * 200, {}, 422),
        # past the database's integer range: refused, not a driver overflow
        ("get", f"/api/v1/people/{10**30}", {}, 422),
        ("delete", f"/api/v1/duty/rotations/{10**30}", {}, 422),
        ("get", f"/api/v1/risk/plans?year={10**30}", {}, 422),
        # an explicit null for a field that cannot be empty
        ("patch", "/api/v1/units/1", {"json": {"name": None}}, 422),
    ],
)
def test_errors_are_bilingual_json(api, method, path, kwargs, status):
    r = getattr(api("admin"), method)(path, **kwargs)
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["code"] and body["message"] and body["message_en"]
    assert body["message"] != body["message_en"]


def test_oversized_upload_is_413(api):
    big = b"x" * (21 * 1024 * 1024)
    r = api("admin").post("/api/v1/import/people", files={"file": ("big.xlsx", big)})
    assert r.status_code == 413
    assert r.json()["error"]["message"] == "文件超过 20 MB。"


def test_page_errors_render_in_chinese(browser_client):
    r = browser_client("duty").get("/people/99999999")
    assert r.status_code == 404
    assert "未找到" in r.text and "<html" in r.text


def test_a_patch_cannot_empty_a_required_field(api, city):
    from tests.forces.helpers import new_team

    town = api("town")
    team = new_team(town, city.town_a)
    r = town.patch(f"/api/v1/forces/teams/{team['id']}", json={"name": None, "note": None})
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"field": "name", "message": "此项不能为空。", "message_en": "This field cannot be empty."}
    ]
    assert town.get(f"/api/v1/forces/teams/{team['id']}").json()["name"] == team["name"]
