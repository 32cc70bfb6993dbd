"""Delivery API: a warning's delivery state, acknowledgement, door-to-door tasks, stalled
escalations, channel endpoints, escalation policies, and the SMS gateway's webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require, visible
from yingji.core.db import Actor
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.delivery import acks, endpoints, escalation, field, live, policy
from yingji.delivery.models import Dispatch, DoorTask, EscalationStep
from yingji.delivery.schemas import (
    AckOut,
    ChannelEndpointOut,
    DeliveryPreviewOut,
    DispatchOut,
    DoorTaskCloseIn,
    DoorTaskDetailOut,
    DoorTaskOut,
    EscalationPolicyOut,
    EscalationPolicySetOut,
    EscalationStepOut,
    GridWorkerOut,
    SmsReceiptsOut,
    SmsReplyIn,
    SmsReplyOut,
)
from yingji.geo.api import GEOJSON

router = APIRouter(prefix="/api/v1", tags=["delivery"])


def dispatch_out(session: Session, principal: Principal, d: Dispatch) -> dict:
    towns = live.coverage(session, principal, d, 9)
    return {
        "dispatch_id": d.id,
        "warning_id": d.warning_id,
        "root_warning_id": d.root_warning_id,
        "event": d.event,
        "identifier": d.identifier,
        "level": d.level,
        "headline": d.headline,
        "state": d.state,
        "stop_reason": d.stop_reason,
        "ack_code": d.ack_code,
        "created_at": d.created_at,
        "policy": d.policy,
        "targeting": d.targeting,
        "totals": live.totals(towns),
        "towns": towns,
        "by_channel": live.by_channel(session, principal, d),
        "steps": [step_out(s) for s in live.steps(session, d)],
        "tasks": [task_out(t) for t in live.tasks(session, principal, d)],
    }


def step_out(s: EscalationStep) -> dict:
    return {
        "id": s.id,
        "dispatch_id": s.dispatch_id,
        "seq": s.seq,
        "action": s.action,
        "due_at": s.due_at,
        "state": s.state,
        "repairs": s.repairs,
        "done_at": s.done_at,
        "result": s.result,
    }


def task_out(t: DoorTask) -> dict:
    return {
        "id": t.id,
        "dispatch_id": t.dispatch_id,
        "grid_cell_id": t.grid_cell_id,
        "jurisdiction_code": t.jurisdiction_code,
        "state": t.state,
        "households_total": t.households_total,
        "vulnerable_total": t.vulnerable_total,
        "households_reached": t.households_reached,
        "closed_at": t.closed_at,
        "note": t.note,
    }


@router.get("/warnings/{warning_id}/delivery", response_model=DispatchOut)
def warning_delivery(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return dispatch_out(session, principal, live.dispatch_for_warning(session, principal, warning_id))


@router.get(
    "/warnings/{warning_id}/delivery/cells", response_class=Response, responses=GEOJSON, response_model=None
)
def warning_cells(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    dispatch = live.dispatch_for_warning(session, principal, warning_id)
    return Response(live.cells_geojson(session, principal, dispatch), media_type="application/geo+json")


@router.get("/warnings/{warning_id}/recipients-preview", response_model=DeliveryPreviewOut)
def warning_preview(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    from yingji.delivery.targeting import preview
    from yingji.warnings.models import Warning

    require(principal, Perm.WARNING_DRAFT)
    return preview(session, visible(principal, session.get(Warning, warning_id)))


@router.get("/delivery/dispatches/{dispatch_id}", response_model=DispatchOut)
def get_dispatch(dispatch_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return dispatch_out(session, principal, live.get_dispatch(session, principal, dispatch_id))


@router.post("/delivery/dispatches/{dispatch_id}/ack", response_model=AckOut)
def ack(dispatch_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    result = acks.ack_in_app(session, principal, dispatch_id)
    return {"dispatch_id": dispatch_id, "new": result.new, "cells": result.cells}


@router.get("/delivery/field", response_model=GridWorkerOut)
def my_field(principal: CurrentPrincipal, session: DbSession) -> dict:
    return {
        "warnings": [
            {
                "dispatch_id": w.dispatch.id,
                "headline": w.dispatch.headline,
                "level": w.dispatch.level,
                "acknowledged": w.acknowledged,
            }
            for w in field.my_warnings(session, principal)
        ],
        "tasks": [task_out(t) for t in field.my_tasks(session, principal)],
    }


@router.get("/delivery/tasks/{task_id}", response_model=DoorTaskDetailOut)
def get_task(task_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    task = field.get_task(session, principal, task_id)
    residents = [
        {
            "name": r.name,
            "household": r.household,
            "mobile": mask_phone(r.mobile, principal),
            "disabled": r.disabled,
            "lives_alone": r.lives_alone,
            "very_old": r.very_old,
        }
        for r in field.task_residents(session, task)
    ]
    return task_out(task) | {"residents": residents}


@router.post("/delivery/tasks/{task_id}/close", response_model=DoorTaskOut)
def close_task(task_id: int, data: DoorTaskCloseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    task = field.close_task(session, principal, task_id, data.households_reached, data.note, data.client_key)
    return task_out(task)


@router.get("/delivery/stalled", response_model=list[EscalationStepOut])
def stalled_steps(principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    """Escalation steps that stalled or are late (the auditor's list)."""
    require(principal, Perm.WARNING_PUBLISH)
    return [
        step_out(s)
        for s in escalation.stalled(session, in_scope(EscalationStep.jurisdiction_code, principal))
    ]


# -- channel endpoints ------------------------------------------------------------------------
@router.get("/delivery/endpoints", response_model=list[ChannelEndpointOut])
def list_endpoints(
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str | None, Query(pattern="^(sms|email|wecom|dingtalk|broadcast)$")] = None,
) -> list[dict]:
    return [endpoints.to_out(e) for e in endpoints.search(session, principal, kind)]


