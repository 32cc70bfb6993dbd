"""Evacuation API (/api/v1/…). Every route declares its ``response_model``.

Orders (issue from a warning, an alarm, an incident, a hazard point or by hand; lift, cancel, close),
their tasks and the worker's own, the households of a task, the field's batches of marks, the live
tally and the unaccounted; threat lists of hazard points, the threatened under a warning, routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.evacuation import marks, orders, tally, tasks, threats
from yingji.evacuation.codes import OrderState
from yingji.evacuation.schemas import (
    HouseholdOut,
    LiftIn,
    MarksIn,
    MarksOut,
    OrderIn,
    OrderOut,
    OrderPageOut,
    RouteIn,
    RouteOut,
    RoutePatch,
    TallyOut,
    TaskOut,
    ThreatenedOut,
    ThreatListOut,
    ThreatsIn,
    UnaccountedOut,
)
from yingji.org.params import PageNo, PageSize, query_code

router = APIRouter(prefix="/api/v1", tags=["evacuation"])
StateQ = Annotated[str | None, Query(pattern="^(" + "|".join(s.value for s in OrderState) + ")$")]
KindQ = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]+$")]


@router.get("/evacuation/orders", response_model=OrderPageOut)
def list_orders(
    principal: CurrentPrincipal,
    session: DbSession,
    state: StateQ = None,
    warning_id: int | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Orders issued in one's jurisdiction, or above it with an area reaching it; newest first."""
    items, total = orders.search(session, principal, state=state, warning_id=warning_id, page=page, size=size)
    return {"items": items, "total": total, "page": page, "size": size}


@router.post("/evacuation/orders", response_model=OrderOut, status_code=201)
def issue_order(data: OrderIn, principal: CurrentPrincipal, session: DbSession):
    """Issue an order (转移令). The same ``client_key`` again answers the order already issued."""
    return orders.issue(session, principal, data)


@router.get("/evacuation/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: int, principal: CurrentPrincipal, session: DbSession):
    return orders.get(session, principal, order_id)


@router.post("/evacuation/orders/{order_id}/lift", response_model=OrderOut)
def lift_order(order_id: int, data: LiftIn, principal: CurrentPrincipal, session: DbSession):
    """解除: people may go home; marks of return are accepted. A note is required."""
    return orders.lift(session, principal, order_id, data)


@router.post("/evacuation/orders/{order_id}/cancel", response_model=OrderOut)
def cancel_order(order_id: int, data: LiftIn, principal: CurrentPrincipal, session: DbSession):
    """Issued in error: read-only from now on (its marks are kept)."""
    return orders.cancel(session, principal, order_id, data)


@router.post("/evacuation/orders/{order_id}/close", response_model=OrderOut)
def close_order(order_id: int, principal: CurrentPrincipal, session: DbSession):
    """Everyone is home or accounted for (a lifted order only)."""
    return orders.close(session, principal, order_id)


@router.get("/evacuation/orders/{order_id}/tasks", response_model=list[TaskOut])
def order_tasks(order_id: int, principal: CurrentPrincipal, session: DbSession) -> list:
    return tasks.of_order(session, principal, order_id)


@router.get("/evacuation/tasks/mine", response_model=list[TaskOut])
def my_tasks(principal: CurrentPrincipal, session: DbSession, open_only: bool = True) -> list:
    """The grid worker's tasks: live orders, cells in their place."""
    return tasks.mine(session, principal, open_only=open_only)


@router.get("/evacuation/tasks/{task_id}/households", response_model=list[HouseholdOut])
def task_households(task_id: int, principal: CurrentPrincipal, session: DbSession) -> list:
    """The task's households: those still to reach first, vulnerable first among them."""
    return tasks.households(session, principal, task_id)


@router.post("/evacuation/orders/{order_id}/marks", response_model=MarksOut)
def post_marks(order_id: int, data: MarksIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A phone's batch of household marks (≤ 500), idempotent by each mark's ``client_key``: one result
    per mark (applied, repeat, same, stale, refused with its message)."""
    return {"order_id": order_id, "results": marks.apply_marks(session, principal, order_id, data.marks)}


@router.get("/evacuation/orders/{order_id}/tally", response_model=TallyOut)
def order_tally(order_id: int, principal: CurrentPrincipal, session: DbSession, within: str | None = None):
    """threatened = moved + sheltered + safe elsewhere + unaccounted (+ returned), one level down."""
    return tally.tally(session, principal, order_id, within=query_code(within))


@router.get("/evacuation/orders/{order_id}/unaccounted", response_model=list[UnaccountedOut])
def order_unaccounted(
    order_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> list:
    """Households still unaccounted, named, with the grid workers of their cell."""
    return tally.unaccounted(session, principal, order_id, within=query_code(within), limit=limit)


@router.get("/hazard-points/{point_id}/threats", response_model=ThreatListOut)
def get_threats(point_id: int, principal: CurrentPrincipal, session: DbSession):
    """A hazard point's threat list (威胁对象), vulnerable households first."""
    return threats.threat_list(session, principal, point_id)


@router.put("/hazard-points/{point_id}/threats", response_model=ThreatListOut)
def put_threats(point_id: int, data: ThreatsIn, principal: CurrentPrincipal, session: DbSession):
    """Replace the threat list; the point's threatened households and people follow."""
    return threats.set_threats(session, principal, point_id, data)


@router.get("/warnings/{warning_id}/threatened", response_model=ThreatenedOut)
def warning_threatened(
    warning_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Annotated[int, Query(ge=0, le=2000)] = 200,
):
    """The households under the warning's area (its grid cells and divisions), vulnerable first."""
    return threats.warning_threatened(session, principal, warning_id, limit=limit)


@router.get("/evacuation/routes", response_model=list[RouteOut])
def list_routes(
    principal: CurrentPrincipal, session: DbSession, within: str | None = None, hazard_kind: KindQ = None
) -> list:
    rows = threats.routes(session, principal, within=query_code(within), hazard_kind=hazard_kind)
    return threats.route_outs(session, rows)


@router.post("/evacuation/routes", response_model=RouteOut, status_code=201)
def create_route(data: RouteIn, principal: CurrentPrincipal, session: DbSession):
    return threats.route_outs(session, [threats.create_route(session, principal, data)])[0]


@router.patch("/evacuation/routes/{route_id}", response_model=RouteOut)
def update_route(route_id: int, data: RoutePatch, principal: CurrentPrincipal, session: DbSession):
    return threats.route_outs(session, [threats.update_route(session, principal, route_id, data)])[0]


@router.delete("/evacuation/routes/{route_id}", status_code=204, response_class=Response)
def delete_route(route_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    threats.delete_route(session, principal, route_id)
    return Response(status_code=204)
