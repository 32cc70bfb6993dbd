"""Drills API, the year's view: the yearly drill plan of a place, frequency compliance, the upward
report (定期报送, JSON and DOCX) and the Excel exports of the drill list and the compliance table.
Included by ``drills.api`` (its package) before the routes of one drill."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import Db, DbSession
from yingji.drills import compliance, programmes, registry, report
from yingji.drills.labels import PERIODS
from yingji.drills.schemas import ComplianceOut, ProgrammeApproveIn, ProgrammeIn, ProgrammeOut, ReportOut
from yingji.files import answers
from yingji.files.openapi import DOCX_FILE, EXPORT
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.params import query_code

router = APIRouter()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Year = Annotated[int | None, Query(ge=2000, le=2100)]
PeriodQ = Annotated[str, Query(pattern="^(" + "|".join(PERIODS) + ")$")]


@router.get("/drills/export", response_class=Response, responses=EXPORT, response_model=None)
def export_drills(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    year: Year = None,
) -> Response:
    """The drills in scope as .xlsx (audited; a large one is written by a file job: 202)."""
    code = query_code(within)
    if code:
        places.within(session, principal, code)
    params = {"within": code, "year": year}
    return answers.export(request, session, db, principal, "drills", params, jurisdiction_code=code)


@router.get("/drills/compliance", response_model=ComplianceOut)
def drill_compliance(
    principal: CurrentPrincipal, session: DbSession, within: str | None = None, as_of: date | None = None
) -> dict:
    """Who must drill (rules/drill_frequency.json with local overrides), when last, who is overdue."""
    return compliance.for_principal(session, principal, query_code(within), as_of)


@router.get("/drills/compliance/export", response_class=Response, responses=EXPORT, response_model=None)
def export_compliance(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    code = query_code(within)
    if code:
        places.within(session, principal, code)
    return answers.export(
        request, session, db, principal, "drill_compliance", {"within": code}, jurisdiction_code=code
    )


@router.get("/drills/report", response_model=ReportOut)
def drill_report(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Query(ge=2000, le=2100)],
    period: PeriodQ = "year",
    within: str | None = None,
) -> dict:
    """The upward report (定期报送) of the drills of a place in a period."""
    return report.build(session, principal, query_code(within), year, period)


@router.get("/drills/report.docx", response_class=Response, responses=DOCX_FILE, response_model=None)
def drill_report_docx(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    year: Annotated[int, Query(ge=2000, le=2100)],
    period: PeriodQ = "year",
    within: str | None = None,
) -> Response:
    """The upward report as a DOCX in the official layout (audited download)."""
    require(principal, Perm.EXPORT)
    data = report.build(session, principal, query_code(within), year, period)
    return audited_download(
        db,
        principal,
        report.docx(data),
        entity="drills",
        filename=f"drill-report-{year}-{period}.docx",
        jurisdiction_code=query_code(within),
        media_type=DOCX,
        note=f"report {year} {period}",
    )


# the yearly drill plan
def programme_out(session, principal, programme) -> dict:
    drills = programmes.drills_of(session, programme)
    ctx = registry.context(session, drills)
    return {
        "id": programme.id,
        "jurisdiction_code": division_codes.division_code_12(programme.jurisdiction_code),
        "year": programme.year,
        "title": programme.title,
        "state": programme.state,
        "approved_on": programme.approved_on,
        "approved_by": programme.approved_by,
        "note": programme.note,
        "drills": [registry.to_out(d, principal, ctx) for d in drills],
    }


@router.get("/drills/programmes", response_model=ProgrammeOut)
def get_programme(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Query(ge=2000, le=2100)],
    within: str | None = None,
) -> dict:
    """The yearly drill plan of a place (default: the user's own) with its drills."""
    code = query_code(within) or principal.jurisdiction_code
    return programme_out(session, principal, programmes.for_place(session, principal, code, year))


@router.post("/drills/programmes", response_model=ProgrammeOut, status_code=201)
def create_programme(data: ProgrammeIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return programme_out(session, principal, programmes.create(session, principal, data))


@router.post("/drills/programmes/{programme_id}/approve", response_model=ProgrammeOut)
def approve_programme(
    programme_id: int, data: ProgrammeApproveIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return programme_out(session, principal, programmes.approve(session, principal, programme_id, data))
