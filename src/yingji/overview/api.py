"""Overview API: the figures of every tile of the situation overview, in scope."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.org.params import query_code
from yingji.overview import service
from yingji.overview.schemas import OverviewIn, OverviewOut

router = APIRouter(prefix="/api/v1", tags=["overview"])


def parse(within: str | None, tiles: str | None, field: str = "within") -> OverviewIn:
    """The query as the schema reads it; a bad tile name is a 422 naming ``tiles``."""
    try:
        return OverviewIn(within=query_code(within, field), tiles=tiles)
    except ValidationError:
        raise ValidationFailed(details=[{"field": "tiles", "message": "Unknown tile."}]) from None


@router.get("/overview", response_model=OverviewOut)
def get_overview(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    tiles: str | None = None,
    fresh: bool = False,
) -> OverviewOut:
    """Incidents open by grade and status, today's reports, overdue reports and tasks, responses
    and warnings in force (with delivery and acknowledgement coverage), alarms, teams, supply gaps,
    who is on duty, and the 30-day trends with last year's same days. ``within``: a place inside
    one's jurisdiction (404 outside); ``tiles``: a comma-separated subset; ``fresh``: figures at most
    half a second old (after a push event; otherwise they may be two seconds old)."""
    require(principal, Perm.ORG_READ)
    query = parse(within, tiles)
    return service.overview(session, principal, within=query.within, tiles=query.tiles, fresh=fresh)
