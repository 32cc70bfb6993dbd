"""Organisation pages: jurisdiction tree, grid, people, units, directory, Excel exchange."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected, NotFound, ValidationFailed, YingjiError
from yingji.duty.common import ROLE_LABELS as DUTY_ROLE_LABELS
from yingji.files import answers
from yingji.org import directory, exchange, grids, people, picker, places, topics, units
from yingji.org.api import read_upload
from yingji.org.params import PageNo, url_code
from yingji.org.schemas import PersonIn, PersonPatch
from yingji.web import forms
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


# -- places ---------------------------------------------------------------------------------
@router.get("/places")
def places_root(principal: CurrentPrincipal, session: DbSession):
    own = places.root(session, principal)
    if own is None:
        raise NotFound()
    return RedirectResponse(f"/places/{own.code}", status_code=303)


@router.get("/places/{code}")
def place_page(code: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    place = places.get(session, principal, url_code(code))
    ctx = {
        "place": place,
        "trail": places.breadcrumbs(session, principal, place),
        "counts": places.subtree_counts(session, place.code),
        "children": places.children_with_counts(session, principal, place.code),
        "cell": session.scalar(grids.select_cell_by_code(place.code)),
    }
    if request.headers.get("hx-request"):
        return render(request, "places/_children.html", ctx)
    return render(request, "places/place.html", ctx)


# -- grid -----------------------------------------------------------------------------------
@router.get("/grids")
def grids_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    page: PageNo = 1,
):
    result = grids.search(session, principal, q=q, within=url_code(within), level=level, page=page, size=50)
    return render(
        request, "grids/list.html", {"page": result, "q": q, "level": level, "within": within or ""}
    )


@router.get("/grids/{cell_id}")
def grid_page(cell_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    cell = grids.get(session, principal, cell_id)
    return render(
        request,
        "grids/cell.html",
        {
            "cell": cell,
            "out": grids.to_out(cell, principal),
            "children": grids.children(session, principal, cell),
            "trail": places.breadcrumbs(session, principal, cell.jurisdiction),
        },
    )


@router.post("/grids/{cell_id}/assign")
def grid_assign(
    cell_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    mobile: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "worker",
):
    from yingji.org.schemas import AssignmentIn, check_mobile

    try:
        number = check_mobile(mobile)
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "mobile", "message": "Not a mainland mobile number."}]
        ) from None
    found = people.search(session, principal, q=number or "", size=1).items
    if not found:
        raise ValidationFailed(details=[{"field": "mobile", "message": "No person with this mobile number."}])
    grids.assign(session, principal, cell_id, AssignmentIn(person_id=found[0].id, role=role))
    return RedirectResponse(f"/grids/{cell_id}", status_code=303)


@router.post("/grids/{cell_id}/unassign/{assignment_id}")
def grid_unassign(cell_id: int, assignment_id: int, principal: CurrentPrincipal, session: DbSession):
    grids.unassign(session, principal, assignment_id)
    return RedirectResponse(f"/grids/{cell_id}", status_code=303)


# -- people ---------------------------------------------------------------------------------
@router.get("/pick/people")
def pick_people(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=40)] = "",
    within: str | None = None,
):
    """The people picker's list (an htmx fragment): people in scope matching what was typed."""
    found = picker.pick(session, principal, q, within=url_code(within))
    return render(request, "people/_pick.html", {"options": found, "q": q.strip()})


@router.get("/people")
def people_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    page: PageNo = 1,
):
    result = people.search(session, principal, q=q, within=url_code(within), page=page, size=50)
    return render(request, "people/list.html", {"page": result, "q": q, "within": within or ""})


@router.get("/people/new")
def person_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.PEOPLE_WRITE)
    return render(
        request,
        "people/form.html",
        {"person": None, "form": {"jurisdiction_code": within or principal.jurisdiction_code}, "errors": {}},
    )


def _form_errors(exc: ValidationError | YingjiError) -> dict[str, str]:
    return forms.form_errors(exc, refusals_up=False)


PERSON_FIELDS = ("name", "gender", "mobile", "office_phone", "email", "title", "jurisdiction_code", "note")


async def _person_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k, "")).strip() for k in PERSON_FIELDS}


