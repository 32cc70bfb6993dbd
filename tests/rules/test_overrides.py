"""Per-jurisdiction overrides: managed in scope with rules.manage, audited, nearest ancestor wins,
versions in force by date, bad data refused (never a 500)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from yingji.auth.models import AuditEntry
from yingji.rules import overrides
from yingji.rules.models import RuleOverride

COUNTY_RELIEF = {  # one county's level II = 5–9 dead or missing (RULES.md §4)
    "kinds": {
        "natural_disaster_relief": {
            "grades": {
                "I": {"thresholds": {"dead_or_missing": {"min": 10}}},
                "II": {"thresholds": {"dead_or_missing": {"min": 5, "article": "4.1 二级响应"}}},
                "III": {"thresholds": {"dead_or_missing": {"min": 3}}},
                "IV": {"thresholds": {"dead_or_missing": {"min": 1}}},
            }
        }
    }
}
PROVINCE_RELIEF = {
    "kinds": {"natural_disaster_relief": {"grades": {"IV": {"thresholds": {"dead_or_missing": {"min": 10}}}}}}
}


def body(code: str, table: str, data: dict, version: str = "v1", **extra) -> dict:
    return {
        "jurisdiction_code": code,
        "table_name": table,
        "version": version,
        "data": data,
        "source": f"{code} 本地规定",
        **extra,
    }


@contextmanager
def override(client, payload: dict):
    r = client.post("/api/v1/rules/overrides", json=payload)
    assert r.status_code == 201, r.text
    try:
        yield r.json()
    finally:
        assert client.delete(f"/api/v1/rules/overrides/{r.json()['id']}").status_code == 204


def relief(client, code: str | None, dead_or_missing: int) -> dict:
    payload = {"kind": "natural_disaster_relief", "dead_or_missing": dead_or_missing}
    if code:
        payload["jurisdiction"] = code
    r = client.post("/api/v1/rules/grade", json=payload)
    assert r.status_code == 200, r.text
    return r.json()


def test_county_thresholds_apply_in_the_county_only(rules_env):
    county, admin = rules_env.client("r_county_a"), rules_env.client("r_admin")
    with override(county, body("520602", "relief_response", COUNTY_RELIEF)) as row:
        assert row["created_by"] == "r_county_a" and row["jurisdiction_code"] == "520602"
        local = relief(county, "520602", 6)
        assert (local["grade"], local["label"]) == ("II", "二级响应")
        assert local["basis"] == ["二级响应: 死亡和失踪 6 人 ≥ 5 (520602 本地规定 4.1 二级响应)"]
        assert relief(county, "520602001", 6)["grade"] == "II"  # a town inherits its county's rules
        assert relief(admin, "520603", 6)["grade"] is None  # the other county keeps the national table
        assert relief(admin, None, 6)["grade"] is None
    assert relief(county, "520602", 6)["grade"] is None  # removed: national again


def test_nearest_ancestor_wins(rules_env):
    admin, county = rules_env.client("r_admin"), rules_env.client("r_county_a")
    with override(admin, body("52", "relief_response", PROVINCE_RELIEF)):
        assert relief(admin, "520603", 12)["grade"] == "IV"  # province rule
        assert relief(admin, "520603", 9)["grade"] is None
        with override(county, body("520602", "relief_response", COUNTY_RELIEF)):
            assert relief(admin, "520602001", 12)["grade"] == "I"  # county rule (nearest) wins
            assert relief(admin, "520603", 12)["grade"] == "IV"
            effective = admin.get("/api/v1/rules/tables/relief_response?jurisdiction=520602001").json()
            assert [o["jurisdiction_code"] for o in effective["overrides"]] == ["52", "520602"]
            grades = effective["kinds"]["natural_disaster_relief"]["grades"]
            assert grades["IV"]["thresholds"]["dead_or_missing"]["min"] == 1
            assert grades["IV"]["thresholds"]["needing_aid"]["min"] == 100_000  # untouched rows stay


def test_local_reporting_steps_through_the_api(rules_env):
    county = rules_env.client("r_county_a")
    oral = {
        "common_steps": {
            "village_oral": {"to": "town", "minutes": 10, "channel": "oral", "zh": "村 10 分钟内口头报告乡镇"}
        }
    }
    payload = {"kind": "production_safety", "grade": "IV", "received_at": "2026-11-24T23:55:00+08:00"}
    with override(county, body("520602", "reporting_obligations", oral)):
        got = county.post(
            "/api/v1/rules/reporting-deadlines", json={**payload, "jurisdiction": "520602001"}
        ).json()
        assert got["deadlines"][0] == {
            "to": "town",
            "due_at": "2026-11-25T00:05:00+08:00",
            "basis": "村 10 分钟内口头报告乡镇（最迟 接报后 10 分钟）(520602 本地规定)",
        }
        national = county.post("/api/v1/rules/reporting-deadlines", json=payload).json()
        assert [d["to"] for d in national["deadlines"]] == ["county", "city"]


def test_scope_and_permission(rules_env):
    county_a, county_b = rules_env.client("r_county_a"), rules_env.client("r_county_b")
    other = county_a.post("/api/v1/rules/overrides", json=body("520603", "relief_response", COUNTY_RELIEF))
    assert other.status_code == 403 and other.json()["error"]["code"] == "out_of_jurisdiction"
    above = county_a.post("/api/v1/rules/overrides", json=body("5206", "relief_response", COUNTY_RELIEF))
    assert above.status_code == 403
    for username in ("r_viewer", "r_town"):
        r = rules_env.client(username).post(
            "/api/v1/rules/overrides", json=body("520602001", "relief_response", COUNTY_RELIEF)
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    with override(county_a, body("520602", "relief_response", COUNTY_RELIEF)) as row:
        assert county_b.get(f"/api/v1/rules/overrides/{row['id']}").status_code == 404
        assert county_b.delete(f"/api/v1/rules/overrides/{row['id']}").status_code == 404
        assert row["id"] not in [o["id"] for o in county_b.get("/api/v1/rules/overrides").json()]
        assert row["id"] in [
            o["id"] for o in rules_env.client("r_viewer").get("/api/v1/rules/overrides").json()
        ]
        assert rules_env.client("r_viewer").delete(f"/api/v1/rules/overrides/{row['id']}").status_code == 403
        # rules of an unrelated place are not shown; those of one's own county are
        assert (
            county_b.post(
                "/api/v1/rules/grade", json={"kind": "production_safety", "jurisdiction": "520602"}
            ).status_code
            == 404
        )
        town = rules_env.client("r_town")
        assert (
            town.post(
                "/api/v1/rules/grade",
                json={"kind": "natural_disaster_relief", "dead_or_missing": 6, "jurisdiction": "520602"},
            ).json()["grade"]
            == "II"
        )


def test_overrides_are_audited(rules_env):
    county = rules_env.client("r_county_a")
    with override(county, body("520602", "relief_response", COUNTY_RELIEF, version="audit-1")) as row:
        pass
    with rules_env.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "rule_overrides", AuditEntry.entity_id == str(row["id"])
            )
        ).all()
    # SQLite may reuse the id of a deleted row: keep this override's entries only
    entries = [e for e in entries if (e.after or e.before or {}).get("version") == "audit-1"]
    assert sorted(e.action for e in entries) == ["create", "delete"]
    assert {e.actor for e in entries} == {"r_county_a"}


def test_versions_take_effect_from_their_date(rules_env, clock):
    county = rules_env.client("r_county_a")
    clock.freeze(datetime(2026, 11, 24, 8, tzinfo=UTC))
    later = (datetime(2026, 11, 24, 8, tzinfo=UTC) + timedelta(days=3)).isoformat()
    with override(county, body("520602", "relief_response", COUNTY_RELIEF, version="2027", valid_from=later)):
        assert relief(county, "520602", 6)["grade"] is None  # not in force yet
        dup = county.post(
            "/api/v1/rules/overrides", json=body("520602", "relief_response", COUNTY_RELIEF, version="2027")
        )
        assert dup.status_code == 409
        clock.advance(timedelta(days=3))
        assert relief(county, "520602", 6)["grade"] == "II"
        with rules_env.db.reading() as session:
            assert (
                overrides.tables_for(session, "520602", datetime(2026, 11, 25, tzinfo=UTC))[
                    "relief_response"
                ]["overrides"]
                == []
            )


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"table_name": "grading_unknown"}, "table_name"),
        ({"jurisdiction_code": "52x"}, "jurisdiction_code"),
        ({"jurisdiction_code": "520602999"}, "jurisdiction_code"),
        ({"data": {"version": "x"}}, "data.version"),
        (
            {"data": {"kinds": {"natural_disaster_relief": {"grade": {}}}}},
            "data.kinds.natural_disaster_relief.grade",
        ),
        (
            {
                "data": {
                    "kinds": {
                        "natural_disaster_relief": {
                            "grades": {"II": {"thresholds": {"dead_or_missing": {"min": 5}}}}
                        }
                    }
                }
            },
            "kinds.natural_disaster_relief.grades.III.thresholds.dead_or_missing",
        ),
        (
            {
                "data": {
                    "kinds": {
                        "natural_disaster_relief": {
                            "grades": {"IV": {"thresholds": {"dead_or_missing": {"min": -1}}}}
                        }
                    }
                }
            },
            "kinds.natural_disaster_relief.grades.IV.thresholds.dead_or_missing",
        ),
        (
            {
                "data": {
                    "kinds": {
                        "natural_disaster_relief": {"grades": {"IV": {"thresholds": {"injured": {"min": 1}}}}}
                    }
                }
            },
            "kinds.natural_disaster_relief.grades.IV.thresholds.injured",
        ),
        # a grade that is not an object: refused as the wrong shape, not a crash of the check
        (
            {"data": {"kinds": {"natural_disaster_relief": {"grades": {"IV": 5}}}}},
            "kinds.natural_disaster_relief.grades.IV",
        ),
        ({"data": {}}, "data"),
        ({"data": []}, "data"),
        ({"valid_from": "2026-11-24T08:00:00"}, "valid_from"),
    ],
)
def test_bad_overrides_are_refused_clearly(rules_env, patch, field):
    county = rules_env.client("r_county_a")
    r = county.post(
        "/api/v1/rules/overrides", json={**body("520602", "relief_response", COUNTY_RELIEF), **patch}
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed" and error["message"] and error["message_en"]
    assert field in [d["field"] for d in error["details"]]
    with rules_env.db.reading() as session:
        assert (
            session.scalars(select(RuleOverride).where(RuleOverride.jurisdiction_code == "520602")).all()
            == []
        )


def test_bad_reporting_steps_are_refused(rules_env):
    county = rules_env.client("r_county_a")
    steps = {
        "obligations": {
            "production_safety": {
                "steps": {
                    "a": {"to": "city", "after": "b", "minutes": 5},
                    "b": {"to": "city", "after": "a", "minutes": 5},
                    "c": {"to": "moon", "minutes": 5, "channel": "pigeon"},
                }
            }
        }
    }
    r = county.post("/api/v1/rules/overrides", json=body("520602", "reporting_obligations", steps))
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert {
        "obligations.production_safety.steps.a",
        "obligations.production_safety.steps.c.to",
        "obligations.production_safety.steps.c.channel",
    } <= fields


def test_rules_page_lists_tables_and_local_rules(rules_env):
    from tests.conftest import log_in

    county = rules_env.client("r_county_a")
    with override(county, body("520602", "relief_response", COUNTY_RELIEF, version="page-1")):
        browser = log_in(rules_env.app, "r_county_a", "Rules-test-2026!")
        page = browser.get("/rules")
        assert page.status_code == 200
        assert (
            "生产安全事故报告和调查处理条例" in page.text
            and "page-1" in page.text
            and "地质灾害" in page.text
        )
        table = browser.get("/rules/tables/relief_response?jurisdiction=520602001")
        assert table.status_code == 200 and "520602 本地规定" in table.text
        assert browser.get("/rules/tables/relief_response?jurisdiction=520603").status_code == 404
        added = browser.form(
            "/rules/overrides",
            {
                "jurisdiction_code": "520602001",
                "table_name": "grading_production_safety",
                "version": "form-1",
                "source": "街道规定",
                "data": '{"kinds": {"production_safety": {"settings": {"count_missing_as_deaths": true}}}}',
            },
            follow_redirects=False,
        )
        assert added.status_code == 303, added.text[:300]
        grade = county.post(
            "/api/v1/rules/grade",
            json={"kind": "production_safety", "deaths": 1, "missing": 2, "jurisdiction": "520602001"},
        )
        assert grade.json()["grade"] == "III"
        bad = browser.form(
            "/rules/overrides",
            {
                "jurisdiction_code": "520602001",
                "table_name": "relief_response",
                "version": "x",
                "source": "s",
                "data": "{not json",
            },
        )
        assert bad.status_code == 422
        with rules_env.db.reading() as session:
            made = session.scalar(select(RuleOverride).where(RuleOverride.version == "form-1"))
        assert browser.form(f"/rules/overrides/{made.id}/delete", follow_redirects=False).status_code == 303
