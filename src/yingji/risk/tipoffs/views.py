"""Tip-off pages: for officers, the list (never the reporter), one tip-off with its check, the
reward's approval and payment, the sealed contact for REWARD_APPROVE of the place, statistics; for
the public (no login), the tip-off form, its receipt and the status by receipt code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from yingji.auth.clientaddr import client_address
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.db import Actor
from yingji.core.deps import Db, DbSession
from yingji.core.errors import PayloadTooLarge, TooManyAttempts, ValidationFailed, YingjiError
from yingji.core.i18n import N_, current_locale, gettext
from yingji.ownership import lists
from yingji.risk import labels, tipoffs
from yingji.risk.tipoffs import codes, handling, owners, rewards, stats
from yingji.risk.tipoffs.api import KindQ, RewardQ, StateQ, YearQ
from yingji.risk.tipoffs.codes import KIND_LABELS, REWARD_LABELS, STATE_LABELS, RewardState, TipoffState
from yingji.risk.tipoffs.schemas import PayIn, VerifyIn
from yingji.risk.views.common import form_dict, form_errors, page, refuse_or_errors
from yingji.web import nav
from yingji.web.forms import in_savepoint

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


# -- the public channel (公众举报): no login; see ``channel`` for the protections ------------------


def _address(request: Request) -> str:
    # Behind a load balancer the peer is the balancer: the one client-address rule applies here too.
    return client_address(request) or "-"


def _form_page(request: Request, session, form: dict, errors: dict, status: int = 200):
    token, nonce = tipoffs.issue(request.app.state.settings.secret_key)
    ctx = {
        "towns": tipoffs.towns(session),
        "kinds": KIND_LABELS,
        "form": form,
        "errors": errors,
        "tipoff_token": token,
    }
    response = page(request, "risk/tipoff.html", ctx, status_code=status)
    response.set_cookie(
        tipoffs.COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        max_age=int(tipoffs.TOKEN_MAX_AGE.total_seconds()),
        path="/risk/tipoff",
    )
    return response


@router.get("/risk/tipoff")
def tipoff_form(request: Request, session: DbSession):
    """The public tip-off form (no login)."""
    return _form_page(request, session, {}, {})


@router.post("/risk/tipoff")
async def tipoff_send(request: Request, session: DbSession, db: Db):
    """Receive a public tip-off."""
    settings = request.app.state.settings
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    if not tipoffs.verify(
        settings.secret_key, form.get("tipoff_token", ""), request.cookies.get(tipoffs.COOKIE)
    ):
        message = gettext("The form has expired. Please reload the page and try again.")
        return await run_in_threadpool(_form_page, request, session, form, {"_": message}, 403)
    actor = Actor(None, "public:tipoff", _address(request), getattr(request.state, "request_id", None))
    per_hour = int(settings.extra.get("tipoff_per_hour", tipoffs.DEFAULT_PER_HOUR))
    try:
        with db.writing(actor) as counting:  # committed on its own: refused attempts count too
            tipoffs.take_slot(counting, _address(request), per_hour)
    except TooManyAttempts as exc:
        return await run_in_threadpool(_form_page, request, session, form, form_errors(exc), 429)
    limit = settings.max_upload_mb * 1024 * 1024
    uploads = []
    for item in raw.getlist("photo"):
        if isinstance(item, UploadFile) and item.filename:
            data = await item.read(limit + 1)
            uploads.append(data)
    session.info["actor"] = actor
    try:
        if any(len(u) > limit for u in uploads):
            raise PayloadTooLarge(limit_mb=settings.max_upload_mb)
        nonce = request.cookies.get(tipoffs.COOKIE)  # the form's own key: sent twice, one report
        tipoff = await run_in_threadpool(
            in_savepoint, session, tipoffs.submit, session, settings, form, uploads, nonce
        )
    except (ValidationFailed, PayloadTooLarge) as exc:
        return await run_in_threadpool(_form_page, request, session, form, form_errors(exc), exc.status_code)
    return RedirectResponse(f"/risk/tipoff/thanks?ref={tipoff.public_ref}", status_code=303)


@router.get("/risk/tipoff/thanks")
def tipoff_thanks(request: Request, ref: str = ""):
    """The receipt code of a tip-off."""
    return page(request, "risk/tipoff_done.html", {"ref": ref[:16], "status": None, "looked_up": False})


@router.get("/risk/tipoff/status")
def tipoff_status(request: Request, session: DbSession, ref: str = ""):
    """The status of a tip-off by its receipt code (nothing else)."""
    found = tipoffs.status_of(session, ref)
    status = reward = None
    if found is not None:  # the state and the reward's state: nothing of the report itself
        status = gettext(STATE_LABELS[TipoffState(found.state)])
        if found.reward_state != RewardState.NONE:
            reward = gettext(REWARD_LABELS[RewardState(found.reward_state)])
    elif (legacy := tipoffs.legacy_status(session, ref)) is not None:  # a receipt from before tip-off rows
        status = labels.label(labels.DANGER_STATUS, legacy)
    ctx = {"ref": ref[:16], "status": status, "reward": reward, "looked_up": True}
    return page(request, "risk/tipoff_done.html", ctx)
