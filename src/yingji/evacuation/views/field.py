"""The grid workers' phone pages: my open tasks, and one task's households (vulnerable first) with a
big button per mark. The page works without network once loaded (``static/js/evacuation-field.js``):
the list is kept in localStorage, each tap goes to an outbox with its own key and the phone's time,
and the outbox is sent as one batch to ``POST /api/v1/evacuation/orders/{id}/marks`` when online."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.evacuation import board
from yingji.evacuation.codes import HouseholdState, OrderState
from yingji.evacuation.labels import FIELD_BUTTONS, HOUSEHOLD_STATE, OUTCOME, label
from yingji.evacuation.views.common import page

router = APIRouter(include_in_schema=False)


@router.get("/evacuation/field")
def my_tasks(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.EVACUATION_MARK)
    rows = board.my_tasks(session, principal)
    return page(request, "evacuation/field_list.html", {"rows": rows})


@router.get("/evacuation/field/{task_id:int}")
def task_page(task_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.EVACUATION_MARK)
    task, order, cell = board.get_task(session, principal, task_id)
    rows = board.households(session, principal, task)
    live = order.state in board.LIVE
    buttons = [s.value for s in page_buttons(order.state)]
    ctx = {
        "task": task,
        "order": order,
        "cell": cell,
        "rows": rows,
        "live": live,
        "buttons": buttons,
        "shelters": board.shelters_near(session, task.jurisdiction_code) if live else [],
        # The labels the script shows for states and outcomes, in the page's language.
        "state_labels": {s.value: label(HOUSEHOLD_STATE, s) for s in HouseholdState},
        "outcome_labels": {o.value: label(OUTCOME, o) for o in OUTCOME},
    }
    return page(request, "evacuation/field_task.html", ctx)


def page_buttons(order_state: str) -> list[HouseholdState]:
    """The marks the buttons offer: the six of the field while the order is active, and "returned
    home" after it was lifted."""
    if order_state == OrderState.ACTIVE.value:
        return list(FIELD_BUTTONS)
    if order_state == OrderState.LIFTED.value:
        return [HouseholdState.RETURNED, *FIELD_BUTTONS]
    return []