@router.post("/delivery/endpoints", status_code=201, response_model=ChannelEndpointOut)
def create_endpoint(data: endpoints.EndpointIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return endpoints.to_out(endpoints.create(session, principal, data))


@router.get("/delivery/endpoints/{endpoint_id}", response_model=ChannelEndpointOut)
def get_endpoint(endpoint_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return endpoints.to_out(endpoints.get(session, principal, endpoint_id))


@router.patch("/delivery/endpoints/{endpoint_id}", response_model=ChannelEndpointOut)
def update_endpoint(
    endpoint_id: int, patch: endpoints.EndpointPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return endpoints.to_out(endpoints.update(session, principal, endpoint_id, patch))


# -- escalation policies ----------------------------------------------------------------------
@router.get("/delivery/policies/{code}/{level}", response_model=EscalationPolicyOut)
def get_policy(code: str, level: str, principal: CurrentPrincipal, session: DbSession) -> dict:
    if not principal.covers(code) or level not in policy.LEVELS:
        raise NotFound()
    return policy.policy_for(session, code, level)


@router.put("/delivery/policies/{code}/{level}", response_model=EscalationPolicySetOut)
def put_policy(
    code: str, level: str, data: policy.PolicyIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    row = policy.set_policy(session, principal, code, level, data)
    return {
        "jurisdiction_code": row.jurisdiction_code,
        "level": row.level,
        "version": row.version,
        "steps": row.steps,
    }


# -- the SMS gateway's webhooks (token, no user) ---------------------------------------------
@router.post("/notify/sms/receipts", tags=["webhooks"], response_model=SmsReceiptsOut)
def sms_receipts(
    body: Annotated[dict | list, Body()],
    session: DbSession,
    x_yingji_token: Annotated[str | None, Header()] = None,
) -> dict:
    """Delivery reports: ``{"receipts": [{"id": "yj-…", "status": "delivered"|"failed", "error"}]}``."""
    session.info["actor"] = Actor.system("sms-gateway")
    acks.check_gateway(session, x_yingji_token)
    return acks.receipts(session, acks.parse_items(body))


@router.post(
    "/notify/sms/inbound", tags=["webhooks"], response_model=SmsReplyOut, response_model_exclude_unset=True
)
def sms_inbound(
    data: SmsReplyIn, session: DbSession, x_yingji_token: Annotated[str | None, Header()] = None
) -> dict:
    """A reply SMS: "1" / "收到" (+ the warning's code) acknowledges for the sender."""
    session.info["actor"] = Actor.system("sms-gateway")
    acks.check_gateway(session, x_yingji_token)
    result = acks.sms_reply(session, data.sender, data.text)
    if result is None:
        return {"matched": False}
    return {"matched": True, "dispatch_id": result.dispatch_id, "new": result.new, "cells": result.cells}
