"""Incident statistics: the page with year-over-year change and charts, its Excel download."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound
from yingji.org import codes
from yingji.response import stats
from yingji.response.api import excel_response
from yingji.response.stats_json import report_dict
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


def _stats_args(within: str | None, start: str | None, end: str | None) -> dict:
    try:
        return {
            "within": codes.normalise(within) if within else None,
            "first_day": date.fromisoformat(start) if start else None,
            "last_day": date.fromisoformat(end) if end else None,
        }
    except ValueError:
        raise NotFound() from None


@router.get("/stats/incidents")
def stats_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    start: str | None = None,
    end: str | None = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
):
    """Incident statistics with year-over-year change, ECharts charts and an Excel download."""
    result = stats.report(session, principal, category=category or None, **_stats_args(within, start, end))
    ctx = {
        "report": result,
        "data_json": json.dumps(report_dict(result), ensure_ascii=False).replace("</", "<\\/"),
        "categories": stats.top_categories(),
        "category": category or "",
        "query": request.url.query,
    }
    return render(request, "response/stats.html", ctx)


@router.get("/stats/incidents.xlsx")
async def stats_excel(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    start: str | None = None,
    end: str | None = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
):
    args = _stats_args(within, start, end)
    result = await run_in_threadpool(stats.report, session, principal, category=category or None, **args)
    return await run_in_threadpool(excel_response, db, principal, result)
