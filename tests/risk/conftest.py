"""Helpers of the dual-prevention tests: valid credit codes, enterprises and dangers through the
API, photos, and walking a danger along the loop."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import timedelta

from PIL import Image

from yingji.risk import creditcode
from yingji.risk.dangers import today

_serial = itertools.count(int(uuid.uuid4().int % 10**6) * 1000)


def credit_code(division: str = "520602") -> str:
    """A fresh, valid unified social credit code (the demo's codes start with MA, these with TK)."""
    n = next(_serial)
    body = "TK" + "".join(creditcode.ALPHABET[(n // 31**i) % 31] for i in range(6)) + "0"
    return creditcode.make("9", "1", division, body)


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def enterprise(client, code: str, **extra) -> dict:
    body = {
        "name": f"测试企业{uuid.uuid4().hex[:6]}有限公司",
        "credit_code": credit_code(code[:6]),
        "industry": "commerce",
        "scale": "small",
        "jurisdiction_code": code,
        "lon": 109.19,
        "lat": 27.73,
    } | extra
    r = client.post("/api/v1/risk/enterprises", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def danger(client, code: str | None = None, **extra) -> dict:
    body = {"title": "消防通道堆放杂物", "category": "fire", "client_key": key()} | extra
    if code:
        body["jurisdiction_code"] = code
    r = client.post("/api/v1/risk/dangers", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def step(client, danger_id: int, action: str, **body):
    return client.post(f"/api/v1/risk/dangers/{danger_id}/{action}", json=body)


def deadline(days: int = 10) -> str:
    return (today() + timedelta(days=days)).isoformat()


PLAN = {
    "target_tasks": "消除粉尘爆炸隐患",
    "methods_measures": "停产改造除尘系统",
    "funds_materials": "资金30万元已落实",
    "responsible_body": "企业安全部",
    "responsible_people": "张三、李四",
    "safety_measures": "整改期间停止作业,设警戒",
    "emergency_plan": "现场处置方案已修订",
}


def to_rectifying(client, danger_id: int, *, major: bool = False, days: int = 10) -> dict:
    """register → grade → rectify (with the full plan when major); asserts each step."""
    assert step(client, danger_id, "register").status_code == 200
    graded = step(client, danger_id, "grade", checklist={"needs_stop": major})
    assert graded.status_code == 200 and graded.json()["grade"] == ("major" if major else "general")
    body = {"responsible_party": "某某公司", "measures": "清理通道", "funds_cny": 500}
    body |= {"plan": PLAN | {"time_limit": deadline(days)}} if major else {"deadline": deadline(days)}
    r = step(client, danger_id, "rectify", **body)
    assert r.status_code == 200, r.text
    return r.json()


def image_bytes(fmt: str = "PNG", size=(48, 32), colour=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format=fmt)
    return buf.getvalue()
