"""Shelter registry pages: the list (table and small map on a desk, cards on a phone) with the
nearest shelters for a village, a shelter's page (capacity bar, live occupancy, opening and closing,
stays, log, inspections, facilities), the form and the Excel import."""

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
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.shelters import api as shelters_api
from yingji.shelters import checkin, exchange, nearest, registry, status
from yingji.shelters.schemas import ShelterIn, ShelterPatch
from yingji.shelters.views.common import message, page, shown
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
TEXT = (
    "code",
    "name",
    "level",
    "shelter_class",
    "space_type",
    "jurisdiction_code",
    "address",
    "managing_unit",
)
TEXT += ("standard", "note")
NUMBERS = ("lon", "lat", "total_area_m2", "usable_area_m2", "area_per_person_m2", "capacity")
NUMBERS += ("service_radius_m", "duration_days", "entrances")
INTS = {"capacity", "service_radius_m", "duration_days", "entrances"}


@router.get("/shelters")
def shelters_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    level: shelters_api.LevelQ = None,
    shelter_class: shelters_api.ClassQ = None,
    status: shelters_api.StatusQ = None,
    village: str | None = None,
    needed: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        level=level,
        shelter_class=shelter_class,
        status=status,
        page=page_no,
        size=50,
    )
    near, near_error = None, None
    if village:
        try:
            near = nearest.nearest(session, principal, code=url_code(village), needed=needed)
        except YingjiError as exc:
            if not shown(exc):
                raise
            near_error = message(exc)
    ctx = {
        "page": result,
        "rows": registry.outs(session, principal, result.items),
        "q": q,
        "within": within or "",
        "level": level or "",
        "shelter_class": shelter_class or "",
        "status": status or "",
        "village": village or "",
        "needed": needed or "",
        "near": near,
        "near_error": near_error,
        "can_manage": principal.can(Perm.SHELTERS_MANAGE),
    }
    return page(request, "shelters/list.html", ctx)


def _detail(session, principal, shelter_id: int, errors: dict | None = None) -> dict:
    shelter = registry.get(session, principal, shelter_id)
    return {
        "shelter": shelter,
        "out": shelters_api.detail(session, principal, shelter),
        "can_manage": principal.can(Perm.SHELTERS_MANAGE) and principal.covers(shelter.jurisdiction_code),
        "can_checkin": principal.can(Perm.SHELTER_CHECKIN) and principal.covers(shelter.jurisdiction_code),
        "errors": errors or {},
    }


