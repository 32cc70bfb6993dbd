"""Duty API of the rosters: who is on now, the board, gaps, rosters, rotations, overrides, swaps,
Excel import/export (under /api/v1/duty, see ``duty.api``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.scope import visible
from yingji.core.deps import Db, DbSession
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import current_locale
from yingji.duty import board, exchange, gaps, handover, oncall, out, rosters, rotation
from yingji.duty.forms import parse_month
from yingji.duty.schemas import (
    BoardOut,
    DeletedOut,
    GapListOut,
    OnDutyListOut,
    OverrideIn,
    OverrideListOut,
    OverrideOut,
    RosterIn,
    RosterListOut,
    RosterOut,
    RosterPatch,
    RotationIn,
    RotationSetOut,
    ShiftListOut,
    SwapIn,
)
from yingji.files import answers
from yingji.files.openapi import IMPORT_JOB, XLSX_FILE
from yingji.org import places
from yingji.org.api import read_upload
from yingji.org.models import Unit
from yingji.org.params import query_code
from yingji.org.schemas import ImportCountsOut

router = APIRouter()
MAX_DAYS = 62


# -- who is on ------------------------------------------------------------------------------
@router.get("/now", response_model=OnDutyListOut)
def who_is_on(
    principal: CurrentPrincipal,
    session: DbSession,
    unit: int | None = None,
    place: str | None = None,
    at: datetime | None = None,
) -> dict:
    """Who is on duty now (or ``at``): for a unit, or for a place — its duty units and those of
    the levels above it up to your own, nearest first."""
    if unit is not None:
        visible(principal, session.get(Unit, unit))
        found = oncall.on_duty(session, unit_id=unit, at=at)
    else:
        code = query_code(place, "place") or principal.jurisdiction_code
        if not code:
            raise ValidationFailed(details=[{"field": "place", "message": "Name a place or a unit."}])
        places.get(session, principal, code)
        found = [
            d
            for d in oncall.on_duty(session, jurisdiction_code=code, at=at)
            if principal.covers(d.jurisdiction_code)
        ]
    return {"items": [out.on_duty(d, principal) for d in found]}


@router.get("/board", response_model=BoardOut)
def duty_board(principal: CurrentPrincipal, session: DbSession) -> dict:
    """The board in one answer: on duty here and one level below, reports, leaves, gaps."""
    b = board.build(session, principal)
    return {
        "day": b.day,
        "own": [out.on_duty(d, principal) for d in b.own],
        "below": [out.on_duty(d, principal) for d in b.below],
        "reports": out.summary(b.reports),
        "away": [out.leave(lv, principal) for lv in b.away],
        "gaps": [vars(g) | {"key": g.key} for g in b.gaps],
    }


@router.get("/gaps", response_model=GapListOut)
def gaps_ahead(principal: CurrentPrincipal, session: DbSession) -> dict:
    """Shifts ahead with no leader or no officer, in every roster you can see."""
    return {"items": [vars(g) for g in gaps.in_scope_ahead(session, principal)]}


# -- rosters --------------------------------------------------------------------------------
@router.get("/rosters", response_model=RosterListOut)
def list_rosters(principal: CurrentPrincipal, session: DbSession, within: str | None = None) -> dict:
    """Rosters in your scope (optionally under a place)."""
    return {
        "items": [
            out.roster(r) for r in rosters.search(session, principal, within=query_code(within, "place"))
        ]
    }


@router.post("/rosters", status_code=201, response_model=RosterOut)
def create_roster(data: RosterIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Give a unit a roster (DUTY_MANAGE in its jurisdiction)."""
    return out.roster(rosters.create(session, principal, data))


