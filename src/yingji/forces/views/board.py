"""Forces pages: the readiness board, the team list and page, one-tap readiness, checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.i18n import gettext
from yingji.forces import board, checks, codes, members, readiness, teams
from yingji.forces.access import can_manage, led_team_ids
from yingji.forces.schemas import ReadinessIn
from yingji.forces.views.common import page
from yingji.org import places
from yingji.org.params import url_code

router = APIRouter(include_in_schema=False)


@router.get("/forces")
def board_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    group: Annotated[str | None, Query(pattern="^(professional|town|village|social)?$")] = None,
):
    b = board.board(session, principal, url_code(within), group or None)
    trail = places.breadcrumbs(session, principal, b.place)
    led = sorted(led_team_ids(session, principal))
    ctx = {"board": b, "trail": trail, "group": group or "", "my_team": led[0] if led else None}
    return page(request, "forces/board.html", ctx)


@router.get("/forces/teams")
def teams_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    group: Annotated[str | None, Query(pattern="^(professional|town|village|social)?$")] = None,
    readiness_state: Annotated[str | None, Query(alias="readiness", pattern="^[a-z_]*$")] = None,
    capability: str | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    if readiness_state and readiness_state not in codes.READINESS:
        raise NotFound()
    result = teams.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        group=group or None,
        readiness=readiness_state or None,
        capability=capability or None,
        page=page_no,
        size=50,
    )
    ctx = {
        "page": result,
        "leaders": teams.leaders(session, [t.id for t in result.items]),
        "q": q,
        "within": within or "",
        "group": group or "",
        "readiness": readiness_state or "",
        "capability": capability or "",
    }
    return page(request, "forces/teams.html", ctx)


@router.get("/forces/mine")
def my_team(principal: CurrentPrincipal, session: DbSession):
    """A team leader's own team (the first, if they lead several); others go to the list."""
    require(principal, Perm.FORCES_MANAGE)
    led = sorted(led_team_ids(session, principal))
    return RedirectResponse(f"/forces/teams/{led[0]}" if led else "/forces/teams", status_code=303)


@router.get("/forces/teams/{team_id}")
def team_page(team_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    team = teams.get(session, principal, team_id)
    roster = members.list_members(session, team)
    ctx = {
        "team": team,
        "members": roster,
        "equipment": teams.equipment(session, team),
        "history": readiness.history(session, principal, team.id, 20),
        "can_edit": can_manage(session, principal, team),
        "today": checks.local_today(),
        "soon_days": codes.EXPIRY_WARNING_DAYS,
    }
    return page(request, "forces/team.html", ctx)


@router.post("/forces/teams/{team_id}/readiness")
def readiness_tap(
    team_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    state: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    client_key: Annotated[str, Form()] = "",
):
    """One tap on the team page; htmx gets the refreshed readiness block, others a redirect."""
    try:
        data = ReadinessIn(state=state, note=note or None, client_key=client_key or None)
    except ValueError:
        raise ValidationFailed(details=[{"field": "state", "message": "This value is not valid."}]) from None
    readiness.change(session, principal, team_id, data)
    if request.headers.get("hx-request"):
        team = teams.get(session, principal, team_id)
        ctx = {
            "team": team,
            "history": readiness.history(session, principal, team.id, 20),
            "can_edit": can_manage(session, principal, team),
        }
        return page(request, "forces/_readiness.html", ctx)
    return RedirectResponse(f"/forces/teams/{team_id}", status_code=303)


@router.get("/forces/checks")
def checks_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    days: Annotated[int, Query(ge=1, le=365)] = codes.EXPIRY_WARNING_DAYS,
):
    report = checks.run(session, principal, within=url_code(within), days=days, limit=50)
    labels = {k: gettext(v[0], min=codes.MIN_VOLUNTEER_MEMBERS, days=days) for k, v in checks.CHECKS.items()}
    ctx = {"report": report, "labels": labels, "severity": {k: v[1] for k, v in checks.CHECKS.items()}}
    return page(request, "forces/checks.html", ctx | {"within": within or "", "days": days})
