"""Tip-off pages for officers: the list (never the reporter), one tip-off with its check, the
reward's approval and payment, the sealed contact for REWARD_APPROVE of the place, statistics."""

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
from yingji.core.i18n import N_, current_locale
from yingji.ownership import lists
from yingji.risk.tipoffs import codes, handling, owners, rewards, stats
from yingji.risk.tipoffs.api import KindQ, RewardQ, StateQ, YearQ
from yingji.risk.tipoffs.schemas import PayIn, VerifyIn
from yingji.risk.views_common import form_dict, in_savepoint, page, refuse_or_errors
from yingji.web import nav

router = APIRouter(include_in_schema=False)
# The statistics are what the year's assessment and the bureau's report read: under 督查考核, after
# the section's own pages (this router is registered before theirs).
nav.register(
    N_("Supervision and assessment"),
    nav.NavItem(
        "risk-tipoff-stats", N_("Tip-off statistics"), "/risk/tipoffs/stats", Perm.DANGER_MANAGE, order=1
    ),
)


def _ctx() -> dict:
    return {"tc": codes}


@router.get("/risk/tipoffs")
def tipoffs_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: KindQ = None,
    state: StateQ = None,
    reward_state: RewardQ = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    result = handling.search(
        session, principal, kind=kind, state=state, reward_state=reward_state, page=page_no
    )
    ctx = _ctx() | {
        "page": result,
        "rows": handling.outs(session, result.items),
        "kind": kind or "",
        "state": state or "",
        "reward_state": reward_state or "",
    }
    return page(request, "risk/tipoffs.html", ctx)


@router.get("/risk/tipoffs/stats")
def stats_page(request: Request, principal: CurrentPrincipal, session: DbSession, year: YearQ = None):
    data = stats.summary(session, principal, year, current_locale())
    return page(request, "risk/tipoff_stats.html", _ctx() | {"data": data, "year": year or ""})


def _detail(request, session, principal, tipoff_id: int, errors=None, status: int = 200, contact=None):
    row = handling.get(session, principal, tipoff_id)
    ctx = (
        _ctx()
        | {
            "t": handling.outs(session, [row])[0],
            "errors": errors or {},
            "can_check": principal.can(Perm.DANGER_MANAGE) and principal.covers(row.jurisdiction_code),
            "can_reward": handling.may_see_contact(principal, row)
            and principal.user_id != row.verified_by_user_id,
            "can_contact": handling.may_see_contact(principal, row) and row.has_contact,
            "contact": contact,
            "today": rewards.today().isoformat(),
        }
        | lists.panel_ctx(session, principal, owners.KIND, row.id, f"/risk/tipoffs/{row.id}#owner")
    )
    return page(request, "risk/tipoff_detail.html", ctx, status_code=status)


@router.get("/risk/tipoffs/{tipoff_id}")
def tipoff_page(tipoff_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _detail(request, session, principal, tipoff_id)


@router.post("/risk/tipoffs/{tipoff_id}/contact")
def contact_page(tipoff_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Open the sealed contact (a POST: it is an audited act, not a page anyone may link)."""
    opened = handling.contact(session, principal, tipoff_id, request.app.state.settings.secret_key)
    return _detail(request, session, principal, tipoff_id, contact=opened)


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


@router.post("/risk/tipoffs/{tipoff_id}/{action}")
async def tipoff_action(
    tipoff_id: int, action: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await form_dict(request)
    try:
        if action == "claim":
            await run_in_threadpool(in_savepoint, session, owners.claim, session, principal, tipoff_id)
        elif action == "start":
            await run_in_threadpool(in_savepoint, session, rewards.start, session, principal, tipoff_id)
        elif action == "verify":
            data = VerifyIn(
                verdict=form.get("verdict") or "",
                evidence=form.get("evidence") or "",
                note=form.get("note") or None,
                penalty_cny=_int(form.get("penalty_cny")),
                concealed_deaths=_int(form.get("concealed_deaths")),
                accident_grade=form.get("accident_grade") or None,
            )
            await run_in_threadpool(
                in_savepoint, session, rewards.verify, session, principal, tipoff_id, data
            )
        elif action == "approve":
            amount = _int(form.get("amount_cny"))
            await run_in_threadpool(
                in_savepoint,
                session,
                rewards.approve,
                session,
                principal,
                tipoff_id,
                amount if amount is not None else -1,
            )
        elif action == "refuse":
            await run_in_threadpool(
                in_savepoint, session, rewards.refuse, session, principal, tipoff_id, form.get("reason") or ""
            )
        elif action == "pay":
            data = PayIn(
                amount_cny=_int(form.get("amount_cny")) if _int(form.get("amount_cny")) is not None else -1,
                paid_on=form.get("paid_on") or "",
                method=form.get("method") or "",
                receipt=form.get("receipt") or "",
            )
            await run_in_threadpool(in_savepoint, session, rewards.pay, session, principal, tipoff_id, data)
        else:
            return RedirectResponse(f"/risk/tipoffs/{tipoff_id}", status_code=303)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        return await run_in_threadpool(_detail, request, session, principal, tipoff_id, errors, 422)
    return RedirectResponse(f"/risk/tipoffs/{tipoff_id}", status_code=303)
