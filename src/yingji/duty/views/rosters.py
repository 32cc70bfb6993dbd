"""Duty pages of the rosters: the board (/duty), rosters and their month calendars."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import in_scope
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected, YingjiError
from yingji.core.i18n import gettext
from yingji.duty import (
    board,
    exchange,
    handover,
    lists,
    oncall,
    rosters,
    rotation,
)
from yingji.duty.common import ROLE_LABELS
from yingji.duty.forms import (
    day_or_none,
    errors_of,
    field,
    is_form_error,
    number,
    optional,
    parse_month,
    people_by_mobiles,
    person_by_mobile,
)
from yingji.duty.models import Roster
from yingji.duty.schemas import OverrideIn, RosterIn, RosterPatch, RotationIn, SwapIn
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.org.models import Person, Unit
from yingji.org.params import url_code
from yingji.ownership import lists as owner_lists
from yingji.web.templating import fragment, kept, render

router = APIRouter(include_in_schema=False)

ROSTER_UNIT_KINDS = ("department", "committee_office", "hq_office", "bureau")


def _ctx(**extra) -> dict:
    return {"role_labels": ROLE_LABELS, "minute_text": rotation.minute_to_text} | extra


def _in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


# -- board ----------------------------------------------------------------------------------
@router.get("/duty")
@router.get("/duty/board")
def board_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The duty board: the first page a duty officer opens."""
    b = board.build(session, principal)
    mine = owner_lists.mine(session, principal)  # 首接负责制: what the officer at the board owns now

    def rendered() -> dict[str, Markup]:
        ctx = _ctx(b=b, late=b.late[:60], late_total=len(b.late))
        return {part: fragment(request, f"duty/_board_{part}.html", ctx) for part in ("main", "side")}

    # phone numbers are masked for roles without the right: the rendered board differs by it
    shown = kept(board.parts, request, rendered, b.at, principal.can(Perm.CONTACT_PHONE))
    return render(request, "duty/board.html", _ctx(b=b, parts=shown, mine=mine))


# -- rosters --------------------------------------------------------------------------------
def _units_without_roster(session, principal) -> list[Unit]:
    taken = select(Roster.unit_id)
    return list(
        session.scalars(
            select(Unit)
            .where(
                in_scope(Unit.jurisdiction_code, principal),
                Unit.kind.in_(ROSTER_UNIT_KINDS),
                Unit.id.not_in(taken),
            )
            .order_by(Unit.jurisdiction_code, Unit.sort, Unit.id)
            .limit(300)
        )
    )


def _list(request, principal, session, errors=None, status_code=200):
    params = request.query_params
    county = url_code(params.get("county"))
    status = params.get("status") or ""
    q = (params.get("q") or "").strip()
    try:
        day = day_or_none(params.get("day"))
    except YingjiError:
        day = None
    try:
        page_no = max(1, min(int(params.get("page") or 1), 100_000))
    except ValueError:
        page_no = 1
    page = lists.rosters_page(session, principal, county=county, status=status, q=q, page=page_no)
    can = principal.can(Perm.DUTY_MANAGE)
    units = _units_without_roster(session, principal) if can else []
    return render(
        request,
        "duty/rosters.html",
        _ctx(
            items=page.items,
            page=page,
            now=lists.on_duty(session, page.items, day),
            units=units,
            errors=errors or [],
            counties=lists.counties(session, principal),
            statuses=lists.ROSTER_STATUSES,
            f={"county": county or "", "status": status, "q": q, "day": day.isoformat() if day else ""},
        ),
        status_code=status_code,
    )


