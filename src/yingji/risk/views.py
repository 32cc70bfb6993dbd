"""Dual-prevention pages (双重预防): the nav section, the overview, the risk map and the settings;
the rest of the pages live in the ``views_*`` modules and are gathered here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_
from yingji.org import places
from yingji.org.params import url_code
from yingji.risk import (
    overview,
    settings,
    tables,
    views_dangers,
    views_enterprises,
    views_meetings,
    views_public,
)
from yingji.risk.schemas import SettingsIn
from yingji.risk.tipoffs import views as tipoff_views
from yingji.risk.views_common import form_dict, in_savepoint, page, refuse_or_errors
from yingji.web import nav

router = APIRouter(include_in_schema=False)
SECTION = N_("Dual prevention")  # 双重预防
for _item in (
    nav.NavItem("risk", N_("Dual prevention overview"), "/risk/overview"),
    nav.NavItem("risk-enterprises", N_("Enterprises"), "/risk/enterprises"),
    nav.NavItem("risk-map", N_("Risk map"), "/risk/map"),
    nav.NavItem("risk-dangers", N_("Hidden-danger ledger"), "/risk/dangers"),
    nav.NavItem("risk-report", N_("Report a hidden danger"), "/risk/report", Perm.DANGER_REPORT),
    nav.NavItem("risk-plans", N_("Planned enforcement"), "/risk/plans"),
    nav.NavItem("risk-meetings", N_("Village risk meetings"), "/risk/meetings"),
    nav.NavItem("risk-clearing", N_("Dynamic clearing"), "/risk/clearing"),
    nav.NavItem("risk-settings", N_("Risk settings"), "/risk/settings", Perm.RULES_MANAGE),
):
    nav.register(SECTION, _item)


@router.get("/risk")
def risk_root() -> RedirectResponse:
    """The section's address leads to its overview."""
    return RedirectResponse("/risk/overview", status_code=303)


@router.get("/risk/overview")
def overview_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The dual-prevention overview of one's area."""
    require(principal, Perm.ORG_READ)
    return page(request, "risk/overview.html", {"c": overview.counts(session, principal)})


@router.get("/risk/map")
def map_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The four-colour risk map."""
    require(principal, Perm.ORG_READ)
    return page(request, "risk/map.html", {"level_rows": tables.level_rows()})


def _settings_ctx(
    session, principal, code: str, form: dict | None = None, errors: dict | None = None
) -> dict:
    place = places.get(session, principal, code)
    local = settings.effective(session, place.code)
    own = settings.own(session, principal, place.code)
    return {
        "place": place,
        "local": local,
        "own": own,
        "mappings": tables.mapping_labels(),
        "bandings": tables.banding_labels(),
        "form": form or {},
        "errors": errors or {},
    }


@router.get("/risk/settings")
def settings_page(request: Request, principal: CurrentPrincipal, session: DbSession, code: str | None = None):
    """The local settings of a place."""
    require(principal, Perm.RULES_MANAGE)
    target = url_code(code) or principal.jurisdiction_code or "52"
    return page(request, "risk/settings.html", _settings_ctx(session, principal, target))


@router.post("/risk/settings")
async def settings_save(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Save a place's local settings."""
    form = await form_dict(request)
    code = url_code(str(form.get("code", ""))) or principal.jurisdiction_code
    try:
        values = SettingsIn(
            lec_mapping=form.get("lec_mapping") or None,
            ls_banding=form.get("ls_banding") or None,
            remind_days=int(form["remind_days"]) if str(form.get("remind_days", "")).isdigit() else None,
            source=form.get("source") or None,
        ).model_dump(exclude={"enforcement"})
        await run_in_threadpool(in_savepoint, session, settings.put, session, principal, code, values)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        ctx = await run_in_threadpool(_settings_ctx, session, principal, code, form, errors)
        return page(request, "risk/settings.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/settings?code={code}", status_code=303)


router.include_router(views_public.router)
router.include_router(views_enterprises.router)
router.include_router(views_dangers.router)
router.include_router(views_meetings.router)
router.include_router(tipoff_views.router)
