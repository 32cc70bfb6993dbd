"""Plan pages, filings received (备案): the incoming list by state and the decision on one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.plans import filings, lifecycle, out
from yingji.plans.codes import FilingState
from yingji.plans.schemas import (
    FilingDecisionIn,
)
from yingji.plans.views import common
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


@router.get("/plans/filings")
def filings_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    state: str = FilingState.SUBMITTED.value,
):
    state = state if state in tuple(FilingState) else FilingState.SUBMITTED.value
    result = filings.incoming(session, principal, state=state, page=1, size=200)
    titles = filings.titles(session, result.items)
    rows = [out.filing_out(f, titles.get(f.plan_id, "")) for f in result.items]
    ctx = {
        "rows": rows,
        "total": result.total,
        "state": state,
        "can_manage": principal.can(Perm.PLANS_MANAGE),
    }
    return common.page(request, "plans/filings.html", ctx | {"errors": {}})


@router.post("/plans/filings/{filing_id:int}/decision")
async def filing_decide(filing_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values = {"accept": form.get("accept") == "1", "reason": str(form.get("reason", "")).strip() or None}
    try:
        data = FilingDecisionIn(**values)
        await run_in_threadpool(
            in_savepoint, session, lifecycle.decide_filing, session, principal, filing_id, data
        )
    except (ValidationError, YingjiError) as exc:
        if not common.refused(exc):
            raise
        result = filings.incoming(session, principal, state=FilingState.SUBMITTED, page=1, size=200)
        titles = filings.titles(session, result.items)
        rows = [out.filing_out(f, titles.get(f.plan_id, "")) for f in result.items]
        ctx = {"rows": rows, "total": result.total, "state": FilingState.SUBMITTED.value, "can_manage": True}
        return common.page(
            request, "plans/filings.html", ctx | {"errors": form_errors(exc), "failed": filing_id}, 422
        )
    return RedirectResponse("/plans/filings", status_code=303)
