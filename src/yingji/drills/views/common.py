"""What the drills pages need besides the services: form parsing (local times, lists, checkboxes),
the plans and units a drill form offers, the month grid of the calendar."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import YingjiError
from yingji.drills import evaluation, figures, labels, participants, records, registry
from yingji.drills.codes import DRILL_MOVES, DrillState
from yingji.drills.models import Drill
from yingji.forces.models import Team
from yingji.org import codes as division_codes
from yingji.org.models import Unit
from yingji.plans.codes import PlanState
from yingji.plans.models import Plan
from yingji.web import forms
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint
from yingji.web.templating import pages

DRILL_FIELDS = ("jurisdiction_code", "title", "form", "scope", "purpose", "planned_on", "starts_at", "place")
DRILL_FIELDS += ("organiser_unit_id", "enterprise_id", "scenario", "note", "year")


def local_datetime(value: str | None) -> datetime | None:
    """A form's ``datetime-local`` value, meant in China's time."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema refuses it with the field's name
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.LOCAL_TZ)


async def drill_form(request) -> tuple[dict, dict]:
    """(the form's values as typed, the values for DrillIn/DrillPatch)."""
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in DRILL_FIELDS}
    typed["plan_ids"] = [str(v) for v in form.getlist("plan_ids") if str(v).strip()]
    typed["notice_time"] = form.get("notice_time") == "on"
    typed["notice_scenario"] = form.get("notice_scenario") == "on"
    data = {k: (v or None) for k, v in typed.items() if k in DRILL_FIELDS}
    data["starts_at"] = local_datetime(data["starts_at"])
    data["plan_ids"] = typed["plan_ids"]
    data["notice_time"], data["notice_scenario"] = typed["notice_time"], typed["notice_scenario"]
    return typed, data


def form_of(drill: Drill) -> dict:
    starts = clock.to_local(drill.starts_at)
    return {
        "jurisdiction_code": drill.jurisdiction_code,
        "title": drill.title,
        "form": drill.form,
        "scope": drill.scope,
        "purpose": drill.purpose,
        "planned_on": drill.planned_on.isoformat() if drill.planned_on else "",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M") if starts else "",
        "place": drill.place or "",
        "organiser_unit_id": str(drill.organiser_unit_id or ""),
        "enterprise_id": str(drill.enterprise_id or ""),
        "scenario": drill.scenario or "",
        "note": drill.note or "",
        "year": str(drill.year),
        "plan_ids": [str(link.plan_id) for link in drill.plans],
        "notice_time": drill.notice_time,
        "notice_scenario": drill.notice_scenario,
    }


def choices(session: Session, principal: Principal, code: str) -> dict:
    """Plans (of the place, above and below, not repealed) and units a drill of ``code`` may name."""
    above = [*division_codes.ancestors(code), code]
    low, high = division_codes.subtree_bounds(code)
    near = (Plan.jurisdiction_code.in_(above)) | (
        (Plan.jurisdiction_code >= low) & (Plan.jurisdiction_code < high)
    )
    plans = session.execute(
        select(Plan.id, Plan.title, Plan.kind)
        .where(near, Plan.state != PlanState.REPEALED)
        .order_by(Plan.kind, Plan.title)
        .limit(300)
    ).all()
    unit_near = (Unit.jurisdiction_code.in_(above)) | (
        (Unit.jurisdiction_code >= low) & (Unit.jurisdiction_code < high)
    )
    units = session.execute(
        select(Unit.id, Unit.name).where(unit_near).order_by(Unit.jurisdiction_code, Unit.name).limit(400)
    ).all()
    team_near = (Team.jurisdiction_code.in_(above)) | (
        (Team.jurisdiction_code >= low) & (Team.jurisdiction_code < high)
    )
    teams = session.execute(select(Team.id, Team.name).where(team_near).order_by(Team.name).limit(200)).all()
    return {"plan_choices": plans, "unit_choices": units, "team_choices": teams}


def month_grid(year: int, month: int, drills: list[Drill], principal: Principal) -> list[list[dict]]:
    """Weeks (Monday first) of day cells, each with the drills of that day."""
    by_day: dict[date, list[Drill]] = {}
    for d in drills:
        if registry.hides_time(d, principal):
            continue
        day = registry.drill_day(d)
        if day is not None:
            by_day.setdefault(day, []).append(d)
    today = registry.today()
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "day": day,
                    "in_month": day.month == month,
                    "today": day == today,
                    "drills": by_day.get(day, []),
                }
                for day in week
            ]
        )
    return weeks


def month_drills(session: Session, principal: Principal, code: str, year: int, month: int) -> list[Drill]:
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    low, high = division_codes.subtree_bounds(code) if code else ("", "\uffff")
    stmt = (
        select(Drill)
        .where(
            Drill.jurisdiction_code >= low,
            Drill.jurisdiction_code < high,
            Drill.year == year,
            Drill.state != DrillState.CANCELLED.value,
        )
        .order_by(Drill.id)
    )  # the same four first in a day's cell on every database
    return [d for d in session.scalars(stmt) if (day := registry.drill_day(d)) and first <= day <= last]


def moves_of(drill: Drill) -> list[tuple[str, str]]:
    """(state, label) of the moves a manager may make from the drill's state by hand."""
    return [
        (s.value, labels.STATE[s]) for s in DRILL_MOVES[DrillState(drill.state)] if s != DrillState.EVALUATED
    ]


page = pages({"dl": labels})  # the drills' words at hand


refused = forms.refused


def year_or_this(year: int | None) -> int:
    return year or registry.today().year


def detail(request, session, principal, drill_id: int, errors: dict | None = None, status_code: int = 200):
    drill = registry.get(session, principal, drill_id)
    found = evaluation.problems_of(session, drill.id)
    ctx = {
        "drill": drill,
        "out": registry.to_out(drill, principal, registry.context(session, [drill])),
        "participants": participants.of_drill(session, drill.id),
        "records": records.of_drill(session, drill.id),
        "evaluation": evaluation.of_drill(session, drill.id),
        "problems": found,
        "triggers": evaluation.triggers_by_problem(session, [p.id for p in found]),
        "moves": moves_of(drill),
        "figures": figures.rows(figures.of_drill(session, drill.id)),
        "can_manage": principal.can(Perm.DRILLS_MANAGE) and principal.covers(drill.jurisdiction_code),
        "errors": errors or {},
        "today": registry.today(),
    }
    ctx |= choices(session, principal, drill.jurisdiction_code)
    return page(request, "drills/detail.html", ctx, status_code=status_code)


async def act(request, session, principal, drill_id: int, work, anchor: str = ""):
    """Run a form action on the drill; a refusal re-renders the drill page with the error."""
    try:
        await run_in_threadpool(in_savepoint, session, work)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        return await run_in_threadpool(detail, request, session, principal, drill_id, form_errors(exc), 422)
    return RedirectResponse(f"/drills/{drill_id}{anchor}", status_code=303)


async def fields(request, *names) -> dict:
    form = await request.form()
    return {n: (str(form.get(n, "")).strip() or None) for n in names}
