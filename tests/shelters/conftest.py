from __future__ import annotations

import uuid

import pytest


def shelter_body(place: str, **extra) -> dict:
    return {
        "name": f"测试避难场所{uuid.uuid4().hex[:6]}",
        "level": "town",
        "shelter_class": "short",
        "space_type": "outdoor",
        "jurisdiction_code": place,
        "usable_area_m2": 5000,
        "lon": 109.19,
        "lat": 27.72,
        "facilities": {"water": True, "power": True, "toilets": 6},
        "managers": [{"name": "王管理", "mobile": "13900001111", "duty": "负责人", "primary": True}],
    } | extra


@pytest.fixture
def make_shelter(api, city):
    """A new shelter at town A (capacity given or from the area), optionally opened."""

    def make(opened: bool = True, **extra) -> dict:
        town = api("town")
        r = town.post("/api/v1/shelters", json=shelter_body(city.town_a, **extra))
        assert r.status_code == 201, r.text
        s = r.json()
        if opened:
            o = town.post(f"/api/v1/shelters/{s['id']}/open", json={})
            assert o.status_code == 200, o.text
            s = o.json()
        return s

    return make


def key() -> str:
    return uuid.uuid4().hex
