"""Every API answer is described in ``/api/openapi.json`` (issue 16): a JSON body by an ``Out`` model
(``response_model=``), a file, a map layer or a stream by its media type (``responses=``, see
``files/openapi.py``, ``geo/api.GEOJSON``). A new route without one fails here.

The lists below name the routes not yet typed. They may only shrink: an entry whose route is now
described (or gone) fails the test too, so the list is kept honest when a branch that types them
is merged."""

from __future__ import annotations

from typing import Any

# Routes with no schema at all for their 2xx answer: the stock documents (supplies/, reworked for
# speed beside this test), the tip-off statistics export and the CAP XML download, still to declare.
NO_SCHEMA_ALLOWED: set[str] = {
    "POST /api/v1/incidents/{incident_id}/supplies/requests",
    "GET /api/v1/map/stores",
    "GET /api/v1/risk/tipoffs/stats/export",
    "POST /api/v1/supplies/counts",
    "GET /api/v1/supplies/gaps.xlsx",
    "POST /api/v1/supplies/issues",
    "POST /api/v1/supplies/receipts",
    "POST /api/v1/supplies/transfers",
    "POST /api/v1/supplies/transfers/{document_id}/receive",
}

# Routes whose JSON answer is described only as "an object" / "a list of objects" (a ``-> dict``
# return annotation, no Out model), so API users learn nothing from it. First those of the domains
# above, then the routes still to type in the others (a dict built in the route: an Out model for
# each, keeping the body byte for byte; see docs/ARCHITECTURE.md "Typed answers").
SHAPELESS_ALLOWED: set[str] = {
    # supplies/ and risk/tipoffs/
    "GET /api/v1/incidents/{incident_id}/supplies/recommend",
    "POST /api/v1/supplies/allocation",
    "GET /api/v1/supplies/catalogue",
    "POST /api/v1/supplies/catalogue/items",
    "POST /api/v1/supplies/catalogue/standard",
    "GET /api/v1/supplies/documents/{document_id}",
    "GET /api/v1/supplies/expiring",
    "GET /api/v1/supplies/gaps",
    "GET /api/v1/supplies/incoming",
    "GET /api/v1/supplies/maintenance/tasks",
    "POST /api/v1/supplies/maintenance/tasks/{task_id}/record",
    "GET /api/v1/supplies/reserve-standards",
    "PUT /api/v1/supplies/reserve-standards",
    "GET /api/v1/supplies/warehouses",
    "POST /api/v1/supplies/warehouses",
    "GET /api/v1/supplies/warehouses/{warehouse_id}",
    "PATCH /api/v1/supplies/warehouses/{warehouse_id}",
    "GET /api/v1/supplies/warehouses/{warehouse_id}/cards/{item_code}",
    "POST /api/v1/supplies/warehouses/{warehouse_id}/keepers",
    # still to type here
    "POST /api/v1/consultation-decisions/{decision_id}/task",
    "GET /api/v1/duty/board",
    "GET /api/v1/duty/gaps",
    "POST /api/v1/duty/handover-items/{item_id}/close",
    "POST /api/v1/duty/handovers/{handover_id}/confirm",
    "GET /api/v1/duty/leaves",
    "POST /api/v1/duty/leaves",
    "GET /api/v1/duty/leaves/{leave_id}",
    "POST /api/v1/duty/leaves/{leave_id}/cancel",
    "POST /api/v1/duty/leaves/{leave_id}/decision",
    "GET /api/v1/duty/now",
    "DELETE /api/v1/duty/overrides/{override_id}",
    "GET /api/v1/duty/report-settings",
    "PUT /api/v1/duty/report-settings",
    "GET /api/v1/duty/reports",
    "POST /api/v1/duty/reports",
    "GET /api/v1/duty/reports/summary",
    "GET /api/v1/duty/reports/{report_id}",
    "GET /api/v1/duty/rosters",
    "POST /api/v1/duty/rosters",
    "GET /api/v1/duty/rosters/{roster_id}",
    "PATCH /api/v1/duty/rosters/{roster_id}",
    "GET /api/v1/duty/rosters/{roster_id}/handovers",
    "POST /api/v1/duty/rosters/{roster_id}/handovers",
    "GET /api/v1/duty/rosters/{roster_id}/overrides",
    "POST /api/v1/duty/rosters/{roster_id}/overrides",
    "PUT /api/v1/duty/rosters/{roster_id}/rotations",
    "GET /api/v1/duty/rosters/{roster_id}/shifts",
    "POST /api/v1/duty/rosters/{roster_id}/swaps",
    "GET /api/v1/duty/special-periods",
    "POST /api/v1/duty/special-periods",
    "GET /api/v1/escalation-policies/{code}",
    "PUT /api/v1/escalation-policies/{code}",
    "GET /api/v1/forces/board",
    "GET /api/v1/forces/checks",
    "PUT /api/v1/forces/equipment/{item_id}",
    "GET /api/v1/forces/members/{member_id}",
    "PATCH /api/v1/forces/members/{member_id}",
    "GET /api/v1/forces/nearest",
    "GET /api/v1/forces/roads",
    "POST /api/v1/forces/roads",
    "GET /api/v1/forces/teams",
    "POST /api/v1/forces/teams",
    "GET /api/v1/forces/teams/{team_id}",
    "PATCH /api/v1/forces/teams/{team_id}",
    "POST /api/v1/forces/teams/{team_id}/equipment",
    "POST /api/v1/forces/teams/{team_id}/members",
    "GET /api/v1/forces/teams/{team_id}/readiness",
    "POST /api/v1/forces/teams/{team_id}/readiness",
    "GET /api/v1/grid-cells",
    "POST /api/v1/grid-cells/{cell_id}/assignments",
    "GET /api/v1/incident-categories",
    "GET /api/v1/incidents/duplicates",
    "POST /api/v1/incidents/{incident_id}/acknowledge",
    "POST /api/v1/incidents/{incident_id}/close",
    "PUT /api/v1/incidents/{incident_id}/command-post",
    "POST /api/v1/incidents/{incident_id}/consultations",
    "GET /api/v1/incidents/{incident_id}/dispatch/teams",
    "POST /api/v1/incidents/{incident_id}/dispatch/teams",
    "GET /api/v1/incidents/{incident_id}/duplicates",
    "POST /api/v1/incidents/{incident_id}/forward",
    "PUT /api/v1/incidents/{incident_id}/investigation",
    "POST /api/v1/incidents/{incident_id}/investigation/extend",
    "POST /api/v1/incidents/{incident_id}/photos",
    "GET /api/v1/incidents/{incident_id}/response",
    "POST /api/v1/incidents/{incident_id}/response/activate",
    "POST /api/v1/incidents/{incident_id}/response/adjust",
    "POST /api/v1/incidents/{incident_id}/response/end",
    "POST /api/v1/incidents/{incident_id}/sitreps",
    "POST /api/v1/incidents/{incident_id}/tasks",
    "GET /api/v1/incidents/{incident_id}/timeline",
    "GET /api/v1/jurisdictions/{code}",
    "GET /api/v1/locate",
    "GET /api/v1/people",
    "GET /api/v1/risk/clearing",
    "GET /api/v1/risk/dangers",
    "POST /api/v1/risk/dangers",
    "GET /api/v1/risk/dangers/{danger_id}",
    "POST /api/v1/risk/dangers/{danger_id}/photos/{stage}",
    "POST /api/v1/risk/dangers/{danger_id}/{action}",
    "GET /api/v1/risk/enterprises",
    "POST /api/v1/risk/enterprises",
    "GET /api/v1/risk/enterprises/{enterprise_id}",
    "PATCH /api/v1/risk/enterprises/{enterprise_id}",
    "GET /api/v1/risk/inspections",
    "POST /api/v1/risk/inspections",
    "GET /api/v1/risk/inspections/{inspection_id}",
    "GET /api/v1/risk/meetings",
    "POST /api/v1/risk/meetings",
    "POST /api/v1/risk/meetings/{meeting_id}/report",
    "GET /api/v1/risk/plans",
    "POST /api/v1/risk/plans",
    "GET /api/v1/risk/plans/{plan_id}",
    "GET /api/v1/risk/points",
    "POST /api/v1/risk/points",
    "GET /api/v1/risk/points/{point_id}",
    "POST /api/v1/risk/points/{point_id}/assessments",
    "GET /api/v1/risk/score",
    "GET /api/v1/risk/settings/{code}",
    "PUT /api/v1/risk/settings/{code}",
    "GET /api/v1/sitreps/{sitrep_id}",
    "GET /api/v1/stats",
    "GET /api/v1/stats/incidents",
    "GET /api/v1/tasks",
    "GET /api/v1/tasks/overdue",
    "GET /api/v1/tasks/{task_id}",
    "POST /api/v1/tasks/{task_id}/{action}",
    "GET /api/v1/units",
    "POST /api/v1/units",
    "GET /api/v1/units/{unit_id}",
    "PATCH /api/v1/units/{unit_id}",
    "POST /api/v1/units/{unit_id}/positions",
}