@router.get("/rosters/{roster_id}", response_model=RosterOut)
def get_roster(roster_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A roster with its rotations."""
    return out.roster(rosters.get(session, principal, roster_id))


@router.patch("/rosters/{roster_id}", response_model=RosterOut)
def update_roster(
    roster_id: int, patch: RosterPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Change a roster's name, shift start, gap horizon, note or active flag."""
    return out.roster(rosters.update(session, principal, roster_id, patch))


@router.put("/rosters/{roster_id}/rotations", response_model=RotationSetOut)
def put_rotation(roster_id: int, data: RotationIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Start a rotation of one role on a date (replaces one starting that day)."""
    rot = rosters.set_rotation(session, principal, roster_id, data)
    return {"id": rot.id, "role": rot.role, "starts_on": rot.starts_on, "members": rot.members}


@router.delete("/rotations/{rotation_id}", status_code=204)
def delete_rotation(rotation_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    """Remove a rotation."""
    rosters.delete_rotation(session, principal, rotation_id)


@router.get("/rosters/{roster_id}/shifts", response_model=ShiftListOut)
def roster_shifts(
    roster_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    start: date | None = None,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 7,
) -> dict:
    """Resolved shifts from ``start`` (default: the shift on now) for ``days`` days."""
    roster = rosters.get(session, principal, roster_id)
    first = start or handover.shift_date_now(roster)
    shifts = oncall.resolve(session, roster, [first + timedelta(days=i) for i in range(days)])
    return {"roster_id": roster.id, "items": [out.shift(s, principal) for s in shifts]}


@router.get("/rosters/{roster_id}/overrides", response_model=OverrideListOut)
def list_overrides(
    roster_id: int, principal: CurrentPrincipal, session: DbSession, start: date, end: date
) -> dict:
    """Changes to single shifts between two dates."""
    roster = rosters.get(session, principal, roster_id)
    return {"items": [out.override(o) for o in rosters.overrides(session, principal, roster, start, end)]}


@router.post("/rosters/{roster_id}/overrides", status_code=201, response_model=OverrideOut)
def add_override(roster_id: int, data: OverrideIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Change one shift: someone stands in, is added or is taken off."""
    return out.override(rosters.add_override(session, principal, roster_id, data))


@router.post("/rosters/{roster_id}/swaps", status_code=201, response_model=OverrideListOut)
def add_swap(roster_id: int, data: SwapIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Two people trade shifts (two overrides that go together)."""
    return {"items": [out.override(o) for o in rosters.swap(session, principal, roster_id, data)]}


@router.delete("/overrides/{override_id}", response_model=DeletedOut)
def delete_override(override_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Undo an override (both halves of a swap)."""
    return {"deleted": rosters.delete_override(session, principal, override_id)}


@router.post("/rosters/{roster_id}/import", response_model=ImportCountsOut, responses=IMPORT_JOB)
async def import_roster(
    roster_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Replace the rotations an .xlsx names (角色, 顺序, 姓名, 手机号, 起始日期 …): all rows or none.
    A large file is imported by a file job: 202 with the job."""
    data = await read_upload(request, file)
    params = {"roster_id": roster_id}
    job = await answers.import_job(request, session, principal, "duty_rosters", data, file.filename, params)
    if job is not None:
        return answers.job_answer(request, job)
    result = await run_in_threadpool(
        answers.timed, request, exchange.import_roster, session, principal, roster_id, data
    )
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "duty_rosters",
        roster_id,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return JSONResponse(result.as_dict())


def _roster_file(db, principal, roster, body: bytes, filename: str) -> Response:
    return audited_download(
        db,
        principal,
        body,
        entity="duty_rosters",
        entity_id=roster.id,
        filename=filename,
        jurisdiction_code=roster.jurisdiction_code,
    )


@router.get("/rosters/{roster_id}/export", response_class=Response, responses=XLSX_FILE, response_model=None)
def export_roster(roster_id: int, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    """The roster's rotations as .xlsx, in the import layout."""
    roster = rosters.get(session, principal, roster_id)
    body = exchange.export_roster(session, principal, roster, current_locale())
    return _roster_file(db, principal, roster, body, f"yingji-roster-{roster.id}.xlsx")


@router.get(
    "/rosters/{roster_id}/calendar.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None
)
def export_calendar(
    roster_id: int, principal: CurrentPrincipal, session: DbSession, db: Db, month: str | None = None
) -> Response:
    """A month of resolved shifts as .xlsx."""
    roster = rosters.get(session, principal, roster_id)
    year, mon = parse_month(month)
    shifts = oncall.resolve(session, roster, rotation.month_days(year, mon))
    body = exchange.export_calendar(shifts, principal, f"{year}-{mon:02d}", current_locale())
    return _roster_file(db, principal, roster, body, f"yingji-duty-{roster.id}-{year}-{mon:02d}.xlsx")
