"""Dynamic-clearing statistics API (动态清零): per town and month, as JSON or .xlsx."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.core.i18n import current_locale
from yingji.files.openapi import XLSX_FILE
from yingji.org.params import query_code
from yingji.risk import clearing
from yingji.risk.schemas import ClearingOut, answer

router = APIRouter()


# -- dynamic clearing -----------------------------------------------------------------------
@router.get("/risk/clearing", response_model=ClearingOut)
def clearing_stats(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> JSONResponse:
    """Dynamic-clearing statistics per town and month, and per town."""
    rows = clearing.table(session, principal, months=clearing.months_back(months), within=query_code(within))
    return answer({"rows": rows, "towns": clearing.by_town(rows)})


@router.get("/risk/clearing.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None)
def clearing_export(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Response:
    """The dynamic-clearing statistics as .xlsx; the export is audited."""
    code = query_code(within)
    rows = clearing.table(session, principal, months=clearing.months_back(months), within=code)
    body = clearing.workbook(rows, current_locale())
    return audited_download(
        db, principal, body, entity="risk_clearing", filename="clearing.xlsx", jurisdiction_code=code
    )
