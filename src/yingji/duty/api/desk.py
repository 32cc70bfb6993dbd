"""Duty API of the desk: the handover log (交接班) and the call log (值班来电登记), under /api/v1/duty."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.duty import calls, handover, out, rosters
from yingji.duty.codes import CallOutcome
from yingji.duty.schemas import (
    CallIn,
    CallOut,
    CallOutcomeIn,
    CallPageOut,
    HandoverConfirm,
    HandoverIn,
    HandoverItemOut,
    HandoverItemsOut,
    HandoverOut,
    HandoverPageOut,
    ItemClose,
)
from yingji.org.params import PageNo, PageSize, page_of

router = APIRouter()


# -- handover -------------------------------------------------------------------------------
@router.get("/rosters/{roster_id}/handovers", response_model=HandoverPageOut)
def list_handovers(
    roster_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> dict:
    """The handover log of a roster, with the items still open."""
    roster = rosters.get(session, principal, roster_id)
    result = handover.history(session, principal, roster_id, page)
    return {
        "items": [
            out.handover(h) | {k: [out.item(i) for i in v] for k, v in handover.items_of(session, h).items()}
            for h in result.items
        ],
        "total": result.total,
        "open_items": [out.item(i) for i in handover.open_items(session, roster)],
        "shift_date_now": handover.shift_date_now(roster),
    }


@router.post("/rosters/{roster_id}/handovers", response_model=HandoverItemsOut)
def write_handover(
    roster_id: int, data: HandoverIn, principal: CurrentPrincipal, session: DbSession, response: Response
) -> dict:
    """The outgoing officer's handover (a retried client key returns the first)."""
    h, created = handover.write(session, principal, roster_id, data)
    response.status_code = 201 if created else 200
    return out.handover(h) | {k: [out.item(i) for i in v] for k, v in handover.items_of(session, h).items()}


@router.post("/handovers/{handover_id}/confirm", response_model=HandoverOut)
def confirm_handover(
    handover_id: int, data: HandoverConfirm, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """The incoming officer takes over."""
    return out.handover(handover.confirm(session, principal, handover_id, data))


@router.post("/handover-items/{item_id}/close", response_model=HandoverItemOut)
def close_item(item_id: int, data: ItemClose, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Close an open handover item."""
    return out.item(handover.close_item(session, principal, item_id, data))


# -- the call log (值班来电登记) ----------------------------------------------------------------
@router.get("/calls", response_model=CallPageOut)
def list_calls(
    principal: CurrentPrincipal,
    session: DbSession,
    outcome: Annotated[
        str | None, Query(pattern="^(" + "|".join(o.value for o in CallOutcome) + ")$")
    ] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: Annotated[str | None, Query(max_length=60)] = None,
    mine: bool = False,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Calls logged at the desks of your jurisdiction, newest first, each with its owner."""
    f = calls.CallFilters(outcome, date_from, date_to, q, mine)
    result = calls.search(session, principal, f, page, size)
    items = calls.outs(session, principal, result.items)
    return page_of(result, items)


@router.post("/calls", response_model=CallOut, status_code=201, responses={200: {"model": CallOut}})
def log_call(data: CallIn, principal: CurrentPrincipal, session: DbSession, response: Response) -> dict:
    """Log a call at your desk: you are its first receiver and owner. A retried client key: 200."""
    call, created = calls.record(session, principal, data)
    if not created:
        response.status_code = 200
    return calls.outs(session, principal, [call])[0]


@router.get("/calls/{call_id}", response_model=CallOut)
def get_call(call_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return calls.outs(session, principal, [calls.get(session, principal, call_id)])[0]


@router.post("/calls/{call_id}/outcome", response_model=CallOut)
def settle_call(call_id: int, data: CallOutcomeIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """What became of a pending call (once)."""
    return calls.outs(session, principal, [calls.settle(session, principal, call_id, data)])[0]
