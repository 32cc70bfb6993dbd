"""Supplies pages: overview and store list, store page, stock card, document page, gap report,
maintenance, expiry, catalogue. The movement forms and the incident's dispatch panel are in ``forms``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.core.i18n import N_, gettext
from yingji.org import places
from yingji.org.params import PageNo, url_code
from yingji.supplies import catalogue, forms, gaps, maintenance, rules, stock, transfers, warehouses
from yingji.supplies.documents import get as get_document
from yingji.supplies.schemas import MaintenanceRecordIn
from yingji.web import nav
from yingji.web.nav import NavItem
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(forms.router)

SECTION = N_("Supplies")
nav.register(SECTION, NavItem("supplies", N_("Stores and stock"), "/supplies"))
nav.register(SECTION, NavItem("supplies-gaps", N_("Gap report"), "/supplies/gaps"))
nav.register(SECTION, NavItem("supplies-maintenance", N_("Maintenance due"), "/supplies/maintenance"))
nav.register(SECTION, NavItem("supplies-expiry", N_("Expiring stock"), "/supplies/expiry"))
nav.register(SECTION, NavItem("supplies-catalogue", N_("Catalogue"), "/supplies/catalogue"))
nav.register(SECTION, NavItem("supplies-allocation", N_("Allocation"), "/supplies/allocation", Perm.DISPATCH))

LEVEL_LABELS = {
    "city": N_("City store"),
    "county": N_("County store"),
    "town": N_("Town store"),
    "village": N_("Village store"),
}
KIND_LABELS = {
    "receipt": N_("Receipt"),
    "issue": N_("Issue"),
    "transfer": N_("Transfer"),
    "count": N_("Stock count"),
}
STATUS_LABELS = {
    "done": N_("Done"),
    "in_transit": N_("In transit"),
    "partial": N_("Partly received"),
    "received": N_("Received at the store"),
}
MOVEMENT_LABELS = {
    "receipt": N_("Receipt"),
    "issue": N_("Issue"),
    "transfer_out": N_("Transfer out"),
    "transfer_in": N_("Transfer in"),
    "transfer_return": N_("Returned from transfer"),
    "count": N_("Stock count"),
}
REASON_LABELS = {
    "lost": N_("Lost"),
    "found": N_("Found"),
    "damaged": N_("Damaged"),
    "expired": N_("Expired"),
    "recount": N_("Recount"),
    "purchase": N_("Purchase"),
    "donation": N_("Donation"),
    "allocation": N_("Allocation from above"),
    "return": N_("Return"),
    "other": N_("Other"),
    "rescue": N_("Rescue"),
    "relief": N_("Relief"),
    "drill": N_("Drill"),
    "loan": N_("Loan"),
    "scrap": N_("Scrapped"),
}
ROAD_LABELS = {
    "good": N_("Good road access"),
    "limited": N_("Limited road access"),
    "poor": N_("Poor road access"),
}


def labels() -> dict:
    """The code → label tables every supplies template uses."""
    return {
        "level_labels": LEVEL_LABELS,
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "movement_labels": MOVEMENT_LABELS,
        "reason_labels": REASON_LABELS,
        "road_labels": ROAD_LABELS,
        "maintenance_labels": maintenance.KIND_LABELS,
        "maintenance_class": maintenance.class_label,
        "categories": rules.categories(),
        "item_label": rules.item_label,
        "min_area": rules.min_area,
    }


@router.get("/supplies")
def overview(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    level: Annotated[str | None, Query(pattern="^(city|county|town|village)?$")] = None,
    area_short: bool = False,
    page: PageNo = 1,
):
    code = url_code(within)
    result = warehouses.search(
        session, principal, q=q, within=code, level=level or None, area_short=area_short, page=page
    )
    ctx = {
        "page": result,
        "q": q,
        "within": within or "",
        "level": level or "",
        "area_short": area_short,
        "totals": stock.totals(session, principal, code),
        "units": stock.quantities(session, [w.id for w in result.items]),
        "place": places.get(session, principal, code) if code else None,
    }
    return render(request, "supplies/index.html", ctx | labels())


@router.get("/supplies/warehouses/{warehouse_id}")
def warehouse_page(warehouse_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    w = warehouses.get(session, principal, warehouse_id)
    ctx = {
        "w": w,
        "area": warehouses.area_status(w),
        "can_move": warehouses.can_move(session, principal, w),
        "holdings": stock.holdings(session, w),
        "incoming": transfers.incoming(session, principal, w.id),
        "documents": stock.documents_of(session, w, size=15).items,
        "schedules": maintenance.schedules_of(session, w),
        "open_tasks": maintenance.tasks(session, principal, warehouse_id=w.id, size=20).items,
        "trail": places.breadcrumbs(session, principal, w.jurisdiction),
    }
    return render(request, "supplies/warehouse.html", ctx | labels())


@router.get("/supplies/warehouses/{warehouse_id}/cards/{item_code}")
def card_page(
    warehouse_id: int,
    item_code: str,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    page: PageNo = 1,
):
    w = warehouses.get(session, principal, warehouse_id)
    try:
        item = catalogue.by_code(session, item_code)
    except YingjiError:
        raise NotFound() from None
    ctx = {"w": w, "item": item, "page": stock.stock_card(session, w, item, page)}
    return render(request, "supplies/card.html", ctx | labels())


@router.get("/supplies/documents/{document_id}")
def document_page(document_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    doc = get_document(session, principal, document_id)
    can_receive = (
        doc.kind == "transfer"
        and doc.status in ("in_transit", "partial")
        and warehouses.can_move(session, principal, doc.to_warehouse)
    )
    ctx = {
        "doc": doc,
        "can_receive": can_receive,
        "receipts": transfers.receipts_of(session, doc.id) if doc.kind == "transfer" else [],
        "client_key": forms.new_key(),
        "errors": {},
        "form": {},
    }
    return render(request, "supplies/document.html", ctx | labels())


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


def reason_label(code: str | None) -> str:
    return gettext(REASON_LABELS[code]) if code in REASON_LABELS else (code or "")