@router.post("/people/new")
async def person_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await _person_form(request)
    try:
        data = PersonIn(
            **{k: (v or None) for k, v in form.items()}
            | {"name": form["name"], "jurisdiction_code": form["jurisdiction_code"]}
        )
        person = await run_in_threadpool(_in_savepoint, session, people.create, session, principal, data)
    except (ValidationError, ValidationFailed, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        return render(
            request,
            "people/form.html",
            {"person": None, "form": form, "errors": _form_errors(exc)},
            status_code=422,
        )
    return RedirectResponse(f"/people/{person.id}", status_code=303)


def _in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


@router.get("/people/{person_id}")
def person_page(person_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    person = people.get(session, principal, person_id)
    return render(request, "people/person.html", {"person": person, "out": people.to_out(person, principal)})


@router.get("/people/{person_id}/edit")
def person_edit(person_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.PEOPLE_WRITE)
    person = people.get(session, principal, person_id)
    form = {k: getattr(person, k) or "" for k in PERSON_FIELDS}
    return render(request, "people/form.html", {"person": person, "form": form, "errors": {}})


@router.post("/people/{person_id}/edit")
async def person_update(person_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await _person_form(request)
    try:
        patch = PersonPatch(**{k: (v or None) for k, v in form.items()} | {"name": form["name"] or None})
        await run_in_threadpool(_in_savepoint, session, people.update, session, principal, person_id, patch)
    except (ValidationError, ValidationFailed, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        person = await run_in_threadpool(people.get, session, principal, person_id)
        return render(
            request,
            "people/form.html",
            {"person": person, "form": form, "errors": _form_errors(exc)},
            status_code=422,
        )
    return RedirectResponse(f"/people/{person_id}", status_code=303)


# -- units ----------------------------------------------------------------------------------
@router.get("/units")
def units_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    page: PageNo = 1,
):
    result = units.search(session, principal, q=q, within=url_code(within), kind=kind or None, page=page)
    return render(
        request,
        "units/list.html",
        {"page": result, "q": q, "kind": kind or "", "within": within or "", "kinds": units.UNIT_KINDS},
    )


@router.get("/units/{unit_id}")
def unit_page(unit_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    unit = units.get(session, principal, unit_id)
    return render(
        request,
        "units/unit.html",
        {
            "unit": unit,
            "kinds": units.UNIT_KINDS,
            "roles": units.POSITION_ROLES,
            "memberships": units.memberships(session, unit),
            "subs": units.sub_units(session, principal, unit),
            "topic": topics.get(unit.topic),
        },
    )


# -- directory ------------------------------------------------------------------------------
@router.get("/directory")
def directory_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    place: Annotated[str | None, Query(max_length=15, pattern=r"^\d{2,15}$")] = None,
):
    answer = directory.find(session, principal, q, place=place)
    ctx = {
        "answer": answer,
        "q": q,
        "examples": ["谁在值班", "防汛", "森林防火 谁负责", "地灾 网格员"],
        "role_labels": DUTY_ROLE_LABELS,
    }
    if request.headers.get("hx-request"):
        return render(request, "directory/_results.html", ctx)
    return render(request, "directory/search.html", ctx)


# -- Excel exchange -------------------------------------------------------------------------
@router.get("/exchange")
def exchange_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.EXPORT)
    return render(request, "exchange.html", {"result": None, "errors": [], "kinds": exchange.KINDS})


@router.post("/exchange/import")
async def exchange_import(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    file: UploadFile,
    kind: Annotated[str, Form()] = "people",
):
    if kind not in exchange.IMPORTERS:
        raise NotFound()
    data = await read_upload(request, file)
    job = await answers.import_job(request, session, principal, kind, data, file.filename)
    if job is not None:  # a large file: its job's page shows the progress and the result
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    try:
        importer = exchange.IMPORTERS[kind]
        result = await run_in_threadpool(answers.timed, request, importer, session, principal, data)
    except ImportRejected as exc:
        errors = forms.import_errors(exc)
        return render(
            request,
            "exchange.html",
            {"result": None, "errors": errors, "kind": kind, "kinds": exchange.KINDS},
            status_code=422,
        )
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        kind,
        None,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return render(
        request,
        "exchange.html",
        {"result": result.as_dict(), "errors": [], "kind": kind, "kinds": exchange.KINDS},
    )
