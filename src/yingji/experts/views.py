"""Expert registry pages: the list with search by field and place, an expert with availability and
the history of consultations, the forms, and the Excel import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.experts import api as experts_api
from yingji.experts import codes, consulting, exchange, registry
from yingji.experts.codes import Availability, FieldKind
from yingji.experts.schemas import ExpertIn, ExpertPatch
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint
from yingji.web.templating import pages

router = APIRouter(include_in_schema=False)
TEXT_FIELDS = ("code", "name", "gender", "title", "title_grade", "position", "unit_name", "specialty")
TEXT_FIELDS += (
    "jurisdiction_code",
    "mobile",
    "office_phone",
    "email",
    "availability",
    "availability_note",
    "note",
)
LIST_FIELDS = ("disciplines", "categories")


_page = pages({"ec": codes, "Availability": Availability})


def _refused(exc: Exception) -> bool:
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))


@router.get("/experts")
def experts_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    near: str | None = None,
    discipline: experts_api.FieldCode = None,
    category: experts_api.FieldCode = None,
    availability: experts_api.AvailabilityQ = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        near=url_code(near),
        discipline=discipline,
        category=category,
        availability=availability,
        page=page,
        size=50,
    )
    ctx = {
        "page": result,
        "rows": registry.outs(session, principal, result.items),
        "q": q,
        "within": within or "",
        "near": near or "",
        "discipline": discipline or "",
        "category": category or "",
        "availability": availability or "",
        "can_manage": principal.can(Perm.EXPERTS_MANAGE),
    }
    return _page(request, "experts/list.html", ctx)


def _blank_form(principal, within: str | None) -> dict:
    return {
        "jurisdiction_code": within or principal.jurisdiction_code,
        "availability": Availability.AVAILABLE.value,
    }


@router.get("/experts/new")
def expert_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.EXPERTS_MANAGE)
    return _page(
        request, "experts/form.html", {"expert": None, "form": _blank_form(principal, within), "errors": {}}
    )


async def _form(request: Request) -> dict:
    form = await request.form()
    values: dict = {k: str(form.get(k, "")).strip() for k in TEXT_FIELDS}
    for k in LIST_FIELDS:
        values[k] = [str(v) for v in form.getlist(k) if str(v).strip()]
    return values


def _input(values: dict, *, patch: bool) -> dict:
    data = {k: (v or None) for k, v in values.items() if k in TEXT_FIELDS}
    data["disciplines"], data["categories"] = values["disciplines"], values["categories"]
    if patch:
        for k in ("code", "availability", "availability_note"):
            data.pop(k, None)
        for required in ("name", "jurisdiction_code"):
            if data[required] is None:
                data.pop(required)
    elif data.get("availability") is None:
        data.pop("availability", None)
    return data


@router.post("/experts/new")
async def expert_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values = await _form(request)
    try:
        data = ExpertIn(**_input(values, patch=False))
        expert = await run_in_threadpool(in_savepoint, session, registry.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        ctx = {"expert": None, "form": values, "errors": form_errors(exc)}
        return _page(request, "experts/form.html", ctx, status_code=422)
    return RedirectResponse(f"/experts/{expert.id}", status_code=303)


@router.get("/experts/{expert_id:int}")
def expert_page(expert_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    expert = registry.get(session, principal, expert_id)
    ctx = {
        "expert": expert,
        "out": registry.outs(session, principal, [expert])[0],
        "history": consulting.history(session, principal, expert.id),
        "can_manage": principal.can(Perm.EXPERTS_MANAGE) and principal.covers(expert.jurisdiction_code),
        "errors": {},
    }
    return _page(request, "experts/detail.html", ctx)


@router.get("/experts/{expert_id:int}/edit")
def expert_edit(expert_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    expert = registry.get(session, principal, expert_id)
    require(principal, Perm.EXPERTS_MANAGE)
    form = {k: ("" if getattr(expert, k, None) is None else str(getattr(expert, k))) for k in TEXT_FIELDS}
    form["disciplines"] = expert.codes_of(FieldKind.DISCIPLINE)
    form["categories"] = expert.codes_of(FieldKind.CATEGORY)
    return _page(request, "experts/form.html", {"expert": expert, "form": form, "errors": {}})


@router.post("/experts/{expert_id:int}/edit")
async def expert_update(expert_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values = await _form(request)
    try:
        patch = ExpertPatch(**_input(values, patch=True))
        await run_in_threadpool(in_savepoint, session, registry.update, session, principal, expert_id, patch)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        expert = await run_in_threadpool(registry.get, session, principal, expert_id)
        ctx = {"expert": expert, "form": values, "errors": form_errors(exc)}
        return _page(request, "experts/form.html", ctx, status_code=422)
    return RedirectResponse(f"/experts/{expert_id}", status_code=303)


@router.post("/experts/{expert_id:int}/availability")
async def expert_availability(
    expert_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await request.form()
    note = str(form.get("note", "")).strip()[:200] or None
    try:
        state = Availability(str(form.get("availability", "")))
        await run_in_threadpool(
            in_savepoint, session, registry.set_availability, session, principal, expert_id, state, note
        )
    except (ValueError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and not _refused(exc):
            raise
        expert = await run_in_threadpool(registry.get, session, principal, expert_id)
        message = (
            gettext(exc.message, **exc.params)
            if isinstance(exc, YingjiError)
            else gettext("Not a valid choice.")
        )
        ctx = {
            "expert": expert,
            "out": registry.outs(session, principal, [expert])[0],
            "history": consulting.history(session, principal, expert.id),
            "can_manage": True,
            "errors": {"availability": message},
        }
        return _page(
            request, "experts/detail.html", ctx, status_code=409 if isinstance(exc, YingjiError) else 422
        )
    return RedirectResponse(f"/experts/{expert_id}", status_code=303)


@router.get("/experts/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.EXPERTS_MANAGE)
    return _page(request, "experts/import.html", {"result": None, "errors": [], "columns": exchange.COLUMNS})


@router.post("/experts/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    cols = {"columns": exchange.COLUMNS}
    return await answers.import_page(
        request, session, principal, "experts", data, file.filename, _page, "experts/import.html", cols
    )
