"""The order's page: the live accounting (threatened = moved + sheltered + safe elsewhere +
unaccounted + returned) as big figures, a row per place with drill-down, the unaccounted households
named with their grid workers, the tasks by grid cell, and the lift / cancel / close forms. The
accounting is a fragment of its own (``/evacuation/{id}/tally``) that the page fetches again on each
``evacuation.tally`` push event of the order (``static/js/evacuation.js``), never on a timer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.evacuation import board, tally
from yingji.evacuation.codes import ORDER_MOVES, OrderState
from yingji.evacuation.schemas import LiftIn
from yingji.evacuation.views.common import form_errors, page
from yingji.org import places
from yingji.org.params import url_code

router = APIRouter(include_in_schema=False)

SHOWN = 100  # unaccounted households named on the page (the figure above counts them all)
ACTIONS = {"lift": OrderState.LIFTED, "cancel": OrderState.CANCELLED, "close": OrderState.CLOSED}


def _actions(p, order) -> dict[str, bool]:
    allowed = p.can(Perm.EVACUATION_ORDER) and p.covers(order.jurisdiction_code)
    moves = ORDER_MOVES.get(OrderState(order.state), frozenset())
    return {name: allowed and target in moves for name, target in ACTIONS.items()}


def _figures(session, p, order, within: str | None) -> dict:
    """The accounting and the named unaccounted of the order, in ``within`` (or the user's view)."""
    code = url_code(within)
    crumbs = []
    if code:
        place = places.get(session, p, code)  # 404 outside the user's place
        crumbs = places.breadcrumbs(session, p, place)
    return {
        "order": order,
        "within": code or "",
        "crumbs": crumbs,
        "t": tally.tally(session, p, order.id, within=code),
        "missing": tally.unaccounted(session, p, order.id, within=code, limit=SHOWN),
    }


def _order_page(request: Request, p, session, order_id: int, within: str | None, error: str = "", status=200):
    order = board.get_order(session, p, order_id)
    tasks = board.tasks_of_order(session, p, order.id)
    ctx = _figures(session, p, order, within) | {
        "tasks": tasks,
        "actions": _actions(p, order),
        "error": error,
        "can_mark": p.can(Perm.EVACUATION_MARK),
    }
    return page(request, "evacuation/order.html", ctx, status)


@router.get("/evacuation/{order_id:int}")
def order_page(
    order_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
):
    require(principal, Perm.ORG_READ)
    return _order_page(request, principal, session, order_id, within)


@router.get("/evacuation/{order_id:int}/tally")
def tally_fragment(
    order_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
):
    """The accounting fragment the page swaps in after a push event."""
    require(principal, Perm.ORG_READ)
    order = board.get_order(session, principal, order_id)
    return page(request, "evacuation/_tally.html", _figures(session, principal, order, within))


def _act(action: str, session, p, order_id: int, note: str):
    from yingji.evacuation import orders

    if action == "close":
        return orders.close(session, p, order_id)
    return getattr(orders, action)(session, p, order_id, LiftIn(note=note))


@router.post("/evacuation/{order_id:int}/{action}")
def order_action(
    order_id: int,
    action: str,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    note: Annotated[str, Form(max_length=4000)] = "",
):
    """Lift, cancel or close the order; a refusal (a move the order's state does not allow: 409;
    a missing note) comes back on the page as a clear message."""
    if action not in ACTIONS:
        from yingji.core.errors import NotFound

        raise NotFound()
    require(principal, Perm.EVACUATION_ORDER)
    try:
        with session.begin_nested():
            _act(action, session, principal, order_id, note)
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code == 409:
            message = gettext(_REFUSED[action], reason=gettext(exc.message, **exc.params))
        elif isinstance(exc, ValidationError):
            message = gettext("Write a note of at least two characters.")
        else:
            message = "; ".join(form_errors(exc).values())
        status = exc.status_code if isinstance(exc, YingjiError) else 422
        return _order_page(request, principal, session, order_id, None, message, status)
    return RedirectResponse(f"/evacuation/{order_id}?done={action}", status_code=303)


_REFUSED = {
    "lift": N_("The order cannot be lifted now: {reason}"),
    "cancel": N_("The order cannot be cancelled now: {reason}"),
    "close": N_("The order cannot be closed now: {reason}"),
}