def described(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Does the schema name what comes back (fields, or a list of such), not just "an object"?"""
    if not schema:
        return False
    if "$ref" in schema:
        return described(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts = [s for s in schema[key] if s.get("type") != "null"]
            return bool(parts) and all(described(s, components) for s in parts)
    kind = schema.get("type")
    if kind == "array":
        return described(schema.get("items", {}), components)
    if kind == "object":
        extra = schema.get("additionalProperties")
        return bool(schema.get("properties")) or (isinstance(extra, dict) and described(extra, components))
    return kind is not None or "const" in schema or "enum" in schema


def _answers(spec: dict[str, Any]):
    """(``"METHOD /path"``, the first 2xx response) of every operation."""
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = sorted(c for c in op.get("responses", {}) if str(c).startswith("2"))
            yield (
                f"{method.upper()} {path}",
                ok[0] if ok else None,
                op["responses"].get(ok[0]) if ok else None,
            )


def survey(spec: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Operations with no schema for their answer, and JSON answers described only as objects."""
    components = spec.get("components", {}).get("schemas", {})
    none, shapeless = set(), set()
    for name, code, response in _answers(spec):
        if code == "204":
            continue  # no body
        content = (response or {}).get("content") or {}
        schemas = {media: (body or {}).get("schema") or {} for media, body in content.items()}
        if not any(schemas.values()):
            none.add(name)
        elif "application/json" in schemas and not described(schemas["application/json"], components):
            shapeless.add(name)
    return none, shapeless


def _spec(app) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        r = c.get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_every_answer_has_a_schema(app):
    none, _ = survey(_spec(app))
    assert sorted(none - NO_SCHEMA_ALLOWED) == [], "declare response_model= (JSON) or responses= (files)"
    assert sorted(NO_SCHEMA_ALLOWED - none) == [], "described now (or gone): drop from NO_SCHEMA_ALLOWED"


def test_json_answers_name_their_fields(app):
    _, shapeless = survey(_spec(app))
    assert sorted(shapeless - SHAPELESS_ALLOWED) == [], "give the route an Out model, not -> dict"
    assert sorted(SHAPELESS_ALLOWED - shapeless) == [], "typed now (or gone): drop from SHAPELESS_ALLOWED"


def test_survey_can_fail():
    """The checks see a missing schema and a bare object (so the tests above can fail)."""
    spec = {
        "paths": {
            "/a": {"get": {"responses": {"200": {"description": "x"}}}},
            "/b": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}},
            "/c": {
                "post": {
                    "responses": {"201": {"content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            },
            "/d": {"delete": {"responses": {"204": {"description": "gone"}}}},
            "/e": {
                "get": {
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/x/E"}}}}}
                }
            },
        },
        "components": {"schemas": {"E": {"type": "object", "properties": {"id": {"type": "integer"}}}}},
    }
    assert survey(spec) == ({"GET /a", "GET /b"}, {"POST /c"})
