"""Dispatch from the stores: the allocation page (several demand points from several stores) and an
incident's supplies dispatch panel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.supplies import catalogue, store_dispatch
from yingji.supplies.models import Warehouse
from yingji.supplies.schemas import AllocationIn, ResourceRequestIn
from yingji.supplies.views.common import errors_of, in_savepoint, labels, new_key
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


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
        result = await run_in_threadpool(store_dispatch.allocate, session, principal, data)
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


def _panel(session, principal, incident, items_text: str, outcome=None, errors=None) -> dict:

    options, found, plan, unmet, wanted = [], {}, [], {}, {}
    if items_text:
        from yingji.supplies.api import parse_wanted, reason_text

        wanted = parse_wanted(items_text)
        raw, found = store_dispatch.recommend(session, principal, incident, wanted)
        plan, unmet = store_dispatch.nearest_first(raw, wanted)
        options = [(o, reason_text(o, found, wanted)) for o in raw]
    return {
        "incident": incident,
        "items_text": items_text,
        "options": options,
        "plan": plan,
        "unmet": unmet,
        "found": found,
        "all_items": catalogue.items(session),
        "requests": store_dispatch.requests_of(session, incident),
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
    incident = store_dispatch.incident_for(session, principal, incident_id)
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
    incident = await run_in_threadpool(store_dispatch.incident_for, session, principal, incident_id)
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
            in_savepoint, session, store_dispatch.request, session, principal, incident_id, data
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
