"""Readings API: the HTTP batch ingest and the rejected-reading counters."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.core.http import raw_body
from yingji.monitoring import ingest, out, parse, sensors
from yingji.monitoring.schemas import (
    IngestOut,
    RejectionPage,
)
from yingji.org.params import PageNo, PageSize

router = APIRouter()
MAX_BATCH = 50_000


# -- readings ---------------------------------------------------------------------------------------
@router.post("/readings", response_model=IngestOut)
async def post_readings(request: Request, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A batch of readings: ``[{"sensor": code, "t": ISO time with offset or epoch s, "v": number}]``.

    Answers what was accepted and what was rejected, by reason (rejections are also counted in
    ``/api/v1/readings/rejections``); one bad reading never fails the batch."""
    require(principal, Perm.MONITORING_MANAGE)
    body = await raw_body(request, "JSON (application/json)")
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(details=[{"field": "body", "message": "The body is not JSON."}]) from None
    if isinstance(items, list) and len(items) > MAX_BATCH:
        raise ValidationFailed(
            details=[
                {
                    "field": "body",
                    "message": "At most {limit} readings in one request.",
                    "params": {"limit": MAX_BATCH},
                }
            ]
        )
    source = f"http:{principal.username}"[:100]
    result = await run_in_threadpool(
        ingest.ingest, session, principal, parse.from_items(items), source=source
    )
    return result.as_dict()


@router.get("/readings/rejections", response_model=RejectionPage)
def list_rejections(principal: CurrentPrincipal, session: DbSession, page: PageNo = 1, size: PageSize = 50):
    """Rejected readings counted per sensor code and reason (newest first), with the totals."""
    result = sensors.rejections(session, principal, page=page, size=size)
    body = {
        "items": [out.rejection(r) for r in result.items],
        "total": result.total,
        "page": result.page,
        "size": result.size,
        "by_reason": sensors.rejection_totals(session, principal),
    }
    return out.answer(body)
