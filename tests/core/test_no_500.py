"""Walk the whole API (its OpenAPI description) with input a careless or hostile client sends — ids
past the database's range, nulls for every field, control characters in every field, a form where a
document is expected, a chunked body past the upload limit — and require
an answer that is not a 500. New endpoints are covered without writing a case for them. It runs on a
scratch city (``tests/core/conftest.py``): what it manages to change stays there."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.core.asgi import MB, call

HUGE = str(10**30)
# Control characters, NUL (PostgreSQL refuses it in text) and a lone surrogate (no encoder takes it).
CONTROL = "控制\x00\x01\x0b\x1b\x7f\x9b\ud800字符"


@pytest.fixture(scope="module")
def operations(scratch_app):
    spec = TestClient(scratch_app).get("/api/openapi.json").json()
    components = spec.get("components", {}).get("schemas", {})
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body and "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[-1]]
            out.append((method.upper(), path, sorted((body or {}).get("properties", {}))))
    assert len(out) > 100
    return out


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_ids_past_the_integer_range(scratch_admin_api, operations):
    admin = scratch_admin_api
    failures = []
    for method, path, _ in operations:
        if "{" in path:
            r = admin.request(method, _fill(path, HUGE), json={})
            if r.status_code >= 500:
                failures.append(f"{method} {path}: {r.status_code}")
    assert not failures, failures


def test_null_for_every_field(scratch_admin_api, operations):
    admin = scratch_admin_api
    failures = []
    for method, path, fields in operations:
        if method in ("POST", "PATCH", "PUT") and fields:
            r = admin.request(method, _fill(path, "1"), json=dict.fromkeys(fields))
            if r.status_code >= 500:
                failures.append(f"{method} {path}: {r.status_code}")
    assert not failures, failures


def test_a_form_where_a_body_is_expected(scratch_admin_api, operations):
    admin = scratch_admin_api
    failures = []
    for method, path, _ in operations:
        if method == "POST":
            r = admin.post(
                _fill(path, "1"), files={"file": ("x.bin", b"\x00garbage", "application/octet-stream")}
            )
            if r.status_code >= 500:
                failures.append(f"{method} {path}: {r.status_code}")
    assert not failures, failures


def test_control_characters_in_every_field(scratch_admin_api, operations):
    admin = scratch_admin_api
    failures = []
    for method, path, fields in operations:
        if method in ("POST", "PATCH", "PUT") and fields:
            body = json.dumps(dict.fromkeys(fields, CONTROL))
            r = admin.request(
                method, _fill(path, "1"), content=body, headers={"Content-Type": "application/json"}
            )
            if r.status_code >= 500:
                failures.append(f"{method} {path}: {r.status_code}")
    assert not failures, failures


def test_a_chunked_body_past_the_upload_limit(scratch_app, scratch_admin_api, operations):
    """No Content-Length, 30 MB (the limit is 20): cut off as it streams, wherever it is read."""
    auth = {"authorization": scratch_admin_api.headers["Authorization"], "content-type": "application/json"}
    failures = []
    for method, path, _ in operations:
        if method in ("POST", "PATCH", "PUT"):
            answer = call(
                scratch_app, method, _fill(path, "1"), headers=auth, first=b"[", chunk=b" " * MB, chunks=30
            )
            if answer.status >= 500 or answer.pulled > 21 * MB:
                failures.append(f"{method} {path}: {answer.status}, read {answer.pulled // MB} MB")
    assert not failures, failures
