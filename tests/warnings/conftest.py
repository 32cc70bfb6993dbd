"""Helpers for the warning tests: a valid draft payload inside a given place, the CAP test files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from yingji.core import clock

DATA = Path(__file__).resolve().parent / "data"
CAP_FILES = sorted(p for p in DATA.iterdir() if p.suffix in (".cap", ".xml"))
VALID_FILES = [p for p in CAP_FILES if p.name != "invalid.cap"]


def payload(code: str, level: str = "blue", **changes) -> dict:
    """A complete draft (every 第六十四条 item present) whose area is the division ``code``."""
    now = clock.now()
    data = {
        "level": level,
        "jurisdiction_code": code[:9] if len(code) > 9 else code,
        "event": "暴雨",
        "category": "natural",
        "categories": ["Met"],
        "response_types": ["Prepare"],
        "sender_name": "测试区气象局",
        "description": "预计未来6小时内将出现50毫米以上降雨。",
        "instruction": "检查排水系统，做好排涝准备。",
        "effective": now.isoformat(),
        "expires": (now + timedelta(hours=6)).isoformat(),
        "area": {"division_codes": [code]},
        "channels": ["SMS", "SPEAKER"],
    }
    data.update(changes)
    return data


def create(client, code: str, level: str = "blue", **changes) -> dict:
    r = client.post("/api/v1/warnings", json=payload(code, level, **changes))
    assert r.status_code == 201, r.text
    return r.json()


def publish_blue(client, code: str, **changes) -> dict:
    w = create(client, code, "blue", **changes)
    r = client.post(f"/api/v1/warnings/{w['id']}/publish")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="session")
def cap_bytes():
    return {p.name: p.read_bytes() for p in CAP_FILES}
