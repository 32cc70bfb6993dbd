"""The public tip-off pages (公众举报): no login. See ``tipoffs`` for the protections."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from yingji.auth.clientaddr import client_address
from yingji.core.db import Actor
from yingji.core.deps import Db, DbSession
from yingji.core.errors import PayloadTooLarge, TooManyAttempts, ValidationFailed
from yingji.core.i18n import gettext
from yingji.risk import tipoffs
from yingji.risk.tipoffs.codes import KIND_LABELS, REWARD_LABELS, STATE_LABELS, RewardState, TipoffState
from yingji.risk.views_common import form_errors, in_savepoint, page

router = APIRouter(include_in_schema=False)


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
    ctx = {"ref": ref[:16], "status": status, "reward": reward, "looked_up": True}
    return page(request, "risk/tipoff_done.html", ctx)
