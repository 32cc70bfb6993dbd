"""Drills: search, read, plan, change and move them through their states — all in scope.

Anyone who sees a place sees its drills; planning and changing them needs ``drills.manage`` inside
one's jurisdiction (403 outside, 404 for a drill one cannot see). A drill exercises plans of its
own place, of the places below it or of the places above it (a town drills the county's plan). What
an unannounced drill hides — its day while ``notice_time`` is false, its scenario while
``notice_scenario`` is false — is shown only to those who plan or direct drills until it is held.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_, gettext
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.drills import labels
from yingji.drills.codes import DRILL_MOVES, DrillState
from yingji.drills.models import Drill, DrillParticipant, DrillPlan
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.models import Jurisdiction, Unit
from yingji.plans.codes import PlanState
from yingji.plans.models import Plan
from yingji.risk.models import Enterprise

FINISHED = frozenset({DrillState.ENDED.value, DrillState.EVALUATED.value, DrillState.CANCELLED.value})


_bad = ValidationFailed.on  # one field refused with its message


def today() -> date:
    return clock.to_local(clock.now()).date()


def drill_day(drill: Drill) -> date | None:
    """The day the drill took (or takes) place: its start, else its planned day."""
    if drill.starts_at is not None:
        return clock.to_local(drill.starts_at).date()
    return drill.planned_on


def insider(principal: Principal) -> bool:
    """Plans or directs drills: sees what an unannounced drill hides from the players."""
    return principal.can(Perm.DRILLS_MANAGE) or principal.can(Perm.DRILLS_CONTROL)


def hides_time(drill: Drill, principal: Principal) -> bool:
    return not drill.notice_time and drill.state not in FINISHED and not insider(principal)


def hides_scenario(drill: Drill, principal: Principal) -> bool:
    return not drill.notice_scenario and drill.state not in FINISHED and not insider(principal)


# -- reading -------------------------------------------------------------------------------------
def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    year: int | None = None,
    state: str | None = None,
    form: str | None = None,
    blind: bool | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Drill]:
    """Drills in scope, newest day first, narrowed by place, year, state, form, 双盲 and title."""
    stmt = select(Drill).where(in_scope(Drill.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Drill.jurisdiction_code, within)
    if year:
        stmt = stmt.where(Drill.year == year)
    if state:
        stmt = stmt.where(Drill.state == state)
    if form:
        stmt = stmt.where(Drill.form == form)
    if blind is not None:
        both_hidden = ~Drill.notice_time & ~Drill.notice_scenario
        stmt = stmt.where(both_hidden if blind else ~both_hidden)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(Drill.title.contains(q, autoescape=True), Drill.place.contains(q, autoescape=True))
        )
    if not insider(principal):  # an unannounced drill's day is not told by the order of a list
        stmt = stmt.where(or_(Drill.notice_time, Drill.state.in_(FINISHED)))
    order = func.coalesce(Drill.planned_on, func.date(Drill.starts_at))
    return paginate(session, stmt.order_by(order.desc().nulls_last(), Drill.id.desc()), page, size)


def get(session: Session, principal: Principal, drill_id: int, *, lock: bool = False) -> Drill:
    """A drill in scope (404 otherwise)."""
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    drill = session.get(Drill, drill_id, **options)
    if drill is None:
        raise NotFound()
    return visible(principal, drill)


def for_update(session: Session, principal: Principal, drill_id: int) -> Drill:
    """A drill the principal may change (404 unseen, 403 without drills.manage there)."""
    drill = get(session, principal, drill_id, lock=True)
    writable(principal, drill.jurisdiction_code, Perm.DRILLS_MANAGE)
    return drill


# -- checks --------------------------------------------------------------------------------------
def _check_place(session: Session, code: str) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise _bad("jurisdiction_code", N_("Unknown jurisdiction."))
    return place


def related(plan_code: str, drill_code: str) -> bool:
    """A plan of the drill's place, of a place below it or of a place above it."""
    return plan_code.startswith(drill_code) or drill_code.startswith(plan_code)


