"""The keepers' movement forms (receipt, issue, transfer, count) and the transfer receipt.
Phone-friendly: one column, big fields; what was typed comes back after a failed send, and the form's
client key makes a resend safe."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.scope import Principal, in_scope
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.supplies import catalogue, documents, stock, transfers, warehouses
from yingji.supplies.models import Warehouse
from yingji.supplies.schemas import CountIn, IssueIn, ReceiptIn, ReceiveIn, TransferIn
from yingji.supplies.views.common import errors_of, in_savepoint, labels, new_key
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
KINDS = ("receipt", "issue", "transfer", "count")
LINE_FIELDS = {
    "receipt": ("item_code", "qty", "batch_no", "expires_on", "owner_code"),
    "issue": ("item_code", "qty", "batch_id"),
    "transfer": ("item_code", "qty", "batch_id"),
    "count": ("item_code", "batch_id", "counted", "reason"),
}
HEAD_FIELDS = ("client_key", "reason", "counterparty", "note", "to_warehouse_id")
SCHEMAS = {"receipt": ReceiptIn, "issue": IssueIn, "transfer": TransferIn, "count": CountIn}
BLANK_LINES = 3


async def read_form(request: Request, kind: str) -> tuple[dict, list[dict]]:
    form = await request.form()
    head = {k: str(form.get(k, "")).strip() for k in HEAD_FIELDS}
    columns = {k: [str(v).strip() for v in form.getlist(k)] for k in LINE_FIELDS[kind]}
    n = max((len(v) for v in columns.values()), default=0)
    lines = [{k: (columns[k][i] if i < len(columns[k]) else "") for k in columns} for i in range(n)]
    return head, [line for line in lines if line.get("item_code")]


def build(kind: str, warehouse_id: int, head: dict, lines: list[dict]):
    """The service input from the form fields (Pydantic validates it)."""
    clean = [{k: v for k, v in line.items() if v != ""} for line in lines]
    body: dict = {
        "client_key": head["client_key"],
        "warehouse_id": warehouse_id,
        "note": head["note"] or None,
    }
    if kind in ("receipt", "issue"):
        body["reason"] = head["reason"] or ("purchase" if kind == "receipt" else "rescue")
        body["counterparty"] = head["counterparty"] or None
    if kind == "transfer":
        body["to_warehouse_id"] = head["to_warehouse_id"] or None
    body["lines"] = clean
    return SCHEMAS[kind](**body)


def _destinations(session, principal: Principal, warehouse: Warehouse) -> list[Warehouse]:
    return list(
        session.scalars(
            select(Warehouse)
            .where(
                in_scope(Warehouse.jurisdiction_code, principal),
                Warehouse.active,
                Warehouse.id != warehouse.id,
            )
            .order_by(Warehouse.level, Warehouse.jurisdiction_code)
            .limit(500)
        )
    )


def _form_ctx(session, principal, w, kind, head, lines, errors) -> dict:

    return {
        "w": w,
        "kind": kind,
        "head": head,
        "lines": lines + [{}] * max(BLANK_LINES - len(lines), 1),
        "errors": errors,
        "items": catalogue.items(session),
        "holdings": stock.holdings(session, w) if kind != "receipt" else [],
        "destinations": _destinations(session, principal, w) if kind == "transfer" else [],
    } | labels()


@router.get("/supplies/warehouses/{warehouse_id}/{kind}")
def movement_form(
    warehouse_id: int, kind: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    if kind not in KINDS:
        raise NotFound()
    w = warehouses.get(session, principal, warehouse_id)
    warehouses.check_move(session, principal, w)
    head = {"client_key": new_key()}
    return render(request, "supplies/move.html", _form_ctx(session, principal, w, kind, head, [], {}))


@router.post("/supplies/warehouses/{warehouse_id}/{kind}")
async def movement_submit(
    warehouse_id: int, kind: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    if kind not in KINDS:
        raise NotFound()
    head, lines = await read_form(request, kind)
    service = {
        "receipt": documents.receive,
        "issue": documents.issue,
        "transfer": documents.transfer,
        "count": documents.count,
    }[kind]
    try:
        data = build(kind, warehouse_id, head, lines)
        result = await run_in_threadpool(in_savepoint, session, service, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        w = await run_in_threadpool(warehouses.get, session, principal, warehouse_id)
        ctx = await run_in_threadpool(_form_ctx, session, principal, w, kind, head, lines, errors_of(exc))
        return render(request, "supplies/move.html", ctx, status_code=422)
    return RedirectResponse(f"/supplies/documents/{result.document.id}", status_code=303)


@router.post("/supplies/documents/{document_id}/receive")
async def receive_submit(document_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    numbers, received, returned = form.getlist("line_no"), form.getlist("received"), form.getlist("returned")
    typed = {
        str(n): {"received": str(r), "returned": str(b)}
        for n, r, b in zip(numbers, received, returned, strict=False)
    }
    try:
        data = ReceiveIn(
            client_key=str(form.get("client_key", "")),
            note=str(form.get("note", "")) or None,
            lines=[
                {"line_no": n, "received": v["received"] or 0, "returned": v["returned"] or 0}
                for n, v in typed.items()
                if (v["received"] or "0") != "0" or (v["returned"] or "0") != "0"
            ],
        )
        await run_in_threadpool(
            in_savepoint, session, transfers.confirm, session, principal, document_id, data
        )
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise

        doc = await run_in_threadpool(documents.get, session, principal, document_id)
        ctx = {
            "doc": doc,
            "can_receive": True,
            "receipts": transfers.receipts_of(session, doc.id),
            "client_key": str(form.get("client_key", "")) or new_key(),
            "errors": errors_of(exc),
            "form": typed,
        }
        return render(request, "supplies/document.html", ctx | labels(), status_code=422)
    return RedirectResponse(f"/supplies/documents/{document_id}", status_code=303)
