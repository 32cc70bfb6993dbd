"""Helpers of the plan tests: a fresh plan through the API, a plan brought to issue."""

from __future__ import annotations

import uuid

import pytest


def plan_body(place: str, kind: str = "township", **extra) -> dict:
    return {
        "code": f"T-{uuid.uuid4().hex[:10]}",
        "title": "测试镇突发事件总体应急预案",
        "kind": kind,
        "jurisdiction_code": place,
        "issuer": "中共测试镇委员会 测试镇人民政府",
        "event_categories": ["natural.geological", "natural.flood_drought"],
    } | extra


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text[:800]
    return r.json()


def to_approval(client, plan_id: int) -> dict:
    plan = ok(client.get(f"/api/v1/plans/{plan_id}"))
    if plan["state"] == "drafting" or (
        plan["state"] == "revising" and plan["versions"][0]["stage"] == "drafting"
    ):
        ok(client.post(f"/api/v1/plans/{plan_id}/submit", json={"comment": "送审"}))
    review = {
        "reviewer": "县应急管理局",
        "reviewer_kind": "department",
        "opinion": "revise",
        "comment": "补充转移路线",
    }
    ok(client.post(f"/api/v1/plans/{plan_id}/reviews", json=review))
    return ok(client.post(f"/api/v1/plans/{plan_id}/approval", json={}))


def issued(client, place: str, issued_on: str = "2026-03-02", **extra) -> dict:
    body = plan_body(place, **extra)
    plan = ok(client.post("/api/v1/plans", json=body), 201)
    to_approval(client, plan["id"])
    role = {"township": "township_party_government", "village": "committee_head"}.get(
        body["kind"], "government"
    )
    if body["kind"] == "department":
        role = "department_head"
    issue = {
        "doc_number": "测府发〔2026〕1号",
        "issued_on": issued_on,
        "signatory": "张三",
        "signatory_role": role,
    }
    return ok(client.post(f"/api/v1/plans/{plan['id']}/issue", json=issue))


@pytest.fixture
def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
