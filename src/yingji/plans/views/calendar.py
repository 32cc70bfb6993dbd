"""Plan pages, the working-day calendar (holidays and make-up workdays) the legal clocks count on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.plans import calendar
from yingji.plans.schemas import (
    CalendarYearIn,
)
from yingji.plans.views import common
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


def _calendar_ctx(session, form=None, errors=None) -> dict:
    cal = calendar.Calendar()
    from yingji.plans.clocks import today

    return {
        "years": calendar.years(session),
        "package_years": [y for y in range(2004, today().year + 3) if cal.knows(y)],
        "form": form or {},
        "errors": errors or {},
    }


@router.get("/plans/calendar")
def calendar_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    ctx = _calendar_ctx(session) | {"can_load": principal.can(Perm.USERS_MANAGE)}
    return common.page(request, "plans/calendar.html", ctx)


def _day_list(text: str) -> list[str]:
    return [d for d in text.replace(",", " ").replace("、", " ").replace(",", " ").split() if d]


@router.post("/plans/calendar")
async def calendar_load(request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("year", "holidays", "workdays", "source")}
    try:
        data = CalendarYearIn(
            year=int(values["year"]) if values["year"].isdigit() else 0,
            holidays=_day_list(values["holidays"]),
            workdays=_day_list(values["workdays"]),
            source=values["source"],
        )
        await run_in_threadpool(
            in_savepoint,
            session,
            calendar.load_notice,
            session,
            principal,
            data.year,
            data.holidays,
            data.workdays,
            data.source,
        )
    except (ValidationError, YingjiError) as exc:
        if not common.refused(exc):
            raise
        ctx = _calendar_ctx(session, values, form_errors(exc)) | {"can_load": True}
        return common.page(request, "plans/calendar.html", ctx, status_code=422)
    return RedirectResponse("/plans/calendar", status_code=303)