@router.get("/shelters/{shelter_id:int}")
def shelter_page(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return page(request, "shelters/detail.html", _detail(session, principal, shelter_id))


@router.get("/shelters/{shelter_id:int}/figures")
def shelter_figures(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The capacity bar and the people in now (htmx refresh on ``shelter.changed``)."""
    return page(request, "shelters/_figures.html", _detail(session, principal, shelter_id))


async def _form(request: Request) -> tuple[dict, dict]:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in TEXT + NUMBERS}
    values["facilities"] = [str(v) for v in form.getlist("facilities")]
    values["manager_name"] = str(form.get("manager_name", "")).strip()
    values["manager_mobile"] = str(form.get("manager_mobile", "")).strip()
    return values, dict(form)


def _input(values: dict, *, patch: bool) -> dict:
    data: dict = {k: (values[k] or None) for k in TEXT}
    for k in NUMBERS:
        raw = values[k]
        data[k] = (int(float(raw)) if k in INTS else float(raw)) if raw else None
    data["facilities"] = dict.fromkeys(values["facilities"], True)
    if values["manager_name"]:
        data["managers"] = [
            {
                "name": values["manager_name"],
                "mobile": values["manager_mobile"] or None,
                "duty": "负责人",
                "primary": True,
            }
        ]
    elif not patch:
        data["managers"] = []
    if patch:
        data.pop("code", None)
        for required in ("name", "level", "shelter_class", "jurisdiction_code", "space_type"):
            if data[required] is None:
                data.pop(required)
    else:
        data = {k: v for k, v in data.items() if v is not None}
    return data


def _blank(principal, within) -> dict:
    return {
        "jurisdiction_code": within or principal.jurisdiction_code,
        "level": "town",
        "shelter_class": "short",
        "space_type": "outdoor",
        "facilities": [],
    }


@router.get("/shelters/new")
def shelter_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.SHELTERS_MANAGE)
    return page(
        request, "shelters/form.html", {"shelter": None, "form": _blank(principal, within), "errors": {}}
    )


@router.post("/shelters/new")
async def shelter_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values, _ = await _form(request)
    try:
        data = ShelterIn(**_input(values, patch=False))
        shelter = await run_in_threadpool(in_savepoint, session, registry.create, session, principal, data)
    except (ValidationError, YingjiError, ValueError) as exc:
        if not shown(exc):
            raise
        errors = (
            form_errors(exc)
            if isinstance(exc, ValidationError | YingjiError)
            else {"_": gettext("This value is not valid.")}
        )
        return page(request, "shelters/form.html", {"shelter": None, "form": values, "errors": errors}, 422)
    return RedirectResponse(f"/shelters/{shelter.id}", status_code=303)


@router.get("/shelters/{shelter_id:int}/edit")
def shelter_edit(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    shelter = registry.get(session, principal, shelter_id)
    require(principal, Perm.SHELTERS_MANAGE)
    form = {
        k: ("" if getattr(shelter, k, None) is None else str(getattr(shelter, k))) for k in TEXT + NUMBERS
    }
    if not shelter.capacity_stated:
        form["capacity"] = ""
    form["facilities"] = [k for k, v in (shelter.facilities or {}).items() if v]
    primary = next((m for m in shelter.managers if m.primary), None)
    form["manager_name"] = primary.name if primary else ""
    form["manager_mobile"] = (primary.mobile or "") if primary else ""
    return page(request, "shelters/form.html", {"shelter": shelter, "form": form, "errors": {}})


@router.post("/shelters/{shelter_id:int}/edit")
async def shelter_update(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values, _ = await _form(request)
    try:
        data = _input(values, patch=True)
        patch = ShelterPatch(**data)
        await run_in_threadpool(in_savepoint, session, registry.update, session, principal, shelter_id, patch)
    except (ValidationError, YingjiError, ValueError) as exc:
        if not shown(exc):
            raise
        shelter = await run_in_threadpool(registry.get, session, principal, shelter_id)
        errors = (
            form_errors(exc)
            if isinstance(exc, ValidationError | YingjiError)
            else {"_": gettext("This value is not valid.")}
        )
        return page(
            request, "shelters/form.html", {"shelter": shelter, "form": values, "errors": errors}, 422
        )
    return RedirectResponse(f"/shelters/{shelter_id}", status_code=303)


async def _act(request, session, principal, shelter_id, fn, *args, **kw):
    try:
        await run_in_threadpool(
            in_savepoint, session, lambda: fn(session, principal, shelter_id, *args, **kw)
        )
    except YingjiError as exc:
        if not shown(exc):
            raise
        ctx = await run_in_threadpool(_detail, session, principal, shelter_id, {"_": message(exc)})
        return page(request, "shelters/detail.html", ctx, exc.status_code)
    return RedirectResponse(f"/shelters/{shelter_id}", status_code=303)


@router.post("/shelters/{shelter_id:int}/open")
async def shelter_open(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    note = str(form.get("note", "")).strip()[:500] or None
    order = str(form.get("order_id", "")).strip()
    order_id = int(order) if order.isdigit() else None
    return await _act(
        request, session, principal, shelter_id, status.open_shelter, order_id=order_id, note=note
    )


@router.post("/shelters/{shelter_id:int}/close")
async def shelter_close(shelter_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    note = str(form.get("note", "")).strip()[:500] or None
    override = str(form.get("override_note", "")).strip()[:500] or None
    return await _act(
        request, session, principal, shelter_id, status.close_shelter, note=note, override_note=override
    )


@router.post("/shelters/stays/{stay_id:int}/checkout")
async def stay_checkout(stay_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    key = str(form.get("client_key", "")).strip()[:64] or f"page-out-{stay_id}"
    stay = await run_in_threadpool(checkin.check_out, session, principal, stay_id, client_key=key)
    back = str(form.get("back", ""))
    return RedirectResponse(
        back if back.startswith("/shelters/") else f"/shelters/{stay.shelter_id}", status_code=303
    )


@router.get("/shelters/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.SHELTERS_MANAGE)
    return page(request, "shelters/import.html", {"result": None, "errors": [], "columns": exchange.COLUMNS})


@router.post("/shelters/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    cols = {"columns": exchange.COLUMNS}
    return await answers.import_page(
        request, session, principal, "shelters", data, file.filename, page, "shelters/import.html", cols
    )
