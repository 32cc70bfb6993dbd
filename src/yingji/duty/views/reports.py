"""Routine report pages: send the daily or zero report, the day's summary (who reported, who is
late, who is missing) with Excel export, and the deadline settings and special periods."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.duty import deadlines, lists, routine
from yingji.duty.common import PERIOD_KIND_LABELS, REPORT_KIND_LABELS, REPORT_STATUS_LABELS
from yingji.duty.forms import day_or_none, errors_of, field, is_form_error, number, optional
from yingji.duty.rotation import minute_to_text
from yingji.duty.schemas import ReportSettingIn, RoutineReportIn, SpecialPeriodIn
from yingji.org import places
from yingji.org.params import url_code
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


def _reports_page(
    request, principal, session, day_text, within, errors=None, form=None, status_code=200, sent=None
):
    try:
        day = day_or_none(day_text) or routine.today()
    except YingjiError:
        day = routine.today()
    code = url_code(within)
    params = request.query_params
    status = params.get("status") or ""
    q = (params.get("q") or "").strip()[:60]
    try:
        page_no = max(1, min(int(params.get("page") or 1), 100_000))
    except ValueError:
        page_no = 1
    summary, page = lists.reports_page(session, principal, day, county=code, status=status, q=q, page=page_no)
    own = deadlines.reporting_level(principal.jurisdiction_code) if principal.jurisdiction_code else None
    own_row = next((r for r in summary.rows if r.code == principal.jurisdiction_code), None)
    if day != routine.today():
        own_row = None  # the send box speaks of today
    place = places.get(session, principal, code) if code else places.root(session, principal)
    counties = lists.counties(session, principal)
    return render(
        request,
        "duty/reports.html",
        {
            "summary": summary,
            "page": page,
            "day": day,
            "prev_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "within": code or "",
            "place": place,
            "counties": counties,
            # The county column says where a town is when the list spans several counties.
            "show_county": len(counties) > 1 and not (code and len(code) > 6),
            "f": {"status": status, "q": q},
            "report_statuses": lists.REPORT_STATUSES,
            "can_send": own is not None and principal.can(Perm.DUTY_REPORT),
            "own_row": own_row,
            "kinds": REPORT_KIND_LABELS,
            "statuses": REPORT_STATUS_LABELS,
            "errors": errors or [],
            "form": form or {},
            "sent": sent,
            "client_key": uuid.uuid4().hex,
        },
        status_code=status_code,
    )


@router.get("/duty/reports")
def reports_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    day: str | None = None,
    within: str | None = None,
    sent: int | None = None,
):
    """Send today's report; the day's status of every place in scope."""
    return _reports_page(request, principal, session, day, within, sent=sent)


@router.post("/duty/reports")
async def report_send(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Send a daily or zero report from the form."""
    form = await request.form()
    values = {k: field(form, k) for k in ("kind", "summary", "client_key")}
    try:
        data = RoutineReportIn(
            kind=values["kind"], summary=values["summary"] or None, client_key=values["client_key"] or None
        )
        report, _ = await run_in_threadpool(_in_savepoint, session, routine.submit, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        return _reports_page(request, principal, session, None, None, errors_of(exc), values, 422)
    return RedirectResponse(f"/duty/reports?sent={report.id}", status_code=303)


def _in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


# -- settings -------------------------------------------------------------------------------
def _settings_page(request, principal, session, errors=None, status_code=200):
    rows = deadlines.list_settings(session, principal)
    return render(
        request,
        "duty/report_settings.html",
        {
            "settings_rows": rows,
            "place_names": places.names(session, [r.jurisdiction_code for r in rows]),
            "periods": deadlines.list_periods(
                session, principal, on_or_after=routine.today() - timedelta(days=30)
            ),
            "defaults": deadlines.DEFAULTS,
            "kinds": PERIOD_KIND_LABELS,
            "minute_text": minute_to_text,
            "errors": errors or [],
            "can_edit": principal.can(Perm.DUTY_MANAGE),
        },
        status_code=status_code,
    )


@router.get("/duty/reports/settings")
def settings_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Deadlines and special periods."""
    return _settings_page(request, principal, session)


async def _settings_action(request, principal, session, build, action):
    form = await request.form()
    try:
        data = build(form)
        await run_in_threadpool(_in_savepoint, session, action, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        return _settings_page(request, principal, session, errors_of(exc), 422)
    return RedirectResponse("/duty/reports/settings", status_code=303)


@router.post("/duty/reports/settings")
async def setting_put(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Save a deadline setting from the form."""

    def build(form):
        return ReportSettingIn(
            jurisdiction_code=field(form, "jurisdiction_code") or principal.jurisdiction_code,
            level=field(form, "level"),
            deadline=field(form, "deadline"),
            remind_minutes=number(form, "remind_minutes", 60),
            active=field(form, "active") == "on",
            note=optional(form, "note"),
        )

    return await _settings_action(request, principal, session, build, deadlines.put_setting)


@router.post("/duty/reports/periods")
async def period_add(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Add a special period from the form."""

    def build(form):
        deadlines_ = {}
        for level in ("town", "county"):
            times = [
                t for t in field(form, f"{level}_times").replace(",", " ").replace(",", " ").split() if t
            ]
            if times:
                deadlines_[level] = times
        return SpecialPeriodIn(
            jurisdiction_code=field(form, "jurisdiction_code") or principal.jurisdiction_code,
            name=field(form, "name"),
            kind=field(form, "kind"),
            starts_on=day_or_none(field(form, "starts_on")),
            ends_on=day_or_none(field(form, "ends_on")),
            deadlines=deadlines_,
            note=optional(form, "note"),
        )

    return await _settings_action(request, principal, session, build, deadlines.add_period)


@router.post("/duty/reports/settings/{setting_id}/delete")
def setting_delete(setting_id: int, principal: CurrentPrincipal, session: DbSession):
    """Remove a deadline setting."""
    deadlines.delete_setting(session, principal, setting_id)
    return RedirectResponse("/duty/reports/settings", status_code=303)


@router.post("/duty/reports/periods/{period_id}/delete")
def period_delete(period_id: int, principal: CurrentPrincipal, session: DbSession):
    """Remove a special period."""
    deadlines.delete_period(session, principal, period_id)
    return RedirectResponse("/duty/reports/settings", status_code=303)
