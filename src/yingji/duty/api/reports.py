"""Duty API of the reports: leader leave (请假报备), routine (daily / zero) reports, their settings and
special periods (under /api/v1/duty, see ``duty.api``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.core.i18n import current_locale
from yingji.duty import deadlines, exchange, leave, out, rotation, routine
from yingji.duty.schemas import (
    DaySummaryOut,
    LeaveDecision,
    LeaveDetailOut,
    LeaveIn,
    LeaveOut,
    LeavePageOut,
    PeriodListOut,
    PeriodOut,
    ReportListOut,
    ReportOut,
    ReportSettingIn,
    RoutineReportIn,
    SettingListOut,
    SettingOut,
    SpecialPeriodIn,
)
from yingji.files.openapi import XLSX_FILE
from yingji.org import names
from yingji.org.params import query_code

router = APIRouter()


# -- leader leave ---------------------------------------------------------------------------
@router.get("/leaves", response_model=LeavePageOut)
def list_leaves(
    principal: CurrentPrincipal,
    session: DbSession,
    status: Annotated[str | None, Query(pattern="^(pending|approved|rejected|cancelled)$")] = None,
    within: str | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> dict:
    """Leader leaves in your scope, newest first."""
    result = leave.search(session, principal, status=status, within=query_code(within), page=page)
    return {"items": [out.leave(lv, principal) for lv in result.items], "total": result.total}


@router.post("/leaves", response_model=LeaveOut)
def report_leave(data: LeaveIn, principal: CurrentPrincipal, session: DbSession, response: Response) -> dict:
    """Report a leader's absence (a retry with the same ``client_key`` returns the first)."""
    lv, created = leave.report(session, principal, data)
    response.status_code = 201 if created else 200
    return out.leave(lv, principal)


@router.get("/leaves/{leave_id}", response_model=LeaveDetailOut)
def get_leave(leave_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One leave, and whether you may decide it."""
    lv = leave.get(session, principal, leave_id)
    return out.leave(lv, principal) | {"can_decide": leave.is_superior(session, principal, lv)}


@router.post("/leaves/{leave_id}/decision", response_model=LeaveOut)
def decide_leave(leave_id: int, data: LeaveDecision, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Approve or reject a pending leave (superiors only)."""
    return out.leave(leave.decide(session, principal, leave_id, data), principal)


@router.post("/leaves/{leave_id}/cancel", response_model=LeaveOut)
def cancel_leave(leave_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Withdraw a pending or approved leave."""
    return out.leave(leave.cancel(session, principal, leave_id), principal)


# -- routine reports ------------------------------------------------------------------------
@router.get("/reports", response_model=ReportListOut)
def list_reports(
    principal: CurrentPrincipal, session: DbSession, day: date | None = None, within: str | None = None
) -> dict:
    """Routine reports in your scope (by day or place)."""
    return {
        "items": [out.report(r) for r in routine.search(session, principal, day=day, code=query_code(within))]
    }


@router.post("/reports", response_model=ReportOut)
def submit_report(
    data: RoutineReportIn, principal: CurrentPrincipal, session: DbSession, response: Response
) -> dict:
    """A daily (日报告) or zero (零报告) report of your town or county for the period due."""
    report, created = routine.submit(session, principal, data)
    response.status_code = 201 if created else 200
    return out.report(report)


@router.get("/reports/summary", response_model=DaySummaryOut)
def report_summary(
    principal: CurrentPrincipal,
    session: DbSession,
    day: date | None = None,
    within: str | None = None,
    level: Annotated[str | None, Query(pattern="^(town|county)$")] = None,
) -> dict:
    """Who reported, who was late, who is missing on a day (default today)."""
    summary = routine.day_summary(
        session, principal, day or routine.today(), within=query_code(within), level=level
    )
    return out.summary(summary)


@router.get("/reports/summary.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None)
def report_summary_xlsx(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    day: date | None = None,
    within: str | None = None,
) -> Response:
    """The day's summary as .xlsx (audited)."""
    code = query_code(within)
    summary = routine.day_summary(session, principal, day or routine.today(), within=code)
    body = exchange.export_summary(summary, current_locale(), names.index(session))
    return audited_download(
        db,
        principal,
        body,
        entity="duty_routine_reports",
        entity_id=summary.day.isoformat(),
        filename=f"yingji-reports-{summary.day.isoformat()}.xlsx",
        jurisdiction_code=code,
    )


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One routine report."""
    return out.report(routine.get(session, principal, report_id))


# -- settings and special periods -----------------------------------------------------------
@router.get("/report-settings", response_model=SettingListOut)
def list_settings(principal: CurrentPrincipal, session: DbSession) -> dict:
    """Report deadlines by level, with the defaults."""
    defaults = {
        lvl: {"deadline": rotation.minute_to_text(d.deadline_minute), "remind_minutes": d.remind_minutes}
        for lvl, d in deadlines.DEFAULTS.items()
    }
    return {
        "defaults": defaults,
        "items": [out.setting(s) for s in deadlines.list_settings(session, principal)],
    }


@router.put("/report-settings", response_model=SettingOut)
def put_setting(data: ReportSettingIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Set the deadline of towns or counties under a jurisdiction."""
    return out.setting(deadlines.put_setting(session, principal, data))


@router.delete("/report-settings/{setting_id}", status_code=204)
def delete_setting(setting_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    """Remove a deadline setting (the next one up applies)."""
    deadlines.delete_setting(session, principal, setting_id)


@router.get("/special-periods", response_model=PeriodListOut)
def list_periods(principal: CurrentPrincipal, session: DbSession, current: bool = False) -> dict:
    """Special periods (holidays, flood season, sensitive periods)."""
    since = routine.today() if current else None
    return {"items": [out.period(p) for p in deadlines.list_periods(session, principal, on_or_after=since)]}


@router.post("/special-periods", status_code=201, response_model=PeriodOut)
def add_period(data: SpecialPeriodIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Add a special period with its own deadlines."""
    return out.period(deadlines.add_period(session, principal, data))


@router.delete("/special-periods/{period_id}", status_code=204)
def delete_period(period_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    """Remove a special period."""
    deadlines.delete_period(session, principal, period_id)
