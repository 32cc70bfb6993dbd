"""The keepers' movement forms (receipt, issue, transfer, count; transfer receipt), the allocation page
and the incident's supplies dispatch panel. Phone-friendly: one column, big fields; what was typed
comes back after a failed send, and the form's client key makes a resend safe."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.core.i18n import gettext
from yingji.supplies import catalogue, dispatch, documents, stock, transfers, warehouses
from yingji.supplies.models import Warehouse
from yingji.supplies.schemas import (
    AllocationIn,
    CountIn,
    IssueIn,
    ReceiptIn,
    ReceiveIn,
    ResourceRequestIn,
    TransferIn,
)
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


def new_key() -> str:
    """A fresh client key for a form: a resend of the same form is the same request."""
    return f"web-{uuid.uuid4().hex}"


def errors_of(exc: Exception) -> dict[str, str]:
    """Field → message for the form (``_`` for the whole form)."""
    if isinstance(exc, ValidationError):
        out = {}
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            out[".".join(loc) if loc else "_"] = gettext("This value is not valid.")
        return out or {"_": gettext("This value is not valid.")}
    assert isinstance(exc, YingjiError)
    if exc.details:
        return {str(d.get("field", "_")): gettext(d["message"]) for d in exc.details} | {
            "_": gettext(exc.message, **exc.params)
        }
    return {"_": gettext(exc.message, **exc.params)}


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
    from yingji.supplies.views import labels

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
        result = await run_in_threadpool(_in_savepoint, session, service, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        w = await run_in_threadpool(warehouses.get, session, principal, warehouse_id)
        ctx = await run_in_threadpool(_form_ctx, session, principal, w, kind, head, lines, errors_of(exc))
        return render(request, "supplies/move.html", ctx, status_code=422)
    return RedirectResponse(f"/supplies/documents/{result.document.id}", status_code=303)


def _in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


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
            _in_savepoint, session, transfers.confirm, session, principal, document_id, data
        )
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        from yingji.supplies.views import labels

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


# -- allocation -------------------------------------------------------------------------------
def parse_demands(text: str) -> list[dict]:
    """One demand point a line: ``name, lon, lat, CODE:qty CODE:qty``."""
    out = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("，", ",").split(",")]
        if len(parts) < 4:
            raise ValueError(raw)
        items = {}
        for pair in " ".join(parts[3:]).split():
            code, qty = pair.split(":")
            items[code] = int(qty)
        out.append({"name": parts[0], "lon": float(parts[1]), "lat": float(parts[2]), "items": items})
    return out


@router.get("/supplies/allocation")
def allocation_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.DISPATCH)
    return render(
        request, "supplies/allocation.html", {"text": "", "within": "", "result": None, "errors": {}}
    )


@router.post("/supplies/allocation")
async def allocation_submit(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.DISPATCH)
    form = await request.form()
    text, within = str(form.get("demands", "")), str(form.get("within", "")).strip()
    result, errors = None, {}
    try:
        data = AllocationIn(within=within or None, demands=parse_demands(text))
        result = await run_in_threadpool(dispatch.allocate, session, principal, data)
    except (ValueError, ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        errors = (
            errors_of(exc)
            if isinstance(exc, ValidationError | YingjiError)
            else {"_": gettext("Write one demand point a line: name, longitude, latitude, item:quantity …")}
        )
    ctx = {"text": text, "within": within, "result": result, "errors": errors}
    return render(request, "supplies/allocation.html", ctx, status_code=422 if errors else 200)


# -- the incident's dispatch panel ------------------------------------------------------------
def _panel(session, principal, incident, items_text: str, outcome=None, errors=None) -> dict:
    from yingji.supplies.views import labels

    options, found, plan, unmet, wanted = [], {}, [], {}, {}
    if items_text:
        from yingji.supplies.api import parse_wanted, reason_text

        wanted = parse_wanted(items_text)
        raw, found = dispatch.recommend(session, principal, incident, wanted)
        plan, unmet = dispatch.nearest_first(raw, wanted)
        options = [(o, reason_text(o, found, wanted)) for o in raw]
    return {
        "incident": incident,
        "items_text": items_text,
        "options": options,
        "plan": plan,
        "unmet": unmet,
        "found": found,
        "all_items": catalogue.items(session),
        "requests": dispatch.requests_of(session, incident),
        "outcome": outcome,
        "errors": errors or {},
        "client_key": new_key(),
        "can_dispatch": principal.can(Perm.DISPATCH),
        "stores": {
            w.id: w
            for w in session.scalars(
                select(Warehouse).where(Warehouse.id.in_([p["warehouse_id"] for p in plan]))
            )
        },
    } | labels()


@router.get("/incidents/{incident_id}/dispatch/supplies")
def dispatch_panel(
    incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, items: str = ""
):
    """A partial: stores holding what the incident needs, nearest first; the request form."""
    incident = dispatch.incident_for(session, principal, incident_id)
    try:
        ctx = _panel(session, principal, incident, items.strip())
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        ctx = _panel(session, principal, incident, "", errors=errors_of(exc))
        ctx["items_text"] = items
    return render(request, "supplies/_dispatch.html", ctx)


@router.post("/incidents/{incident_id}/dispatch/supplies")
async def dispatch_submit(
    incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await request.form()
    items_text = str(form.get("items", "")).strip()
    incident = await run_in_threadpool(dispatch.incident_for, session, principal, incident_id)
    try:
        from yingji.supplies.api import parse_wanted

        wanted = parse_wanted(items_text)
        data = ResourceRequestIn(
            client_key=str(form.get("client_key", "")),
            mode=str(form.get("mode", "issue")),
            to_warehouse_id=form.get("to_warehouse_id") or None,
            lines=[{"item_code": c, "qty": q} for c, q in wanted.items()],
            note=str(form.get("note", "")) or None,
        )
        req, docs, _ = await run_in_threadpool(
            _in_savepoint, session, dispatch.request, session, principal, incident_id, data
        )
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        ctx = await run_in_threadpool(_panel, session, principal, incident, "", None, errors_of(exc))
        ctx["items_text"] = items_text
        return render(request, "supplies/_dispatch.html", ctx, status_code=422)
    ctx = await run_in_threadpool(
        _panel, session, principal, incident, "", {"request": req, "documents": docs}
    )
    return render(request, "supplies/_dispatch.html", ctx)
