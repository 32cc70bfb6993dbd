"""The public interfaces answer exactly as specified: POST /api/v1/rules/grade and
/reporting-deadlines (bearer token), and `yingji rules grade|deadlines` (stdin → stdout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

GRADE_IN = {"kind": "production_safety", "deaths": 3}
GRADE_OUT = {
    "grade": "III",
    "label": "较大",
    "basis": ["较大: 死亡 3 人 ≥ 3 (生产安全事故报告和调查处理条例 第三条第三项)"],
}
DEADLINES_IN = {
    "kind": "production_safety",
    "grade": "III",
    "received_at": "2026-11-24T23:30:00+08:00",
    "jurisdiction": "520602",
}
DEADLINES_DUE = ["2026-11-25T00:30:00+08:00", "2026-11-25T02:30:00+08:00", "2026-11-25T04:30:00+08:00"]
BAD_INPUTS = [
    ("grade", {"kind": "production_safety", "deaths": -1}, "deaths"),
    ("grade", {"kind": "production_safety", "deaths": 1.5}, "deaths"),
    ("grade", {"kind": "production_safety", "wounded": 1}, "wounded"),
    ("grade", {"kind": "earthquake"}, "kind"),
    ("grade", {"deaths": 3}, "kind"),
    ("grade", [1, 2], ""),
    ("grade", "text", ""),
    ("deadlines", {**DEADLINES_IN, "received_at": "2026-11-24T23:30:00"}, "received_at"),
    ("deadlines", {**DEADLINES_IN, "received_at": "yesterday"}, "received_at"),
    ("deadlines", {**DEADLINES_IN, "received_at": 1764000000}, "received_at"),
    ("deadlines", {**DEADLINES_IN, "grade": "V"}, "grade"),
    ("deadlines", {**DEADLINES_IN, "grade": None}, "grade"),
    ("deadlines", {**DEADLINES_IN, "jurisdiction": "52-06"}, "jurisdiction"),
    ("deadlines", {**DEADLINES_IN, "when": "now"}, "when"),
    ("deadlines", {**DEADLINES_IN, "received_at": "9999-12-31T23:00:00+00:00"}, "received_at"),
    ("deadlines", {**DEADLINES_IN, "kind": "natural_disaster_relief", "deaths": -2}, "deaths"),
]
PATHS = {"grade": "/api/v1/rules/grade", "deadlines": "/api/v1/rules/reporting-deadlines"}


def test_api_grade_answers_exactly(api):
    r = api("duty").post("/api/v1/rules/grade", json=GRADE_IN)
    assert r.status_code == 200
    assert r.json() == GRADE_OUT
    relief = api("duty").post("/api/v1/rules/grade", json={"kind": "natural_disaster_relief", "deaths": 3})
    assert relief.json()["grade"] is None and relief.json()["label"] is None


def test_api_deadlines_answer_exactly(api):
    r = api("duty").post("/api/v1/rules/reporting-deadlines", json=DEADLINES_IN)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["deadlines"]
    assert [(d["to"], d["due_at"]) for d in body["deadlines"]] == list(
        zip(["county", "city", "province"], DEADLINES_DUE, strict=True)
    )
    assert all(set(d) == {"to", "due_at", "basis"} and "第" in d["basis"] for d in body["deadlines"])
    utc = api("duty").post(
        "/api/v1/rules/reporting-deadlines", json={**DEADLINES_IN, "received_at": "2026-11-24T15:30:00Z"}
    )
    assert [d["due_at"] for d in utc.json()["deadlines"]] == [
        "2026-11-24T16:30:00Z",
        "2026-11-24T18:30:00Z",
        "2026-11-24T20:30:00Z",
    ]


def test_api_needs_a_token(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as anonymous:
        r = anonymous.post("/api/v1/rules/grade", json=GRADE_IN)
    assert r.status_code == 401


@pytest.mark.parametrize(("which", "payload", "field"), BAD_INPUTS)
def test_api_bad_input_is_422_with_the_bilingual_body(api, which, payload, field):
    r = api("duty").post(PATHS[which], json=payload)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed" and error["message"] == "提交的数据有误。"
    assert field in [d["field"] for d in error["details"]]
    assert all(d["message"] and d["message_en"] for d in error["details"])


def test_api_broken_json_is_422(api):
    r = api("duty").post(
        "/api/v1/rules/grade", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"


def test_api_tables_and_categories(api):
    client = api("viewer")
    names = [t["name"] for t in client.get("/api/v1/rules/tables").json()]
    assert names == [
        "grading_production_safety",
        "grading_geological",
        "relief_response",
        "reporting_obligations",
        "drill_frequency",
        "disaster_reporting",
    ]
    assert client.get("/api/v1/rules/categories").json()["categories"][0]["code"] == "natural"
    assert client.get("/api/v1/rules/tables/relief_response").json()["kinds"]["natural_disaster_relief"]
    assert client.get("/api/v1/rules/tables/nope").status_code == 404


def test_demo_users_without_the_permission_cannot_override(api, city):
    payload = {
        "jurisdiction_code": city.county_b,
        "table_name": "relief_response",
        "version": "x",
        "data": {"kinds": {"natural_disaster_relief": {"settings": {"dead_or_missing_from_parts": False}}}},
        "source": "test",
    }
    assert api("county").post("/api/v1/rules/overrides", json=payload).status_code == 403  # another county
    assert api("viewer").post("/api/v1/rules/overrides", json=payload).status_code == 403
    assert api("duty").post("/api/v1/rules/overrides", json=payload).status_code == 403


def _cli(
    command: str, stdin: str, env_extra: dict | None = None, tmp_path=None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    env["YINGJI_VAR_DIR"] = str(tmp_path)  # no database there: the national tables
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "yingji", "rules", command],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_grade_and_deadlines(tmp_path):
    run = _cli("grade", json.dumps(GRADE_IN), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == GRADE_OUT
    run = _cli("deadlines", json.dumps(DEADLINES_IN), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [d["due_at"] for d in out["deadlines"]] == DEADLINES_DUE
    assert not (tmp_path / "yingji.db").exists()


@pytest.mark.parametrize(("which", "payload", "field"), BAD_INPUTS[::3])
def test_cli_bad_input_exits_2_with_a_json_error(tmp_path, which, payload, field):
    run = _cli(which, json.dumps(payload), tmp_path=tmp_path)
    assert run.returncode == 2
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "validation_failed" and field in [d["field"] for d in error["details"]]


def test_cli_not_json_exits_2(tmp_path):
    run = _cli("grade", "deaths=3", tmp_path=tmp_path)
    assert (
        run.returncode == 2
        and json.loads(run.stdout)["error"]["details"][0]["message_en"] == "Send one JSON object."
    )


def test_cli_applies_overrides_of_the_configured_database(rules_env, tmp_path):
    county = rules_env.client("r_county_a")
    data = {
        "kinds": {
            "natural_disaster_relief": {"grades": {"IV": {"thresholds": {"dead_or_missing": {"min": 2}}}}}
        }
    }
    made = county.post(
        "/api/v1/rules/overrides",
        json={
            "jurisdiction_code": "520602",
            "table_name": "relief_response",
            "version": "cli",
            "data": data,
            "source": "县预案",
        },
    )
    assert made.status_code == 201, made.text
    try:
        env = {"YINGJI_DATABASE_URL": rules_env.db.settings.database_url}
        payload = {"kind": "natural_disaster_relief", "deaths": 2, "jurisdiction": "520602"}
        local = _cli("grade", json.dumps(payload), env, tmp_path)
        assert local.returncode == 0, local.stderr
        assert json.loads(local.stdout)["grade"] == "IV"
        national = _cli("grade", json.dumps({**payload, "jurisdiction": "520603"}), env, tmp_path)
        assert json.loads(national.stdout)["grade"] is None
    finally:
        assert county.delete(f"/api/v1/rules/overrides/{made.json()['id']}").status_code == 204


def test_cli_unreachable_database_is_a_clear_error(tmp_path):
    payload = json.dumps({"kind": "production_safety", "deaths": 1, "jurisdiction": "520602"})
    env = {"YINGJI_DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"}
    run = _cli("grade", payload, env, tmp_path)
    assert run.returncode == 1 and json.loads(run.stdout)["error"]["code"] == "database_unavailable"
