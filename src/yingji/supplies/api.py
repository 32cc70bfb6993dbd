"""Supplies API: ``/api/v1/supplies/...`` and the stores layer of the one map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import gettext
from yingji.files.openapi import XLSX_FILE
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.org.params import PageNo, PageSize, page_json, query_code
from yingji.supplies import (
    catalogue,
    documents,
    gaps,
    maintenance,
    maplayer,
    rules,
    stock,
    store_dispatch,
    transfers,
    warehouses,
)
from yingji.supplies.out import document_out, gap_workbook, warehouse_out
from yingji.supplies.schemas import (
    AllocationIn,
    AllocationOut,
    CardPageOut,
    CatalogueOut,
    CountIn,
    DocumentOut,
    DocumentPostedOut,
    ExpiringOut,
    IssueIn,
    ItemCreatedOut,
    ItemIn,
    KeeperAddedOut,
    KeeperIn,
    MaintenancePageOut,
    MaintenanceRecordedOut,
    MaintenanceRecordIn,
    ReceiptIn,
    ReceiveIn,
    RecommendOut,
    RequestOut,
    ReserveStandardIn,
    ReserveStandardsOut,
    ResourceRequestIn,
    StandardLoadedOut,
    StandardSetOut,
    StoreGapsOut,
    TownGapsOut,
    TransferIn,
    WarehouseDetailOut,
    WarehouseIn,
    WarehouseOut,
    WarehousePageOut,
    WarehousePatch,
)

router = APIRouter(prefix="/api/v1", tags=["supplies"])


# -- catalogue ------------------------------------------------------------------------------
@router.get("/supplies/catalogue", response_model=CatalogueOut)
def get_catalogue(principal: CurrentPrincipal, session: DbSession) -> dict:
    """The 32 categories with their items (the packaged standard and local additions)."""
    table = rules.catalogue()
    by_cat: dict[str, list] = {}
    for item in catalogue.items(session):
        by_cat.setdefault(item.category, []).append(
            {
                "code": item.code,
                "name": rules.item_label(item.code, item.name),
                "unit": item.unit,
                "shelf_life_months": item.shelf_life_months,
                "maintenance_class": item.maintenance_class,
                "standard": item.standard,
            }
        )
    return {
        "version": table["version"],
        "source": table["source"],
        "categories": [
            {"code": c.code, "class": c.cls, "name": c.label(), "items": by_cat.get(c.code, [])}
            for c in rules.categories().values()
        ],
    }


@router.post("/supplies/catalogue/standard", response_model=StandardLoadedOut)
def load_standard(principal: CurrentPrincipal, session: DbSession) -> dict:
    return {"added": catalogue.load_standard(session, principal)}


@router.post("/supplies/catalogue/items", status_code=201, response_model=ItemCreatedOut)
def create_item(data: ItemIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    item = catalogue.create(session, principal, data)
    return {"id": item.id, "code": item.code, "name": item.name, "category": item.category}


# -- stores ---------------------------------------------------------------------------------
@router.get("/supplies/warehouses", response_model=WarehousePageOut)
def list_warehouses(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    level: Annotated[str | None, Query(pattern="^(city|county|town|village)$")] = None,
    area_short: bool = False,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = warehouses.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        level=level,
        area_short=area_short,
        page=page,
        size=size,
    )
    return page_json(result, lambda w: warehouse_out(w, principal))


@router.post("/supplies/warehouses", status_code=201, response_model=WarehouseOut)
def create_warehouse(data: WarehouseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return warehouse_out(warehouses.create(session, principal, data), principal)


@router.get("/supplies/warehouses/{warehouse_id}", response_model=WarehouseDetailOut)
def get_warehouse(warehouse_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    w = warehouses.get(session, principal, warehouse_id)
    return warehouse_out(w, principal) | {
        "can_move": warehouses.can_move(session, principal, w),
        "stock": [
            {
                "item_code": line.item.code,
                "item": rules.item_label(line.item.code, line.item.name),
                "unit": line.item.unit,
                "qty": line.qty,
                "owned_by_others": line.owned_by_others,
                "next_expiry": line.next_expiry.isoformat() if line.next_expiry else None,
                "batches": [
                    {
                        "batch_id": b.id,
                        "batch_no": b.batch_no,
                        "owner_code": b.owner_code,
                        "expires_on": b.expires_on.isoformat() if b.expires_on else None,
                        "qty": q,
                    }
                    for b, q in line.batches
                ],
            }
            for line in stock.holdings(session, w)
        ],
    }


@router.patch("/supplies/warehouses/{warehouse_id}", response_model=WarehouseOut)
def update_warehouse(
    warehouse_id: int, patch: WarehousePatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return warehouse_out(warehouses.update(session, principal, warehouse_id, patch), principal)


@router.post("/supplies/warehouses/{warehouse_id}/keepers", status_code=201, response_model=KeeperAddedOut)
def add_keeper(warehouse_id: int, data: KeeperIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    k = warehouses.add_keeper(session, principal, warehouse_id, data)
    return {"id": k.id, "warehouse_id": k.warehouse_id, "person_id": k.person_id, "role": k.role}


@router.delete("/supplies/keepers/{keeper_id}", status_code=204)
def remove_keeper(keeper_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    warehouses.remove_keeper(session, principal, keeper_id)


@router.get("/supplies/warehouses/{warehouse_id}/cards/{item_code}", response_model=CardPageOut)
def stock_card(
    warehouse_id: int, item_code: str, principal: CurrentPrincipal, session: DbSession, page: PageNo = 1
) -> dict:
    """The stock card of one item in one store: movements newest first with the running balance."""
    w = warehouses.get(session, principal, warehouse_id)
    item = catalogue.by_code(session, item_code)
    return page_json(
        stock.stock_card(session, w, item, page),
        lambda r: {
            "at": r.at.isoformat(),
            "document_id": r.document_id,
            "kind": r.kind,
            "batch_no": r.batch_no,
            "delta": r.delta,
            "balance": r.balance,
            "actor": r.actor,
        },
    )


# -- documents ------------------------------------------------------------------------------
def _doc_response(result: documents.Result) -> JSONResponse:
    """201 for a new document, 200 when a retry found the first one."""
    body = document_out(result.document) | {"replayed": result.replayed}
    return JSONResponse(body, status_code=200 if result.replayed else 201)


@router.post("/supplies/receipts", status_code=201, response_model=DocumentPostedOut)
def post_receipt(data: ReceiptIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    return _doc_response(documents.receive(session, principal, data))


@router.post("/supplies/issues", status_code=201, response_model=DocumentPostedOut)
def post_issue(data: IssueIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    return _doc_response(documents.issue(session, principal, data))


@router.post("/supplies/transfers", status_code=201, response_model=DocumentPostedOut)
def post_transfer(data: TransferIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    return _doc_response(documents.transfer(session, principal, data))


@router.post("/supplies/counts", status_code=201, response_model=DocumentPostedOut)
def post_count(data: CountIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    return _doc_response(documents.count(session, principal, data))


@router.post("/supplies/transfers/{document_id}/receive", response_model=DocumentPostedOut)
def receive_transfer(
    document_id: int, data: ReceiveIn, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    result = transfers.confirm(session, principal, document_id, data)
    body = document_out(result.document) | {"replayed": result.replayed}
    return JSONResponse(body)


@router.get("/supplies/documents/{document_id}", response_model=DocumentOut)
def get_document(document_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return document_out(documents.get(session, principal, document_id))


@router.get("/supplies/incoming", response_model=list[DocumentOut])
def incoming(principal: CurrentPrincipal, session: DbSession, warehouse_id: int | None = None) -> list[dict]:
    """Transfers on their way to stores in scope."""
    return [document_out(d) for d in transfers.incoming(session, principal, warehouse_id)]


# -- reports --------------------------------------------------------------------------------
@router.get("/supplies/gaps", response_model=TownGapsOut | StoreGapsOut)
def get_gaps(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    by: Annotated[str, Query(pattern="^(town|store)$")] = "town",
) -> dict:
    """What is missing where: per town, or per store with the missing items."""
    code = query_code(within)
    if by == "town":
        return {
            "by": "town",
            "towns": [
                {
                    "code": t.code,
                    "name": t.name,
                    "stores": t.stores,
                    "villages": t.villages,
                    "villages_without_store": t.villages_without_store,
                    "stores_below_area": t.stores_below_area,
                    "stores_short": t.stores_short,
                    "missing_units": t.missing_units,
                    "coverage": round(t.coverage, 4),
                }
                for t in gaps.town_gaps(session, principal, within=code)
            ],
        }
    return {
        "by": "store",
        "stores": [
            {
                "warehouse_id": g.warehouse.id,
                "name": g.warehouse.name,
                "level": g.warehouse.level,
                "area_ok": g.area_ok,
                "coverage": round(g.coverage, 4),
                "missing": g.missing,
            }
            for g in gaps.store_gaps(session, principal, within=code)
        ],
    }


@router.get("/supplies/gaps.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None)
def export_gaps(
    principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The gap report as .xlsx (audited)."""
    require(principal, Perm.EXPORT)
    code = query_code(within)
    body = gap_workbook(session, principal, code)
    return audited_download(
        db, principal, body, entity="supply_gaps", filename="yingji-supply-gaps.xlsx", jurisdiction_code=code
    )


