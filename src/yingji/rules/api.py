"""Rules API: grading and reporting deadlines (one JSON object in, one out), the code and rule tables,
and per-jurisdiction overrides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.scope import Principal
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.org.params import query_code
from yingji.rules import grading, interface, overrides, tables, views
from yingji.rules.schemas import (
    DeadlinesOut,
    GradeOut,
    OverrideIn,
    OverrideOut,
    RuleTableOut,
    RuleTableRef,
)

api = APIRouter(prefix="/api/v1/rules", tags=["rules"])
GRADE_EXAMPLE = {"kind": "production_safety", "deaths": 3, "serious_injuries": 0, "direct_loss_cny": 0}
DEADLINES_EXAMPLE = {
    "kind": "production_safety",
    "grade": "III",
    "received_at": "2026-11-24T23:30:00+08:00",
    "jurisdiction": "520602",
}
GradePayload = Annotated[Any, Body(openapi_examples={"accident": {"value": GRADE_EXAMPLE}})]
DeadlinesPayload = Annotated[Any, Body(openapi_examples={"accident": {"value": DEADLINES_EXAMPLE}})]


def _tables_for(session, principal: Principal):
    def resolve(code: str) -> dict[str, dict]:
        overrides.check_related(principal, code)
        return overrides.tables_for(session, code)

    return resolve


@api.post("/grade", response_model=GradeOut)
def grade(payload: GradePayload, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Grade an event: ``{"kind", …measures}`` → ``{"grade", "label", "basis"}``."""
    return interface.grade_request(payload, _tables_for(session, principal))


@api.post("/reporting-deadlines", response_model=DeadlinesOut)
def reporting_deadlines(payload: DeadlinesPayload, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Reporting deadlines: ``{"kind", "grade", "received_at", "jurisdiction"}`` → ``{"deadlines": […]}``."""
    return interface.deadlines_request(payload, _tables_for(session, principal))


@api.get("/categories", response_model=RuleTableOut)
def event_categories(principal: CurrentPrincipal) -> dict:
    """The versioned event-category code table."""
    return grading.categories()


@api.get("/tables", response_model=list[RuleTableRef])
def list_tables(principal: CurrentPrincipal) -> list[dict]:
    """The rule tables a jurisdiction may override, with their version and source."""
    return [
        {"name": name, "version": tables.base(name)["version"], "source": tables.base(name)["source"]}
        for name in tables.TABLE_NAMES
    ]


@api.get("/tables/{name}", response_model=RuleTableOut)
def effective_table(
    name: str, principal: CurrentPrincipal, session: DbSession, jurisdiction: str | None = None
) -> dict:
    """A rule table as it applies in a jurisdiction (default: the user's own)."""
    if name not in tables.TABLE_NAMES:
        raise NotFound()
    code = query_code(jurisdiction, "jurisdiction") or principal.jurisdiction_code
    if not code:
        return tables.effective(name, [])
    overrides.check_related(principal, code)
    return overrides.tables_for(session, code)[name]


@api.get("/overrides", response_model=list[OverrideOut])
def list_overrides(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    table: Annotated[str | None, Query(max_length=60)] = None,
) -> list[OverrideOut]:
    """Overrides set in the user's scope."""
    found = overrides.search(session, principal, within=query_code(within, "within"), table_name=table)
    return [overrides.to_out(r) for r in found]


@api.post("/overrides", response_model=OverrideOut, status_code=201)
def create_override(data: OverrideIn, principal: CurrentPrincipal, session: DbSession) -> OverrideOut:
    """Add a per-jurisdiction override (needs the grading.manage permission in that place)."""
    return overrides.to_out(overrides.create(session, principal, data))


@api.get("/overrides/{override_id}", response_model=OverrideOut)
def get_override(override_id: int, principal: CurrentPrincipal, session: DbSession) -> OverrideOut:
    """One override."""
    return overrides.to_out(overrides.get(session, principal, override_id))


@api.delete("/overrides/{override_id}", status_code=204)
def delete_override(override_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    """Remove an override."""
    overrides.delete(session, principal, override_id)


# Pages first, then the JSON API (one router per domain module, as app.py expects).
router = APIRouter()
router.include_router(views.router)
router.include_router(api)
