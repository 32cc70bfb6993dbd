"""Pages of the scorecards: the table with its map, and one place's scorecard (every item, its
source and how it is computed, the confirmations by hand with their evidence)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import in_scope, require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.pagination import Page
from yingji.org import places as org_places
from yingji.org.api import read_upload
from yingji.org.models import Jurisdiction
from yingji.org.params import url_code
from yingji.readiness import board, codes, confirmations, evidence, scorecards
from yingji.readiness.schemas import ConfirmIn
from yingji.readiness.views.common import error_texts, page, refused
from yingji.web.forms import in_savepoint

router = APIRouter()
LevelQ = Annotated[str | None, Query(pattern="^(town|village)?$")]
SortQ = Annotated[str, Query(pattern="^(score|-score|code)$")]


def _choices(session, principal, within: str | None) -> tuple[list, list]:
    """Counties in scope, and the towns of the chosen county (for the filters)."""
    counties = list(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name)
            .where(Jurisdiction.level == "county", in_scope(Jurisdiction.code, principal))
            .order_by(Jurisdiction.code)
        )
    )
    county = (within or principal.jurisdiction_code)[:6]
    towns = []
    if len(county) == 6:
        towns = list(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name)
                .where(
                    Jurisdiction.level == "town",
                    Jurisdiction.parent_code == county,
                    in_scope(Jurisdiction.code, principal),
                )
                .order_by(Jurisdiction.code)
            )
        )
    return counties, towns


@router.get("/readiness")
def scorecards_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    county: str | None = None,
    town: str | None = None,
    level: LevelQ = None,
    sort: SortQ = "score",
    missing: Annotated[str | None, Query(max_length=60)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    # the town chosen counts only within the county chosen (a county changed keeps no stale town)
    county_code, town_code = url_code(county), url_code(town)
    if town_code and county_code and not town_code.startswith(county_code):
        town_code = None
    code = town_code or county_code or url_code(within)
    result = board.table(
        session, principal, within=code, level=level or None, sort=sort, missing=missing or None, page=page_no
    )
    counties, towns = _choices(session, principal, code)
    ctx = {
        "result": result,
        "pages": Page(items=result["items"], total=result["total"], page=result["page"], size=result["size"]),
        "within": code or "",
        "county": (code or "")[:6] if code and len(code) >= 6 else "",
        "level": level or "",
        "sort": sort,
        "missing": missing or "",
        "counties": counties,
        "towns": towns,
        "items": [(i.ref, i.label) for m in codes.models() for i in m.items],
        "map_within": code or principal.jurisdiction_code,
    }
    return page(request, "readiness/list.html", ctx)


def _card_ctx(
    session, principal, code: str, errors: list[str] | None = None, form: dict | None = None
) -> dict:
    card = scorecards.card(session, principal, code)
    place = session.get(Jurisdiction, code)
    return {
        "card": card,
        "out": board.card_out(card),
        "crumbs": org_places.breadcrumbs(session, principal, place),
        "models": codes.models_of(card.place.level),
        "history": confirmations.history(session, principal, code)[:30],
        "can_manage": principal.can(Perm.READINESS_MANAGE) and principal.covers(code),
        "errors": errors or [],
        "form": form or {},
    }


@router.get("/readiness/places/{code}")
def scorecard_page(code: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.ORG_READ)
    found = url_code(code)
    if found is None:
        from yingji.core.errors import NotFound

        raise NotFound()
    return page(request, "readiness/card.html", _card_ctx(session, principal, found))


@router.post("/readiness/places/{code}/confirm")
async def confirm_item(code: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    place = url_code(code) or ""
    values = {
        "jurisdiction_code": place,
        "item": str(form.get("item", "")).strip(),
        "note": str(form.get("note", "")).strip(),
        "override": form.get("override") == "1",
    }
    upload = form.get("file")
    data = await read_upload(request, upload) if isinstance(upload, UploadFile) and upload.filename else None
    settings = request.app.state.settings

    def work():
        row = confirmations.confirm(session, principal, ConfirmIn(**values))
        if data:
            confirmations.add_evidence(
                session,
                principal,
                row.id,
                data,
                upload.filename,
                root=evidence.dir_of(settings),
                max_bytes=evidence.max_bytes_of(settings),
            )
        return row

    try:
        await run_in_threadpool(in_savepoint, session, work)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        ctx = _card_ctx(session, principal, place, error_texts(exc), values)
        return page(request, "readiness/card.html", ctx, status_code=422)
    return RedirectResponse(f"/readiness/places/{place}#item-{values['item']}", status_code=303)


@router.post("/readiness/confirmations/{confirmation_id}/withdraw")
def withdraw(confirmation_id: int, principal: CurrentPrincipal, session: DbSession):
    row = confirmations.withdraw(session, principal, confirmation_id)
    return RedirectResponse(f"/readiness/places/{row.jurisdiction_code}", status_code=303)


@router.post("/readiness/confirmations/{confirmation_id}/evidence")
async def confirmation_evidence(
    confirmation_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
):
    data = await read_upload(request, file)
    settings = request.app.state.settings

    def work():
        return confirmations.add_evidence(
            session,
            principal,
            confirmation_id,
            data,
            file.filename,
            root=evidence.dir_of(settings),
            max_bytes=evidence.max_bytes_of(settings),
        )

    row = await run_in_threadpool(work)
    return RedirectResponse(f"/readiness/places/{row.jurisdiction_code}", status_code=303)