@router.get("/supplies/reserve-standards", response_model=ReserveStandardsOut)
def list_standards(principal: CurrentPrincipal, session: DbSession) -> dict:
    table = rules.reserve_table()
    return {
        "version": table["version"],
        "source": table["source"],
        "defaults": table["levels"],
        "overrides": [
            {
                "jurisdiction_code": s.jurisdiction_code,
                "level": s.level,
                "item_code": s.item.code,
                "quantity": s.quantity,
                "note": s.note,
            }
            for s in gaps.standards_in_scope(session, principal)
        ],
    }


@router.put("/supplies/reserve-standards", response_model=StandardSetOut)
def put_standard(data: ReserveStandardIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    row = gaps.set_standard(session, principal, data)
    return {
        "id": row.id,
        "jurisdiction_code": row.jurisdiction_code,
        "level": row.level,
        "quantity": row.quantity,
    }


@router.get("/supplies/expiring", response_model=list[ExpiringOut])
def get_expiring(
    principal: CurrentPrincipal,
    session: DbSession,
    days: Annotated[int, Query(ge=0, le=3650)] = 90,
    within: str | None = None,
) -> list[dict]:
    return [
        {
            "warehouse_id": e.warehouse.id,
            "warehouse": e.warehouse.name,
            "item_code": e.item.code,
            "item": e.item.name,
            "batch_no": e.batch.batch_no,
            "expires_on": e.batch.expires_on.isoformat(),
            "days_left": e.days_left,
            "qty": e.qty,
        }
        for e in stock.expiring(session, principal, days=days, within=query_code(within))
    ]


# -- maintenance ----------------------------------------------------------------------------
@router.get("/supplies/maintenance/tasks", response_model=MaintenancePageOut)
def list_tasks(
    principal: CurrentPrincipal,
    session: DbSession,
    status: Annotated[str, Query(pattern="^(open|done)$")] = "open",
    within: str | None = None,
    warehouse_id: int | None = None,
    overdue: bool = False,
    page: PageNo = 1,
) -> dict:
    result = maintenance.tasks(
        session,
        principal,
        status=status,
        within=query_code(within),
        warehouse_id=warehouse_id,
        overdue_only=overdue,
        page=page,
    )
    return page_json(
        result,
        lambda t: {
            "id": t.id,
            "warehouse_id": t.warehouse_id,
            "warehouse": t.warehouse.name,
            "maintenance_class": t.schedule.maintenance_class,
            "kind": t.schedule.kind,
            "due_on": t.due_on.isoformat(),
            "status": t.status,
            "result": t.result,
            "note": t.note,
            "done_by": t.done_by,
        },
    )


@router.post("/supplies/maintenance/tasks/{task_id}/record", response_model=MaintenanceRecordedOut)
def record_check(
    task_id: int, data: MaintenanceRecordIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    task = maintenance.record(session, principal, task_id, data)
    return {
        "id": task.id,
        "status": task.status,
        "result": task.result,
        "next_due_on": str(task.schedule.next_due_on),
    }


# -- dispatch -------------------------------------------------------------------------------
@router.get("/incidents/{incident_id}/supplies/recommend", response_model=RecommendOut)
def recommend(
    incident_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    items: Annotated[str, Query(description="code:qty,code:qty", max_length=500)],
) -> dict:
    """Stores holding the asked items, nearest first, with the reason for each."""
    wanted = parse_wanted(items)
    incident = store_dispatch.incident_for(session, principal, incident_id)
    options, found = store_dispatch.recommend(session, principal, incident, wanted)
    plan, unmet = store_dispatch.nearest_first(options, wanted)
    return {
        "stores": [
            {
                "warehouse_id": o.warehouse.id,
                "name": o.warehouse.name,
                "minutes": round(o.minutes, 1),
                "km": round(o.km, 2),
                "by_road": o.by_road,
                "holds": o.holds,
                "reason": reason_text(o, found, wanted),
            }
            for o in options
        ],
        "plan": plan,
        "unmet": unmet,
    }


def reason_text(option: store_dispatch.StoreOption, items: dict, wanted: dict[str, int]) -> str:
    """The reason a store is offered, in the request's language."""
    message, params = option.reason(items, wanted)
    return gettext(message, **(params | {"how": gettext(params["how"])}))


def parse_wanted(text: str) -> dict[str, int]:
    """``C11-01:500,C05-01:20`` → {code: qty}."""
    wanted: dict[str, int] = {}
    try:
        for part in (p for p in text.split(",") if p.strip()):
            code, qty = part.split(":")
            if int(qty) <= 0:
                raise ValueError
            wanted[code.strip()] = wanted.get(code.strip(), 0) + int(qty)
    except ValueError:
        raise ValidationFailed(details=[{"field": "items", "message": "Write item:quantity, …"}]) from None
    if not wanted:
        raise ValidationFailed(details=[{"field": "items", "message": "Write item:quantity, …"}])
    return wanted


@router.post("/incidents/{incident_id}/supplies/requests", status_code=201, response_model=RequestOut)
def post_request(
    incident_id: int, data: ResourceRequestIn, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    """A resource request becomes issue or transfer documents in one step (idempotent by client key)."""
    req, docs, replayed = store_dispatch.request(session, principal, incident_id, data)
    body = {
        "id": req.id,
        "incident_id": req.incident_id,
        "mode": req.mode,
        "plan": req.plan,
        "unmet": req.unmet or [],
        "documents": [document_out(d) for d in docs],
        "replayed": replayed,
    }
    return JSONResponse(body, status_code=200 if replayed else 201)


@router.post("/supplies/allocation", response_model=AllocationOut)
def post_allocation(data: AllocationIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Optimal allocation of several demand points from the stores in scope, with greedy beside it."""
    return store_dispatch.allocate(session, principal, data)


# -- map ------------------------------------------------------------------------------------
@router.get("/map/stores", response_class=Response, responses=GEOJSON, response_model=None)
def map_stores(
    request: Request, principal: CurrentPrincipal, session: DbSession, bbox: str | None = None
) -> Response:
    """Stores as GeoJSON points (id, name, level, units held, area check); ETag, short cache."""
    body, count = maplayer.stores_geojson(session, principal, parse_bbox(bbox))
    return caching.cached(request, body, media_type=caching.GEOJSON, headers={"X-Feature-Count": str(count)})
