"""Drills pages, the drills themselves: the list with filters, the new-drill and edit forms, a drill's
page with its state moves and participants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.drills import (
    participants,
    registry,
)
from yingji.drills.api import registry as drills_api
from yingji.drills.schemas import (
    DrillIn,
    DrillMoveIn,
    DrillPatch,
    ParticipantIn,
)
from yingji.drills.views import common as pages
from yingji.org.params import url_code
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)

router = APIRouter(include_in_schema=False)

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]

_page, _refused, _year = pages.page, pages.refused, pages.year_or_this
_detail, _act, _fields = pages.detail, pages.act, pages.fields


@router.get("/drills")
def drills_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    year: YearQ = None,
    state: drills_api.StateQ = None,
    form: drills_api.FormQ = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        year=year,
        state=state,
        form=form,
        page=page,
        size=50,
    )
    ctx = {
        "page": result,
        "rows": [
            registry.to_out(d, principal, registry.context(session, result.items)) for d in result.items
        ],
        "q": q,
        "within": within or "",
        "year": year or "",
        "state": state or "",
        "form": form or "",
        "this_year": registry.today().year,
        "can_manage": principal.can(Perm.DRILLS_MANAGE),
    }
    return _page(request, "drills/list.html", ctx)


def _form_page(request, session, principal, drill, form, errors, status_code=200):
    ctx = {"drill": drill, "form": form, "errors": errors}
    ctx |= pages.choices(session, principal, form.get("jurisdiction_code") or principal.jurisdiction_code)
    return _page(request, "drills/form.html", ctx, status_code=status_code)


@router.get("/drills/new")
def drill_new(request: Request, principal: CurrentPrincipal, session: DbSession, within: str | None = None):
    require(principal, Perm.DRILLS_MANAGE)
    code = url_code(within) or principal.jurisdiction_code
    form = {"jurisdiction_code": code, "form": "live", "scope": "comprehensive", "purpose": "test"}
    form |= {"notice_time": True, "notice_scenario": True, "plan_ids": []}
    return _form_page(request, session, principal, None, form, {})


@router.post("/drills/new")
async def drill_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    typed, data = await pages.drill_form(request)
    try:
        drill = await run_in_threadpool(
            in_savepoint, session, registry.create, session, principal, DrillIn(**data)
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return _form_page(request, session, principal, None, typed, form_errors(exc), 422)
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


@router.get("/drills/{drill_id:int}/edit")
def drill_edit(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    drill = registry.for_update(session, principal, drill_id)
    return _form_page(request, session, principal, drill, pages.form_of(drill), {})


@router.post("/drills/{drill_id:int}/edit")
async def drill_update(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    typed, data = await pages.drill_form(request)
    data.pop("jurisdiction_code", None)
    try:
        patch = DrillPatch(**data)
        await run_in_threadpool(in_savepoint, session, registry.update, session, principal, drill_id, patch)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        drill = await run_in_threadpool(registry.get, session, principal, drill_id)
        typed["jurisdiction_code"] = drill.jurisdiction_code
        return _form_page(request, session, principal, drill, typed, form_errors(exc), 422)
    return RedirectResponse(f"/drills/{drill_id}", status_code=303)


@router.get("/drills/{drill_id:int}")
def drill_page(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _detail(request, session, principal, drill_id)


@router.post("/drills/{drill_id:int}/state")
async def drill_move(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(request, "state", "at", "reason")

    def work():
        data = DrillMoveIn(state=f["state"], at=pages.local_datetime(f["at"]), reason=f["reason"])
        registry.move(session, principal, drill_id, data.state, data.at, data.reason)

    return await _act(request, session, principal, drill_id, work)


@router.post("/drills/{drill_id:int}/participants")
async def participant_add(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(request, "kind", "unit_ref", "team_ref", "person_ref", "name", "role", "headcount")
    kind = f["kind"] or "other"
    ref = {"unit": "unit_id", "team": "team_id", "person": "person_id"}.get(kind)

    def work():
        values = {
            "kind": kind,
            "name": f["name"],
            "role": f["role"] or "player",
            "headcount": f["headcount"] or 1,
        }
        if ref:
            values[ref] = f[f"{kind}_ref"]
        participants.add(session, principal, drill_id, ParticipantIn(**values))

    return await _act(request, session, principal, drill_id, work, "#participants")


@router.post("/drills/{drill_id:int}/participants/{participant_id:int}/delete")
async def participant_remove(
    drill_id: int, participant_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    def work():
        participants.remove(session, principal, drill_id, participant_id)

    return await _act(request, session, principal, drill_id, work, "#participants")
