"""Overview pages: the situation overview (home of the command roles), its big-screen mode for the
command hall, and the tile fragments the pages refresh on events and on a slow timer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.org.params import url_code
from yingji.overview import service
from yingji.overview.api import parse
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register(N_("Command"), nav.NavItem("overview", N_("Situation overview"), "/overview"))
nav.register(N_("Command"), nav.NavItem("overview-screen", N_("Command hall screen"), "/overview/screen"))

Rotate = Annotated[int, Query(ge=0, le=3600)]


def _query(within: str | None, tiles: str | None = None):
    try:
        code = url_code(within)
        return parse(code, tiles)
    except ValidationFailed:
        raise NotFound() from None


def _ctx(request: Request, session, principal, within: str | None, *, screen: bool, rotate: int = 0) -> dict:
    require(principal, Perm.ORG_READ)
    query = _query(within)
    data = service.overview(session, principal, within=query.within, tiles=query.tiles)
    return {
        "ov": data,
        "within": query.within if query.within and query.within != principal.jurisdiction_code else "",
        "screen": screen,
        "rotate": rotate if screen else 0,
        "rotation": service.rotation(session, principal) if screen and rotate else [],
        "nav_active": "home" if request.url.path == "/" else "overview",
    }


def home(request: Request, principal, session):
    """``/`` for the command roles (see ``service.HOME_ROLES``)."""
    return render(request, "overview/page.html", _ctx(request, session, principal, None, screen=False))


@router.get("/overview")
def overview_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    screen: bool = False,
    rotate: Rotate = 0,
):
    if screen:
        return screen_page(request, principal, session, within, rotate)
    return render(request, "overview/page.html", _ctx(request, session, principal, within, screen=False))


@router.get("/overview/screen")
def screen_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    rotate: Rotate = 0,
):
    """The command hall's big screen: dark, full screen, no navigation, updating by itself."""
    ctx = _ctx(request, session, principal, within, screen=True, rotate=rotate)
    return render(request, "overview/screen.html", ctx | {"nav": []})


@router.get("/overview/panel")
def panel(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    tiles: str | None = None,
    screen: bool = False,
    fresh: bool = False,
):
    """The tiles asked for, as HTML sections the page swaps in place (``data-tile``); ``fresh``
    after a push event (see ``service.overview``)."""
    require(principal, Perm.ORG_READ)
    query = _query(within, tiles)
    data = service.overview(session, principal, within=query.within, tiles=query.tiles, fresh=fresh)
    ctx = {"ov": data, "screen": screen, "only": set(query.tiles)}
    return render(request, "overview/_tiles.html", ctx)
