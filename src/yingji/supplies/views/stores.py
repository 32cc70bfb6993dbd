"""Supplies pages: the overview and store list, a store, a stock card, a document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.org import places
from yingji.org.params import PageNo, url_code
from yingji.supplies import catalogue, maintenance, stock, transfers, warehouses
from yingji.supplies.codes import ARRIVING
from yingji.supplies.documents import get as get_document
from yingji.supplies.views.common import labels, new_key
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


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
        and doc.status in ARRIVING
        and warehouses.can_move(session, principal, doc.to_warehouse)
    )
    ctx = {
        "doc": doc,
        "can_receive": can_receive,
        "receipts": transfers.receipts_of(session, doc.id) if doc.kind == "transfer" else [],
        "client_key": new_key(),
        "errors": {},
        "form": {},
    }
    return render(request, "supplies/document.html", ctx | labels())