@router.get("/duty/rosters")
def rosters_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Rosters in scope, a page at a time (county, status and text filters), who is on now or on
    the chosen day, and a form for a new one."""
    return _list(request, principal, session)


@router.post("/duty/rosters")
async def roster_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Create a roster from the form."""
    form = await request.form()
    try:
        data = RosterIn(
            unit_id=number(form, "unit_id", 0),
            name=optional(form, "name"),
            shift_start=field(form, "shift_start") or "08:30",
        )
        roster = await run_in_threadpool(_in_savepoint, session, rosters.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        return _list(request, principal, session, errors_of(exc), 422)
    return RedirectResponse(f"/duty/rosters/{roster.id}", status_code=303)


def _roster_page(request, principal, session, roster_id: int, errors=None, status_code=200, note=None):
    roster = rosters.get(session, principal, roster_id)
    first = handover.shift_date_now(roster)
    week = oncall.resolve(session, roster, [first + timedelta(days=i) for i in range(14)])
    names = {}
    ids = {pid for r in roster.rotations for pid in r.members}
    overrides = rosters.overrides(
        session, principal, roster, first - timedelta(days=1), first + timedelta(days=60)
    )
    ids |= {i for o in overrides for i in (o.person_id, o.replaces_person_id) if i}
    if ids:
        names = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    unit_people = sorted(roster.unit.positions, key=lambda p: (p.sort, p.id))
    order = {role: i for i, role in enumerate(ROLE_LABELS)}
    rotations = sorted(roster.rotations, key=lambda r: (-r.starts_on.toordinal(), order[r.role]))
    return render(
        request,
        "duty/roster.html",
        _ctx(
            roster=roster,
            rotations=rotations,
            week=week,
            people=names,
            overrides=overrides,
            unit_people=unit_people,
            can_edit=principal.can(Perm.DUTY_MANAGE) and principal.covers(roster.jurisdiction_code),
            errors=errors or [],
            note=note,
            today=first,
        ),
        status_code=status_code,
    )


@router.get("/duty/rosters/{roster_id}")
def roster_page(roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """A roster: two weeks ahead, rotations, changes, forms."""
    return _roster_page(request, principal, session, roster_id)


async def _roster_action(request, principal, session, roster_id, build, action):
    """Run a form action on a roster: redirect on success, the page with errors otherwise."""
    form = await request.form()
    try:
        data = await run_in_threadpool(build, form)
        await run_in_threadpool(_in_savepoint, session, action, session, principal, roster_id, data)
    except (ValidationError, YingjiError) as exc:
        if not is_form_error(exc):
            raise
        return _roster_page(request, principal, session, roster_id, errors_of(exc), 422)
    return RedirectResponse(f"/duty/rosters/{roster_id}", status_code=303)


@router.post("/duty/rosters/{roster_id}/settings")
async def roster_settings(roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Save a roster's settings."""

    def build(form):
        return RosterPatch(
            name=optional(form, "name"),
            shift_start=optional(form, "shift_start"),
            gap_days=number(form, "gap_days", 7),
            active=field(form, "active") == "on",
            note=optional(form, "note"),
        )

    return await _roster_action(request, principal, session, roster_id, build, rosters.update)


@router.post("/duty/rosters/{roster_id}/rotation")
async def roster_rotation(roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Start a rotation from the form."""

    def build(form):
        return RotationIn(
            role=field(form, "role"),
            starts_on=day_or_none(field(form, "starts_on")),
            members=people_by_mobiles(session, principal, field(form, "members"), "members"),
            days_per_turn=number(form, "days_per_turn", 1),
            per_shift=number(form, "per_shift", 1),
        )

    return await _roster_action(request, principal, session, roster_id, build, rosters.set_rotation)


@router.post("/duty/rosters/{roster_id}/override")
async def roster_override(roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Change one shift from the form."""

    def build(form):
        return OverrideIn(
            shift_date=day_or_none(field(form, "shift_date")),
            role=field(form, "role"),
            person_id=person_by_mobile(session, principal, field(form, "person"), "person"),
            replaces_person_id=person_by_mobile(session, principal, field(form, "replaces"), "replaces"),
            reason=optional(form, "reason"),
        )

    return await _roster_action(request, principal, session, roster_id, build, rosters.add_override)


@router.post("/duty/rosters/{roster_id}/swap")
async def roster_swap(roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Swap two shifts from the form."""

    def build(form):
        return SwapIn(
            role=field(form, "role"),
            first_date=day_or_none(field(form, "first_date")),
            first_person_id=person_by_mobile(session, principal, field(form, "first_person"), "first_person"),
            second_date=day_or_none(field(form, "second_date")),
            second_person_id=person_by_mobile(
                session, principal, field(form, "second_person"), "second_person"
            ),
            reason=optional(form, "reason"),
        )

    return await _roster_action(request, principal, session, roster_id, build, rosters.swap)


@router.post("/duty/rosters/{roster_id}/override/{override_id}/delete")
def roster_override_delete(roster_id: int, override_id: int, principal: CurrentPrincipal, session: DbSession):
    """Undo a change."""
    rosters.delete_override(session, principal, override_id)
    return RedirectResponse(f"/duty/rosters/{roster_id}", status_code=303)


@router.post("/duty/rosters/{roster_id}/import")
async def roster_import(
    roster_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    """Import a roster sheet; errors listed row by row."""
    data = await read_upload(request, file)
    params = {"roster_id": roster_id}
    job = await answers.import_job(request, session, principal, "duty_rosters", data, file.filename, params)
    if job is not None:  # a large file: its job's page shows the progress and the result
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    try:
        result = await run_in_threadpool(
            answers.timed, request, exchange.import_roster, session, principal, roster_id, data
        )
    except ImportRejected as exc:
        rows = [
            f"{d.get('row', '')} {d.get('column', '')} {d.get('value', '')}: "
            + gettext(d["message"], **(d.get("params") or {}))
            for d in exc.details
        ]
        head = gettext("The file has {count} errors; nothing was imported.", count=len(rows))
        return _roster_page(request, principal, session, roster_id, [head, *rows], 422)
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "duty_rosters",
        roster_id,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    note = gettext(
        "Imported: {created} new, {updated} changed, {unchanged} unchanged.",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    return _roster_page(request, principal, session, roster_id, note=note)


# -- calendar -------------------------------------------------------------------------------
@router.get("/duty/calendar")
def calendar_home(principal: CurrentPrincipal, session: DbSession):
    """The calendar of the principal's own duty unit (else the first roster in scope)."""
    items = rosters.search(session, principal)
    own = [r for r in items if r.jurisdiction_code == principal.jurisdiction_code] or items
    if not own:
        return RedirectResponse("/duty/rosters", status_code=303)
    return RedirectResponse(f"/duty/rosters/{own[0].id}/calendar", status_code=303)


@router.get("/duty/rosters/{roster_id}/calendar")
def calendar_page(
    roster_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    month: str | None = None,
):
    """A month of shifts, printable."""
    roster = rosters.get(session, principal, roster_id)
    year, mon = parse_month(month)
    days = rotation.month_days(year, mon)
    shifts = oncall.resolve(session, roster, days)
    lead = [None] * days[0].weekday()
    cells = lead + shifts
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    prev_month = f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"
    next_month = f"{year + (mon == 12)}-{mon % 12 + 1:02d}"
    return render(
        request,
        "duty/calendar.html",
        _ctx(
            roster=roster,
            weeks=weeks,
            year=year,
            month=mon,
            month_text=f"{year}-{mon:02d}",
            prev_month=prev_month,
            next_month=next_month,
            today=handover.shift_date_now(roster),
            all_rosters=rosters.search(session, principal),
        ),
    )
