"""Evacuation pages, the orders: those that reach my place (live ones first) and the new-order form
(by area codes or from a hazard point, prefilled from a warning, an alarm or an incident)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.evacuation import board
from yingji.evacuation.codes import OrderSource, OrderState
from yingji.evacuation.schemas import OrderIn
from yingji.evacuation.views import prefill
from yingji.evacuation.views.common import form_errors, page

router = APIRouter(include_in_schema=False)

StateQ = Annotated[OrderState | None, Query()]
Id = Annotated[int | None, Query(ge=1, le=2**62)]


@router.get("/evacuation")
def orders_page(request: Request, principal: CurrentPrincipal, session: DbSession, state: StateQ = None):
    """The orders that reach my place, live ones first, each with its accounting in my place."""
    require(principal, Perm.ORG_READ)
    rows = board.orders(session, principal, states=(state.value,) if state else None)
    rows.sort(key=lambda o: (o.state not in board.LIVE,))
    ctx = {
        "orders": rows,
        "counts": board.counts(session, principal, [o.id for o in rows]),
        "state": state.value if state else "",
        "states": list(OrderState),
        "can_order": principal.can(Perm.EVACUATION_ORDER),
        "field_link": principal.can(Perm.EVACUATION_MARK),
    }
    return page(request, "evacuation/list.html", ctx)


@router.get("/evacuation/new")
def new_order(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    warning_id: Id = None,
    alarm_id: Id = None,
    incident_id: Id = None,
    hazard_point_id: Id = None,
):
    """The new-order form, prefilled from its source when there is one."""
    require(principal, Perm.EVACUATION_ORDER)
    form = prefill.form_of(
        session,
        principal,
        warning_id=warning_id,
        alarm_id=alarm_id,
        incident_id=incident_id,
        hazard_point_id=hazard_point_id,
    )
    return page(request, "evacuation/new.html", prefill.context(session, principal, form, {}))


def _codes(text: str, picked: list[str]) -> list[str]:
    out = [c for c in picked if c]
    out += [c for c in re.split(r"[\s,，、;；]+", text or "") if c]
    return list(dict.fromkeys(out))


@router.post("/evacuation/new")
def create_order(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    title: Annotated[str, Form(max_length=400)] = "",
    source: Annotated[str, Form(max_length=20)] = OrderSource.MANUAL.value,
    area: Annotated[list[str] | None, Form()] = None,
    area_text: Annotated[str, Form(max_length=8000)] = "",
    warning_id: Annotated[str, Form(max_length=20)] = "",
    alarm_id: Annotated[str, Form(max_length=20)] = "",
    incident_id: Annotated[str, Form(max_length=20)] = "",
    hazard_point_id: Annotated[str, Form(max_length=20)] = "",
    hazard_kind: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    client_key: Annotated[str, Form(max_length=80)] = "",
):
    require(principal, Perm.EVACUATION_ORDER)
    form = {
        "title": title,
        "source": source,
        "area_codes": _codes(area_text, area or []),
        "warning_id": warning_id,
        "alarm_id": alarm_id,
        "incident_id": incident_id,
        "hazard_point_id": hazard_point_id,
        "hazard_kind": hazard_kind,
        "reason": reason,
        "client_key": client_key,
    }
    try:
        with session.begin_nested():
            data = OrderIn(
                title=title,
                source=source,
                area_codes=prefill.normalised(form["area_codes"]),
                warning_id=prefill.int_or_none(warning_id),
                alarm_id=prefill.int_or_none(alarm_id),
                incident_id=prefill.int_or_none(incident_id),
                hazard_point_id=prefill.int_or_none(hazard_point_id),
                hazard_kind=hazard_kind or None,
                reason=reason or None,
                client_key=client_key or None,
            )
            order = prefill.issue(session, principal, data)
    except (ValidationError, YingjiError) as exc:
        errors = form_errors(exc)
        return page(request, "evacuation/new.html", prefill.context(session, principal, form, errors), 422)
    return RedirectResponse(f"/evacuation/{order.id}", status_code=303)