def _plans(session: Session, code: str, plan_ids: list[int]) -> list[Plan]:
    wanted = list(dict.fromkeys(plan_ids))
    found = {p.id: p for p in session.scalars(select(Plan).where(Plan.id.in_(wanted)))} if wanted else {}
    bad = [i for i in wanted if i not in found or not related(found[i].jurisdiction_code, code)]
    if bad:
        raise _bad("plan_ids", N_("Choose plans of the drill's place or of the places above or below it."))
    repealed = [i for i in wanted if found[i].state == PlanState.REPEALED]
    if repealed:
        raise _bad("plan_ids", N_("A repealed plan cannot be drilled."))
    return [found[i] for i in wanted]


def check_unit(session: Session, unit_id: int | None, code: str, field: str) -> None:
    if unit_id is None:
        return
    unit = session.get(Unit, unit_id)
    if unit is None or not related(unit.jurisdiction_code, code):
        raise _bad(field, N_("Choose a unit of the drill's place or of the places above or below it."))


def _enterprise(session: Session, enterprise_id: int | None, code: str) -> None:
    if enterprise_id is None:
        return
    ent = session.get(Enterprise, enterprise_id)
    if ent is None or not ent.jurisdiction_code.startswith(code):
        raise _bad("enterprise_id", N_("Choose an enterprise in the drill's place."))


def _set_plans(session: Session, drill: Drill, plans: list[Plan]) -> None:
    keep = {p.id for p in plans}
    for link in list(drill.plans):
        if link.plan_id not in keep:
            drill.plans.remove(link)
    have = {link.plan_id for link in drill.plans}
    for plan in plans:
        if plan.id not in have:
            drill.plans.append(DrillPlan(plan_id=plan.id, jurisdiction_code=drill.jurisdiction_code))


def _year(planned_on: date | None, starts_at: datetime | None, year: int | None) -> int:
    day = clock.to_local(starts_at).date() if starts_at else planned_on
    if year is None:
        if day is None:
            raise _bad("planned_on", N_("Give the planned day or the year of the drill."))
        return day.year
    if day is not None and day.year != year:
        raise _bad("planned_on", N_("The planned day lies outside the drill's year."))
    return year


# -- writing -------------------------------------------------------------------------------------
def create(session: Session, principal: Principal, data) -> Drill:
    """Plan a drill (state planned) in the jurisdiction's yearly drill plan."""
    writable(principal, data.jurisdiction_code, Perm.DRILLS_MANAGE)
    _check_place(session, data.jurisdiction_code)
    plans = _plans(session, data.jurisdiction_code, data.plan_ids)
    check_unit(session, data.organiser_unit_id, data.jurisdiction_code, "organiser_unit_id")
    _enterprise(session, data.enterprise_id, data.jurisdiction_code)
    values = data.model_dump(exclude={"plan_ids"})
    values["year"] = _year(data.planned_on, data.starts_at, data.year)
    if values["starts_at"] is not None:
        values["starts_at"] = clock.to_utc(values["starts_at"])
    drill = Drill(**values, state=DrillState.PLANNED.value)
    session.add(drill)
    session.flush()
    _set_plans(session, drill, plans)
    session.flush()
    return drill


def update(session: Session, principal: Principal, drill_id: int, patch) -> Drill:
    """Change a drill not yet held (a held drill's facts are its record: only its note changes)."""
    drill = for_update(session, principal, drill_id)
    changes = patch.model_dump(exclude_unset=True)
    if drill.state in FINISHED and set(changes) - {"note"}:
        raise Conflict("A drill that has been held or cancelled can no longer be changed.")
    plan_ids = changes.pop("plan_ids", None)
    if "organiser_unit_id" in changes:
        check_unit(session, changes["organiser_unit_id"], drill.jurisdiction_code, "organiser_unit_id")
    if "enterprise_id" in changes:
        _enterprise(session, changes["enterprise_id"], drill.jurisdiction_code)
    if changes.get("starts_at") is not None:
        changes["starts_at"] = clock.to_utc(changes["starts_at"])
    planned_on = changes.get("planned_on", drill.planned_on)
    starts_at = changes.get("starts_at", drill.starts_at)
    changes["year"] = _year(planned_on, starts_at, changes.get("year", drill.year))
    if plan_ids is not None:
        _set_plans(session, drill, _plans(session, drill.jurisdiction_code, plan_ids))
    apply_changes(drill, changes)
    session.flush()
    return drill


