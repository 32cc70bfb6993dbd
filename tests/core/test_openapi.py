"""Every API answer is described in ``/api/openapi.json`` (issue 16): a JSON body by an ``Out`` model
(``response_model=``), a file, a map layer or a stream by its media type (``responses=``, see
``files/openapi.py``, ``geo/api.GEOJSON``). A new route without one fails here.

The lists below name the routes not yet typed. They may only shrink: an entry whose route is now
described (or gone) fails the test too, so the list is kept honest when a branch that types them
is merged."""

from __future__ import annotations

from typing import Any

# Routes with no schema at all for their 2xx answer: none left.
NO_SCHEMA_ALLOWED: set[str] = set()

# Routes whose JSON answer is described only as "an object" / "a list of objects" (a ``-> dict``
# return annotation, no Out model), so API users learn nothing from it (see docs/ARCHITECTURE.md
# "Typed answers"): none left; the lists stay so that a new such route has to be named here.
SHAPELESS_ALLOWED: set[str] = set()


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
