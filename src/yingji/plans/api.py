"""Plans API (/api/v1/plans…). Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.plans import digital
from yingji.plans.models import Plan
from yingji.plans.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    CandidatesOut,
    CheckItemIn,
    ChecklistOut,
    FromRulesIn,
    LevelIn,
    PlanItemOut,
    PreviewOut,
    ResponsePartOut,
)
from yingji.response import plan_checklist, plan_run

router = APIRouter(prefix="/api/v1", tags=["plans"])
LevelNo = Annotated[int, Path(ge=1, le=4)]


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------


# -- coverage ---------------------------------------------------------------------------------------


# -- digital plans: the response part, activation under a plan --------------------------------------
@router.get("/plans/{plan_id}/response-part", response_model=ResponsePartOut)
def get_response_part(plan_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The plan's response part: levels with their triggers (text and conditions) and actions."""
    return digital.part(session, digital.plan_for_read(session, principal, plan_id))


@router.put("/plans/{plan_id}/levels/{level}", response_model=ResponsePartOut)
def put_level(
    plan_id: int, level: LevelNo, data: LevelIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Create or change a level's trigger; answers the whole response part."""
    row = digital.set_level(session, principal, plan_id, level, data)
    return digital.part(session, session.get(Plan, row.plan_id))


@router.delete("/plans/{plan_id}/levels/{level}", response_model=ResponsePartOut)
def delete_level(plan_id: int, level: LevelNo, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Remove a level with its actions (409 when a response already used them)."""
    digital.delete_level(session, principal, plan_id, level)
    return digital.part(session, session.get(Plan, plan_id))


@router.post("/plans/{plan_id}/response-part/from-rules", response_model=ResponsePartOut)
def levels_from_rules(
    plan_id: int, data: FromRulesIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Fill the levels' triggers from a grading table of the law (Ⅰ级 = grade I …)."""
    return digital.part(session, digital.levels_from_rules(session, principal, plan_id, data))


@router.post("/plans/{plan_id}/levels/{level}/actions", response_model=ActionOut, status_code=201)
def add_action(
    plan_id: int, level: LevelNo, data: ActionIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    action = digital.add_action(session, principal, plan_id, level, data)
    return digital.action_out(action, digital.hq_unit(session, session.get(Plan, plan_id)))


@router.patch("/plans/{plan_id}/actions/{action_id}", response_model=ActionOut)
def update_action(
    plan_id: int, action_id: int, patch: ActionPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    action = digital.update_action(session, principal, plan_id, action_id, patch)
    return digital.action_out(action, digital.hq_unit(session, session.get(Plan, plan_id)))


@router.delete("/plans/{plan_id}/actions/{action_id}", response_model=ResponsePartOut)
def delete_action(plan_id: int, action_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Remove an action (409 when a response already created tasks from it)."""
    digital.delete_action(session, principal, plan_id, action_id)
    return digital.part(session, session.get(Plan, plan_id))


@router.get("/incidents/{incident_id}/response/plans", response_model=CandidatesOut)
def response_plans(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The plans in force that fit the incident, each with the level its conditions propose."""
    return {"incident_id": incident_id, "plans": plan_run.proposals(session, principal, incident_id)}


@router.get("/incidents/{incident_id}/response/plans/{plan_id}/preview", response_model=PreviewOut)
def response_plan_preview(
    incident_id: int,
    plan_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> dict:
    """What activating at ``level`` (the proposed level by default) would create, before confirming."""
    return plan_run.preview(session, principal, incident_id, plan_id, level)


@router.get("/incidents/{incident_id}/response/checklist", response_model=ChecklistOut)
def response_checklist(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The items the plan made for the incident: tasks (with their state), notices, checks."""
    return plan_checklist.checklist(session, principal, incident_id)


@router.post("/response/checklist/{item_id}", response_model=PlanItemOut)
def tick_checklist_item(
    item_id: int, data: CheckItemIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Tick (``done``: true) or reopen a checklist item."""
    return plan_checklist.tick(session, principal, item_id, data.done, data.note)
