"""Alarms API: alarm rules (own, defaults, effective at a point) and alarms, acknowledged and cleared."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.monitoring import alarm_rules, alarms, out, points
from yingji.monitoring.models import LEVELS
from yingji.monitoring.schemas import (
    AlarmDetailOut,
    AlarmNoteIn,
    AlarmOut,
    AlarmPage,
    RuleBookEntryOut,
    RuleIn,
    RuleOut,
    RulePatch,
)
from yingji.org.params import PageNo, PageSize

router = APIRouter()


# -- alarm rules ----------------------------------------------------------------------------------------
@router.get("/alarm-rules", response_model=list[RuleOut])
def list_rules(principal: CurrentPrincipal, session: DbSession, point_id: int | None = None):
    """Rules of places and points in scope (defaults at ``/alarm-rules/defaults``)."""
    return out.answer([out.rule(r) for r in alarm_rules.search(session, principal, point_id=point_id)])


@router.get("/alarm-rules/defaults", response_model=list[RuleBookEntryOut])
def default_rules(principal: CurrentPrincipal) -> list[dict]:
    """The packaged default rules with their sources."""
    return [out.rule_book_entry(r) for r in alarm_rules.defaults()]


@router.get("/hazard-points/{point_id}/effective-rules", response_model=list[RuleBookEntryOut])
def effective_rules(point_id: int, principal: CurrentPrincipal, session: DbSession, kind: str = "rain_gauge"):
    """The rules a sensor of ``kind`` at this point is evaluated with, and where each comes from."""
    point = points.get(session, principal, point_id)
    return [out.rule_book_entry(r) for r in alarm_rules.effective_for(session, principal, point, kind)]


@router.post("/alarm-rules", status_code=201, response_model=RuleOut)
def create_rule(data: RuleIn, principal: CurrentPrincipal, session: DbSession):
    """A rule for a point or a place's subtree."""
    return out.answer(out.rule(alarm_rules.create(session, principal, data)), 201)


@router.patch("/alarm-rules/{rule_id}", response_model=RuleOut)
def patch_rule(rule_id: int, data: RulePatch, principal: CurrentPrincipal, session: DbSession):
    """Change a rule."""
    return out.answer(out.rule(alarm_rules.update(session, principal, rule_id, data)))


@router.delete("/alarm-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Remove a rule."""
    alarm_rules.delete(session, principal, rule_id)
    return Response(status_code=204)


# -- alarms -----------------------------------------------------------------------------------------------
@router.get("/alarms", response_model=AlarmPage)
def list_alarms(
    principal: CurrentPrincipal,
    session: DbSession,
    state: Annotated[str, Query(pattern="^(open|acknowledged|cleared|all)$")] = "open",
    level: Annotated[str | None, Query(pattern="^(" + "|".join(LEVELS) + ")$")] = None,
    point_id: int | None = None,
    sensor_id: int | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
):
    """Open alarms (open or acknowledged) by severity, or the history (``state=all|cleared|…``)."""
    result = alarms.search(
        session,
        principal,
        state=None if state == "all" else state,
        level=level,
        point_id=point_id,
        sensor_id=sensor_id,
        page=page,
        size=size,
    )
    body = {"items": [out.alarm(a) for a in result.items], "total": result.total, "page": result.page}
    body["counts"] = alarms.board_counts(session, principal)
    return out.answer(body)


@router.get("/alarms/{alarm_id}", response_model=AlarmDetailOut)
def get_alarm(alarm_id: int, principal: CurrentPrincipal, session: DbSession):
    """An alarm with its history."""
    alarm = alarms.get(session, principal, alarm_id)
    return out.answer(out.alarm(alarm) | {"events": [out.event(e) for e in alarms.events_of(session, alarm)]})


@router.post("/alarms/{alarm_id}/ack", response_model=AlarmOut)
def ack_alarm(
    alarm_id: int, principal: CurrentPrincipal, session: DbSession, data: AlarmNoteIn | None = None
):
    """Acknowledge an alarm (alarm.ack, in one's area)."""
    return out.answer(out.alarm(alarms.acknowledge(session, principal, alarm_id, data.note if data else "")))


@router.post("/alarms/{alarm_id}/clear", response_model=AlarmOut)
def clear_alarm(
    alarm_id: int, principal: CurrentPrincipal, session: DbSession, data: AlarmNoteIn | None = None
):
    """Clear an alarm by hand, with the reason."""
    return out.answer(
        out.alarm(alarms.clear_by_hand(session, principal, alarm_id, data.note if data else ""))
    )
