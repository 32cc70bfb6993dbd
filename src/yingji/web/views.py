"""Pages that belong to no single domain: overview, the one map, language switch, health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from yingji import __version__
from yingji.auth.deps import CurrentPrincipal
from yingji.core import i18n
from yingji.core.deps import Db, DbSession
from yingji.core.http import LANG_COOKIE
from yingji.field import home as field_home
from yingji.org import places, stats
from yingji.overview import service as overview_service
from yingji.overview import views as overview_views
from yingji.web.templating import render

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(db: Db) -> JSONResponse:
    """Liveness and readiness: the database answers, and which kind it is."""
    try:
        with db.reading() as session:
            session.execute(text("SELECT 1"))
        ok = True
    except Exception:
        ok = False
    body = {"status": "ok" if ok else "unavailable", "database": db.kind, "version": __version__}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/lang/{locale}", include_in_schema=False)
def switch_language(locale: str, request: Request, next: str = "/") -> RedirectResponse:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        LANG_COOKIE, i18n.normalise_locale(locale), max_age=3600 * 24 * 365, samesite="lax", httponly=False
    )
    return response


@router.get("/", include_in_schema=False)
def home(request: Request, principal: CurrentPrincipal, session: DbSession):
    if overview_service.is_home(principal):  # the command roles open on the situation overview
        return overview_views.home(request, principal, session)
    if field_home.is_home(principal):  # grid workers and leaders open on their app
        return RedirectResponse("/field", status_code=303)
    own = places.root(session, principal)
    counts = stats.counts(session, own.code if own else None)
    kids = places.children_with_counts(session, principal, own.code) if own else []
    return render(request, "home.html", {"place": own, "counts": counts, "children": kids})


@router.get("/map", include_in_schema=False)
def one_map(request: Request, principal: CurrentPrincipal, session: DbSession):
    own = places.root(session, principal)
    return render(request, "map.html", {"place": own})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/img/yingji.svg", status_code=301)
