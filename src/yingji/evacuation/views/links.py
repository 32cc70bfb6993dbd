"""The card other pages include (``templates/evacuation/_source_card.html``): on a warning, an alarm
or an incident, the button "order an evacuation" (for users with ``evacuation.order``, while the
source is live) and the live accounting of the orders issued from it. The card is this fragment,
loaded by htmx and fetched again on each ``evacuation.tally`` event naming the source."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.evacuation import board
from yingji.evacuation.codes import OrderSource
from yingji.evacuation.views.common import page
from yingji.incidents.status import IncidentStatus

router = APIRouter(include_in_schema=False)

SOURCES = (OrderSource.WARNING, OrderSource.ALARM, OrderSource.INCIDENT)


def _live(session, principal, source: str, source_id: int) -> bool:
    """Whether the source may still order an evacuation (a warning in force, an open alarm, an open
    incident); the source itself must be visible (404 otherwise)."""
    if source == OrderSource.WARNING:
        from yingji.warnings import queries

        return queries.get_warning(session, principal, source_id).is_current()
    if source == OrderSource.ALARM:
        from yingji.monitoring import alarms
        from yingji.monitoring.models import OPEN_STATES

        return alarms.get(session, principal, source_id).state in OPEN_STATES
    from yingji.incidents import listing

    return listing.get(session, principal, source_id).status != IncidentStatus.CLOSED


@router.get("/evacuation/panel/{source}/{source_id:int}")
def source_card(
    source: str, source_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    require(principal, Perm.ORG_READ)
    if source not in SOURCES:
        raise NotFound()
    live = _live(session, principal, source, source_id)
    rows = board.orders(session, principal, **{f"{source}_id": source_id}, limit=20)
    ctx = {
        "source": source,
        "source_id": source_id,
        "orders": rows,
        "counts": board.counts(session, principal, [o.id for o in rows]),
        "can_order": live and principal.can(Perm.EVACUATION_ORDER),
    }
    return page(request, "evacuation/_source_panel.html", ctx)