def move(
    session: Session,
    principal: Principal,
    drill_id: int,
    to: str,
    at: datetime | None = None,
    reason: str | None = None,
) -> Drill:
    """Move a drill along DRILL_MOVES. Running sets the start, ended the end (default now);
    evaluated is reached only by a final evaluation; cancelling needs a reason."""
    drill = for_update(session, principal, drill_id)
    target = DrillState(to)
    if target == DrillState.EVALUATED:
        raise Conflict("A drill is evaluated by finishing its evaluation report.")
    if target not in DRILL_MOVES[DrillState(drill.state)]:
        raise Conflict(
            "A drill cannot go from {from_state} to {to_state}.",
            from_state=gettext(labels.STATE[DrillState(drill.state)]),
            to_state=gettext(labels.STATE[target]),
        )
    when = clock.to_utc(at) if at is not None else clock.now()
    if when > clock.now():
        raise _bad("at", N_("This time lies in the future."))
    if target == DrillState.RUNNING:
        drill.starts_at = when
    elif target == DrillState.ENDED:
        if drill.starts_at is None:
            drill.starts_at = when
        if when < drill.starts_at:
            raise _bad("at", N_("A drill cannot end before it starts."))
        drill.ended_at = when
        drill.year = clock.to_local(drill.starts_at).date().year
    elif target == DrillState.CANCELLED:
        if not (reason or "").strip():
            raise _bad("reason", N_("Say why the drill is cancelled."))
        drill.note = ((drill.note or "") + f"\n{gettext('Called off')}: {reason.strip()}").strip()
    drill.state = target.value
    session.flush()
    return drill


# -- reading out ---------------------------------------------------------------------------------
def headcounts(session: Session, drill_ids: list[int]) -> dict[int, int]:
    if not drill_ids:
        return {}
    rows = session.execute(
        select(DrillParticipant.drill_id, func.sum(DrillParticipant.headcount))
        .where(DrillParticipant.drill_id.in_(drill_ids))
        .group_by(DrillParticipant.drill_id)
    )
    return {d: int(n or 0) for d, n in rows}


def context(session: Session, drills: list[Drill]) -> dict:
    """Names the outputs need, fetched once for a list."""
    unit_ids = {d.organiser_unit_id for d in drills if d.organiser_unit_id}
    ent_ids = {d.enterprise_id for d in drills if d.enterprise_id}
    units = (
        dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
        if unit_ids
        else {}
    )
    ents = (
        dict(session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ent_ids))).all())
        if ent_ids
        else {}
    )
    return {
        "places": places.names(session, [d.jurisdiction_code for d in drills]),
        "units": units,
        "enterprises": ents,
        "headcounts": headcounts(session, [d.id for d in drills]),
    }


def to_out(drill: Drill, principal: Principal, ctx: dict) -> dict:
    hide_time = hides_time(drill, principal)
    return {
        "id": drill.id,
        "jurisdiction_code": division_codes.division_code_12(drill.jurisdiction_code),
        "jurisdiction_name": ctx["places"].get(drill.jurisdiction_code),
        "year": drill.year,
        "title": drill.title,
        "form": drill.form,
        "form_label": gettext(labels.FORM[drill.form]),
        "scope": drill.scope,
        "scope_label": gettext(labels.SCOPE[drill.scope]),
        "purpose": drill.purpose,
        "purpose_label": gettext(labels.PURPOSE[drill.purpose]),
        "double_blind": drill.double_blind,
        "notice_time": drill.notice_time,
        "notice_scenario": drill.notice_scenario,
        "scenario": None if hides_scenario(drill, principal) else drill.scenario,
        "planned_on": None if hide_time else drill.planned_on,
        "starts_at": None if hide_time else drill.starts_at,
        "ended_at": drill.ended_at,
        "place": None if hide_time else drill.place,
        "organiser_unit_id": drill.organiser_unit_id,
        "organiser_unit_name": ctx["units"].get(drill.organiser_unit_id),
        "enterprise_id": drill.enterprise_id,
        "enterprise_name": ctx["enterprises"].get(drill.enterprise_id),
        "state": drill.state,
        "state_label": gettext(labels.STATE[drill.state]),
        "plans": [
            {"id": link.plan.id, "code": link.plan.code, "title": link.plan.title, "kind": link.plan.kind}
            for link in drill.plans
        ],
        "headcount": ctx["headcounts"].get(drill.id, 0),
        "note": drill.note,
    }
