"""Resident registry pages: the list (vulnerable people filter) and the Excel import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.residents import exchange, registry
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register(N_("Warnings"), nav.NavItem("residents", N_("Residents"), "/residents", Perm.RESIDENTS_MANAGE))


@router.get("/residents")
def residents_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    vulnerable: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session, principal, q=q, within=url_code(within), vulnerable=vulnerable, page=page, size=50
    )
    ctx = {
        "page": result,
        "names": registry.place_names(session, result.items),
        "q": q,
        "within": within or "",
        "vulnerable": vulnerable,
    }
    return render(request, "residents/list.html", ctx)


@router.get("/residents/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.RESIDENTS_MANAGE)
    return render(
        request, "residents/import.html", {"result": None, "errors": [], "columns": exchange.COLUMNS}
    )


@router.post("/residents/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    cols = {"columns": exchange.COLUMNS}
    return await answers.import_page(
        request, session, principal, "residents", data, file.filename, render, "residents/import.html", cols
    )
