"""Drills pages, the year's view: the drill calendar, the yearly drill plan of a place (drawn up and
approved here), frequency compliance with who is overdue, and the upward report (定期报送).
Included by ``drills.views`` (its package)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.drills import compliance, labels, programmes, registry, report
from yingji.drills.schemas import ProgrammeApproveIn, ProgrammeIn
from yingji.drills.views import common as pages
from yingji.org import places
from yingji.org.params import url_code
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
_page, _refused, _year, _fields = pages.page, pages.refused, pages.year_or_this, pages.fields


@router.get("/drills/calendar")
def calendar_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    within: str | None = None,
):
    code = url_code(within) or principal.jurisdiction_code
    if within:
        places.within(session, principal, code)
    today = registry.today()
    year, month = year or today.year, month or today.month
    drills = pages.month_drills(session, principal, code, year, month)
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    ctx = {
        "weeks": pages.month_grid(year, month, drills, principal),
        "year": year,
        "month": month,
        "prev": prev if prev[0] >= 2000 else None,
        "next": nxt if nxt[0] <= 2100 else None,
        "within": within or "",
        "names": places.names(session, [d.jurisdiction_code for d in drills]),
    }
    return _page(request, "drills/calendar.html", ctx)


@router.get("/drills/programme")
def programme_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
):
    code = url_code(within) or principal.jurisdiction_code
    place = places.get(session, principal, code)
    year = _year(year)
    programme = programmes.find(session, code, year)
    drills = programmes.drills_of(session, programme) if programme else []
    if programme is None:  # the place's drills of the year, not yet gathered in a plan
        drills = list(registry.search(session, principal, within=code, year=year, size=200).items)
        drills = [d for d in drills if d.jurisdiction_code == code]
    ctx = {
        "place": place,
        "year": year,
        "programme": programme,
        "rows": [registry.to_out(d, principal, registry.context(session, drills)) for d in drills],
        "can_manage": principal.can(Perm.DRILLS_MANAGE) and principal.covers(code),
        "errors": {},
        "within": within or "",
    }
    return _page(request, "drills/programme.html", ctx)


@router.post("/drills/programme")
async def programme_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(request, "jurisdiction_code", "year", "title", "note")
    try:
        await run_in_threadpool(
            in_savepoint, session, programmes.create, session, principal, ProgrammeIn(**f)
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return _page(request, "drills/error.html", {"errors": form_errors(exc)}, status_code=422)
    return RedirectResponse(
        f"/drills/programme?within={f['jurisdiction_code']}&year={f['year']}", status_code=303
    )


@router.post("/drills/programme/{programme_id:int}/approve")
async def programme_approve(
    programme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await _fields(request, "approved_on", "approved_by")
    try:
        programme = await run_in_threadpool(
            in_savepoint,
            session,
            programmes.approve,
            session,
            principal,
            programme_id,
            ProgrammeApproveIn(**f),
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return _page(request, "drills/error.html", {"errors": form_errors(exc)}, status_code=422)
    url = f"/drills/programme?within={programme.jurisdiction_code}&year={programme.year}"
    return RedirectResponse(url, status_code=303)


@router.get("/drills/compliance")
def compliance_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    subject: Annotated[str | None, Query(pattern="^(" + "|".join(labels.SUBJECT) + ")$")] = None,
    all_rows: Annotated[bool, Query(alias="all")] = False,
):
    result = compliance.for_principal(session, principal, url_code(within))
    rows = result["rows"] if all_rows else result["overdue"]
    if subject:
        rows = [r for r in rows if r["subject"] == subject]
    ctx = {
        "result": result,
        "rows": rows[:200],
        "total_rows": len(rows),
        "within": within or "",
        "subject": subject or "",
        "all_rows": all_rows,
    }
    return _page(request, "drills/compliance.html", ctx)


@router.get("/drills/report")
def report_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    period: Annotated[str, Query(pattern="^(" + "|".join(labels.PERIODS) + ")$")] = "year",
    within: str | None = None,
):
    data = report.build(session, principal, url_code(within), _year(year), period)
    ctx = {"report": data, "within": within or "", "periods": labels.PERIODS}
    return _page(request, "drills/report.html", ctx)
