"""Rebuilding pages: the cases (and a new one, from a damaged house or typed in), a case with the
timeline of its steps, photos, the notice and the next step for whoever may take it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.aid import labels, photos, rebuild
from yingji.aid.api import case_detail
from yingji.aid.codes import RebuildState
from yingji.aid.models import RebuildCase
from yingji.aid.schemas import CaseIn, PaymentIn, ProgressIn, StepIn
from yingji.aid.views.common import form_of, page, parse
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import in_scope
from yingji.core.deps import DbSession
from yingji.damage.models import DamagedHouse
from yingji.incidents import photos as photo_store

router = APIRouter(include_in_schema=False)


@router.get("/aid/rebuild")
def cases_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    state: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=60)] = "",
):
    state = state if state in {s.value for s in RebuildState} else ""
    rows = rebuild.search(session, principal, state=state or None, q=q)
    # damaged houses of the damage statistics without a case yet (read only)
    houses = session.scalars(
        select(DamagedHouse)
        .where(
            in_scope(DamagedHouse.jurisdiction_code, principal),
            ~select(RebuildCase.id).where(RebuildCase.damaged_house_id == DamagedHouse.id).exists(),
        )
        .order_by(DamagedHouse.id.desc())
        .limit(20)
    ).all()
    ctx = {
        "rows": rebuild.outs(session, principal, rows),
        "state": state,
        "q": q,
        "states": [(s.value, labels.label(labels.REBUILD_LABELS, s)) for s in RebuildState],
        "houses": houses,
        "can_apply": principal.can(Perm.AID_VILLAGE) or principal.can(Perm.AID_MANAGE),
        "home": principal.jurisdiction_code,
    }
    return page(request, "aid/cases.html", ctx)


@router.post("/aid/rebuild")
async def case_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    keys = ("damaged_house_id", "jurisdiction_code", "household", "head_name", "id_number", "head_phone")
    keys += ("degree", "rooms", "note")
    values = {k: f.get(k) for k in keys} | {"nominated": f.get("nominated") == "on"}
    case = rebuild.create(session, principal, parse(CaseIn, values))
    return RedirectResponse(f"/aid/rebuild/{case.id}", status_code=303)


@router.get("/aid/rebuild/{case_id:int}")
def case_page(case_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    case = rebuild.get(session, principal, case_id)
    detail = case_detail(session, principal, case)
    from yingji.aid.access import may_step

    ctx = {
        "c": detail,
        "basis": {s: labels.step_basis(s) for s in [x.value for x in RebuildState]},
        "can_progress": case.state == RebuildState.BUILDING.value
        and may_step(principal, case.jurisdiction_code, "village"),
        "can_pay": case.state in (RebuildState.COUNTY_APPROVED, RebuildState.BUILDING, RebuildState.ACCEPTED)
        and may_step(principal, case.jurisdiction_code, "county"),
        "can_photo": may_step(principal, case.jurisdiction_code, "village"),
        "can_answer": may_step(principal, case.jurisdiction_code, "town"),
        "order": [s.value for s in RebuildState][:8],
    }
    return page(request, "aid/case.html", ctx)


@router.post("/aid/rebuild/{case_id:int}/step")
async def case_step(case_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    keys = ("to", "note", "reason", "grant_yuan", "started_on", "finished_on", "override_note")
    rebuild.move(session, principal, case_id, parse(StepIn, {k: f.get(k) for k in keys}))
    return RedirectResponse(f"/aid/rebuild/{case_id}", status_code=303)


@router.post("/aid/rebuild/{case_id:int}/progress")
async def case_progress(case_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    rebuild.set_progress(
        session, principal, case_id, parse(ProgressIn, {k: f.get(k) for k in ("progress_pct", "note")})
    )
    return RedirectResponse(f"/aid/rebuild/{case_id}", status_code=303)


@router.post("/aid/rebuild/{case_id:int}/payment")
async def case_payment(case_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    data = parse(PaymentIn, {k: f.get(k) for k in ("amount_yuan", "note", "override_note")})
    rebuild.pay(session, principal, case_id, data)
    return RedirectResponse(f"/aid/rebuild/{case_id}", status_code=303)


@router.post("/aid/rebuild/{case_id:int}/photo")
async def case_photo(
    case_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    settings = request.app.state.settings
    limit = photo_store.max_bytes_of(settings)
    data = await file.read(limit + 1)
    form = await request.form()
    caption = str(form.get("caption", "")).strip()[:200] or None

    def work():
        photos.add(
            session,
            principal,
            case_id,
            data,
            caption,
            upload_dir=photo_store.upload_dir_of(settings),
            max_bytes=limit,
        )

    await run_in_threadpool(work)
    return RedirectResponse(f"/aid/rebuild/{case_id}#photos", status_code=303)
