"""Supplies pages of the reserve: the gap report, "五定" maintenance, expiring stock, the catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.org import places
from yingji.org.params import PageNo, url_code
from yingji.supplies import catalogue, gaps, maintenance, rules, stock, warehouses
from yingji.supplies.schemas import MaintenanceRecordIn
from yingji.supplies.views.common import labels
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/supplies/gaps")
def gaps_page(request: Request, principal: CurrentPrincipal, session: DbSession, within: str | None = None):
    code = url_code(within)
    place = places.get(session, principal, code) if code else None
    by_store = place is not None and place.level in ("town", "village")
    ctx = {
        "within": code or "",
        "place": place,
        "by_store": by_store,
        "towns": [] if by_store else gaps.town_gaps(session, principal, within=code),
        "stores": gaps.store_gaps(session, principal, within=code) if by_store else [],
        "items": {i.code: i for i in catalogue.items(session, active_only=False)},
        "reserve_source": rules.reserve_table()["source"],
    }
    return render(request, "supplies/gaps.html", ctx | labels())


@router.get("/supplies/maintenance")
def maintenance_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    status: Annotated[str, Query(pattern="^(open|done)$")] = "open",
    warehouse: int | None = None,
    within: str | None = None,
    overdue: bool = False,
    page: PageNo = 1,
):
    result = maintenance.tasks(
        session,
        principal,
        status=status,
        within=url_code(within),
        warehouse_id=warehouse,
        overdue_only=overdue,
        page=page,
    )
    kept = set(warehouses.kept_by(session, principal))
    ctx = {
        "page": result,
        "status": status,
        "overdue": overdue,
        "warehouse": warehouse,
        "today": maintenance.today(),
        "can_record": lambda t: (
            principal.can(Perm.STOCK_MOVE) and (principal.can(Perm.SUPPLIES_MANAGE) or t.warehouse_id in kept)
        ),
    }
    return render(request, "supplies/maintenance.html", ctx | labels())


@router.post("/supplies/maintenance/{task_id}/record")
async def record_check(task_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    data = MaintenanceRecordIn(result=str(form.get("result", "ok")), note=str(form.get("note", "")) or None)
    await run_in_threadpool(maintenance.record, session, principal, task_id, data)
    back = str(form.get("back") or "/supplies/maintenance")
    return RedirectResponse(
        back if back.startswith("/supplies/") else "/supplies/maintenance", status_code=303
    )


@router.get("/supplies/expiry")
def expiry_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    days: Annotated[int, Query(ge=0, le=3650)] = 90,
    within: str | None = None,
):
    rows = stock.expiring(session, principal, days=days, within=url_code(within))
    return render(
        request, "supplies/expiry.html", {"rows": rows, "days": days, "within": within or ""} | labels()
    )


@router.get("/supplies/catalogue")
def catalogue_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    items = catalogue.items(session, active_only=False)
    by_cat: dict[str, list] = {}
    for item in items:
        by_cat.setdefault(item.category, []).append(item)
    table = rules.catalogue()
    ctx = {
        "by_cat": by_cat,
        "loaded": any(i.standard for i in items),
        "source": table["source"],
        "version": table["version"],
        "class_label": rules.class_label,
        "maintenance_plan": rules.maintenance_plan,
    }
    return render(request, "supplies/catalogue.html", ctx | labels())


@router.post("/supplies/catalogue/standard")
def catalogue_load(principal: CurrentPrincipal, session: DbSession):
    catalogue.load_standard(session, principal)
    return RedirectResponse("/supplies/catalogue", status_code=303)
