"""Task plans (任务分解): a plan of a jurisdiction for a year, its tasks, their measures and the units
that carry them. Managers (TASKS_MANAGE) of the plan's jurisdiction write; everyone in scope reads.
"局各股室、二级机构" (every department of the bureau) is expanded into the bureau's units, each row
keeping the wording of the plan."""

from __future__ import annotations

import calendar
import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.governance import labels
from yingji.governance.codes import (
    MEASURE_MOVES,
    OPEN_MEASURE,
    DeadlineKind,
    MeasureState,
    Period,
    PlanState,
    UnitRole,
)
from yingji.governance.models import Measure, MeasureUnit, PlanTask, PlanUnit, TaskPlan
from yingji.governance.schemas import MeasureIn, PlanIn, PlanUnitIn, TaskIn
from yingji.org.models import Jurisdiction, Person, Position, Unit

LONG_TERM_WORDS = ("长期坚持", "长期", "持续推进", "常态化")
# "局各股室、二级机构", "局机关各股室", "各股室" …: every department of the bureau.
ALL_UNITS = re.compile(r"各股室|各科室|二级机构")
HEAD_ROLE = "chief"  # org.units.POSITION_ROLES: 总指挥/主任/负责人
LIAISON_ROLE = "liaison"
# Posts that make a person one of a unit's staff; a bureau leader's 带班领导 post in the duty
# department (duty_leader) does not make them its staff.
STAFF_ROLES = ("chief", "deputy", "director", "member", "liaison")


class PlanClosed(Conflict):
    code = "plan_closed"
    message = "The plan is closed: nothing more can be reported or changed."


class MeasureClosed(Conflict):
    code = "measure_closed"
    message = "The measure is closed: no more reports can be added."


class BadMove(Conflict):
    code = "bad_move"
    message = "This measure cannot move from {from_} to {to}."


class BadDeadline(ValueError):
    pass


def today() -> date:
    return clock.to_local(clock.now()).date()


# -- deadlines -------------------------------------------------------------------------------
def parse_deadline(text: str, year: int) -> tuple[DeadlineKind, date | None]:
    """长期坚持 → long-term; 2024年12月 → 2024-12-31; 12月上旬 / 中旬 / 下旬 → the 10th / 20th / last
    day; 2024年12月31日, 2024-12-31, 2024.12 → that day (or the month's last); 年底 → 31 December."""
    t = re.sub(r"\s+", "", text or "")
    if not t:
        raise BadDeadline("empty")
    if any(w in t for w in LONG_TERM_WORDS):
        return DeadlineKind.LONG_TERM, None
    if t in ("年底", "年内", "年末", "年底前"):
        return DeadlineKind.DATE, date(year, 12, 31)
    m = re.fullmatch(
        r"(?:(\d{4})[年.\-/])?(\d{1,2})(?:月|[.\-/])?(?:(\d{1,2})日?|(上旬|中旬|下旬|底|末))?(?:前|底前)?", t
    )
    if not m:
        raise BadDeadline(t)
    y = int(m.group(1)) if m.group(1) else year
    month = int(m.group(2))
    if not 1 <= month <= 12 or not 2000 <= y <= 2100:
        raise BadDeadline(t)
    last = calendar.monthrange(y, month)[1]
    if m.group(3):
        day = int(m.group(3))
        if not 1 <= day <= last:
            raise BadDeadline(t)
    else:
        day = {"上旬": 10, "中旬": 20}.get(m.group(4) or "", last)
    return DeadlineKind.DATE, date(y, month, day)


# -- reading ---------------------------------------------------------------------------------
def get(session: Session, principal: Principal, plan_id: int) -> TaskPlan:
    return visible(principal, session.get(TaskPlan, plan_id))


def for_update(session: Session, principal: Principal, plan_id: int) -> TaskPlan:
    plan = get(session, principal, plan_id)
    writable(principal, plan.jurisdiction_code, Perm.TASKS_MANAGE)
    if plan.state == PlanState.CLOSED:
        raise PlanClosed()
    return plan


def measure(session: Session, principal: Principal, measure_id: int) -> Measure:
    return visible(principal, session.get(Measure, measure_id))


def search(
    session: Session, principal: Principal, *, year: int | None = None, state: str | None = None
) -> list[TaskPlan]:
    q = select(TaskPlan).where(in_scope(TaskPlan.jurisdiction_code, principal))
    if year:
        q = q.where(TaskPlan.year == year)
    if state:
        q = q.where(TaskPlan.state == state)
    return list(session.scalars(q.order_by(TaskPlan.year.desc(), TaskPlan.id.desc()).limit(500)))


def tasks_of(session: Session, plan_id: int) -> list[PlanTask]:
    return list(session.scalars(select(PlanTask).where(PlanTask.plan_id == plan_id).order_by(PlanTask.seq)))


def measures_of(session: Session, plan_id: int) -> list[Measure]:
    return list(
        session.scalars(
            select(Measure)
            .join(PlanTask, PlanTask.id == Measure.task_id)
            .where(Measure.plan_id == plan_id)
            .order_by(PlanTask.seq, Measure.seq)
        )
    )


def units_of_measures(session: Session, measure_ids: list[int]) -> dict[int, list[MeasureUnit]]:
    out: dict[int, list[MeasureUnit]] = {m: [] for m in measure_ids}
    if not measure_ids:
        return out
    rows = session.scalars(
        select(MeasureUnit).where(MeasureUnit.measure_id.in_(measure_ids)).order_by(MeasureUnit.id)
    )
    for row in rows:
        out[row.measure_id].append(row)
    return out


def plan_units(session: Session, plan_id: int) -> list[PlanUnit]:
    return list(
        session.scalars(
            select(PlanUnit)
            .join(Unit, Unit.id == PlanUnit.unit_id)
            .where(PlanUnit.plan_id == plan_id)
            .order_by(Unit.sort, Unit.id)
        )
    )


def unit_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def people(session: Session, ids) -> dict[int, Person]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}


def person_of(session: Session, principal: Principal) -> int | None:
    """The person (org.models.Person) a user account stands for."""
    if principal.user_id is None:
        return None
    return session.scalar(select(User.person_id).where(User.id == principal.user_id))


def my_units(session: Session, principal: Principal) -> list[int]:
    """The units whose posts the user's person holds (a department's staff: their department)."""
    person = person_of(session, principal)
    if person is None:
        return []
    return list(
        session.scalars(
            select(Position.unit_id)
            .where(Position.person_id == person, Position.role.in_(STAFF_ROLES))
            .distinct()
        )
    )


# -- writing ---------------------------------------------------------------------------------
def create(session: Session, principal: Principal, data: PlanIn) -> TaskPlan:
    writable(principal, data.jurisdiction_code, Perm.TASKS_MANAGE)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise ValidationFailed.on("jurisdiction_code", N_("Unknown division code."))
    if data.issuer_unit_id is not None:
        unit = session.get(Unit, data.issuer_unit_id)
        if unit is None or unit.jurisdiction_code != data.jurisdiction_code:
            raise ValidationFailed.on(
                "issuer_unit_id", N_("The issuing unit must be of the plan's jurisdiction.")
            )
    rule = labels.rules()["summary_due"]
    plan = TaskPlan(
        year=data.year,
        title=data.title,
        doc_no=data.doc_no,
        issuer=data.issuer,
        issuer_unit_id=data.issuer_unit_id,
        issued_on=data.issued_on,
        jurisdiction_code=data.jurisdiction_code,
        report_period=data.report_period.value,
        summary_due=data.summary_due or date(data.year, rule["month"], rule["day"]),
        state=PlanState.ACTIVE.value,
        note=data.note,
    )
    session.add(plan)
    session.flush()
    return plan


def add_task(session: Session, principal: Principal, plan_id: int, data: TaskIn) -> PlanTask:
    plan = for_update(session, principal, plan_id)
    if session.scalar(select(PlanTask.id).where(PlanTask.plan_id == plan.id, PlanTask.seq == data.seq)):
        raise ValidationFailed.on("seq", N_("The plan already has a task with this number."))
    task = PlanTask(plan_id=plan.id, seq=data.seq, title=data.title, jurisdiction_code=plan.jurisdiction_code)
    session.add(task)
    session.flush()
    return task


def bureau_units(session: Session, plan: TaskPlan) -> list[Unit]:
    """Every department and second-level body of the issuing bureau (its child units); without an
    issuing unit, the departments of the plan's own jurisdiction."""
    q = select(Unit)
    if plan.issuer_unit_id:
        q = q.where(Unit.parent_id == plan.issuer_unit_id)
    else:
        q = q.where(Unit.jurisdiction_code == plan.jurisdiction_code, Unit.kind == "department")
    return list(session.scalars(q.order_by(Unit.sort, Unit.id)))


def resolve_units(session: Session, plan: TaskPlan, wording: str) -> tuple[list[Unit], list[str]]:
    """The units named in a 责任股室 cell (several separated by line breaks, 、, ，, ; or /), and the
    names not found. "局各股室、二级机构" stands for every unit of the bureau."""
    compact = re.sub(r"\s+", "", wording or "")
    if ALL_UNITS.search(compact):
        return bureau_units(session, plan), []
    names = [n for n in re.split(r"[\n\r、,，;；/]+|\s{2,}", wording or "") if n.strip()]
    names = [re.sub(r"\s+", "", n) for n in names]
    units, missing = [], []
    for name in names:
        unit = _unit_named(session, plan, name)
        if unit is None:
            missing.append(name)
        elif unit not in units:
            units.append(unit)
    return units, missing


def _unit_named(session: Session, plan: TaskPlan, name: str) -> Unit | None:
    q = select(Unit).where(Unit.name == name, Unit.jurisdiction_code == plan.jurisdiction_code)
    rows = list(session.scalars(q.order_by(Unit.id)))
    if plan.issuer_unit_id:
        own = [u for u in rows if u.parent_id == plan.issuer_unit_id]
        rows = own or rows
    return rows[0] if rows else None


def ensure_plan_unit(session: Session, plan: TaskPlan, unit: Unit) -> PlanUnit:
    """The unit's row in the plan: its head (the holder of its head post) and liaison (the holder of
    its liaison post), taken from org posts; the leader in charge is named by the manager."""
    row = session.scalar(select(PlanUnit).where(PlanUnit.plan_id == plan.id, PlanUnit.unit_id == unit.id))
    if row is not None:
        return row
    row = PlanUnit(
        plan_id=plan.id,
        unit_id=unit.id,
        head_person_id=post_holder(session, unit.id, HEAD_ROLE),
        liaison_person_id=post_holder(session, unit.id, LIAISON_ROLE),
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(row)
    session.flush()
    return row


def post_holder(session: Session, unit_id: int, role: str) -> int | None:
    return session.scalar(
        select(Position.person_id)
        .where(Position.unit_id == unit_id, Position.role == role)
        .order_by(Position.sort, Position.id)
        .limit(1)
    )


def is_head(session: Session, unit_id: int, person_id: int | None) -> bool:
    """Whether the person holds the head post (org Position role ``chief``) of the unit."""
    if person_id is None:
        return False
    return (
        session.scalar(
            select(Position.id).where(
                Position.unit_id == unit_id, Position.person_id == person_id, Position.role == HEAD_ROLE
            )
        )
        is not None
    )


def add_measure(session: Session, principal: Principal, data: MeasureIn) -> Measure:
    task = session.get(PlanTask, data.task_id)
    if task is None:
        raise ValidationFailed.on("task_id", N_("Unknown task."))
    plan = for_update(session, principal, task.plan_id)
    try:
        kind, due = parse_deadline(data.deadline, plan.year)
    except BadDeadline:
        raise ValidationFailed.on(
            "deadline", N_("Write the deadline as 长期坚持, 2024年12月, 12月上旬 or a date.")
        ) from None
    seq = (
        data.seq or (session.scalar(select(func.max(Measure.seq)).where(Measure.task_id == task.id)) or 0) + 1
    )
    if session.scalar(select(Measure.id).where(Measure.task_id == task.id, Measure.seq == seq)):
        raise ValidationFailed.on("seq", N_("The task already has a measure with this number."))
    units: list[tuple[Unit, str]] = []
    wording = data.units_text
    if data.units_text:
        found, missing = resolve_units(session, plan, data.units_text)
        if missing:
            raise ValidationFailed(
                details=[
                    {
                        "field": "units_text",
                        "message": N_("Unknown unit: {names}"),
                        "params": {"names": "、".join(missing)},
                    }
                ]
            )
        units += [(u, UnitRole.LEAD.value) for u in found]
    for ref in data.units:
        unit = session.get(Unit, ref.unit_id)
        if unit is None or not unit.jurisdiction_code.startswith(plan.jurisdiction_code):
            raise ValidationFailed.on("units", N_("A responsible unit must be of the plan's jurisdiction."))
        units.append((unit, ref.role.value))
    if not units:
        raise ValidationFailed.on("units", N_("Name at least one responsible unit."))
    row = Measure(
        plan_id=plan.id,
        task_id=task.id,
        seq=seq,
        label=data.label,
        text=data.text,
        deadline_kind=kind.value,
        due_on=due,
        deadline_text=data.deadline,
        period=(data.period or Period(plan.report_period)).value,
        urgent=data.urgent,
        state=MeasureState.PENDING.value,
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(row)
    session.flush()
    assign(session, plan, row, units, wording)
    return row


def assign(session: Session, plan: TaskPlan, row: Measure, units: list[tuple[Unit, str]], wording) -> None:
    seen: set[int] = set()
    for unit, role in units:
        if unit.id in seen:
            continue
        seen.add(unit.id)
        pu = ensure_plan_unit(session, plan, unit)
        session.add(
            MeasureUnit(
                measure_id=row.id,
                plan_id=plan.id,
                unit_id=unit.id,
                role=role,
                person_id=pu.head_person_id,
                liaison_id=pu.liaison_person_id,
                wording=(wording or unit.name)[:120],
                jurisdiction_code=plan.jurisdiction_code,
            )
        )
    session.flush()


def set_plan_unit(
    session: Session, principal: Principal, plan_id: int, unit_id: int, data: PlanUnitIn
) -> PlanUnit:
    """Name the unit's head, liaison and leader in charge for the plan (persons of the plan's area)."""
    plan = for_update(session, principal, plan_id)
    row = session.scalar(select(PlanUnit).where(PlanUnit.plan_id == plan.id, PlanUnit.unit_id == unit_id))
    row = visible(principal, row)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            person = session.get(Person, value)
            if person is None or not person.jurisdiction_code.startswith(plan.jurisdiction_code[:4]):
                raise ValidationFailed.on(field, N_("Unknown person."))
        setattr(row, field, value)
    # The measures' named person and liaison follow the unit's.
    for mu in session.scalars(
        select(MeasureUnit).where(MeasureUnit.plan_id == plan.id, MeasureUnit.unit_id == unit_id)
    ):
        mu.person_id, mu.liaison_id = row.head_person_id, row.liaison_person_id
    session.flush()
    return row


def move_measure(session: Session, principal: Principal, measure_id: int, to: MeasureState) -> Measure:
    row = measure(session, principal, measure_id)
    for_update(session, principal, row.plan_id)
    current = MeasureState(row.state)
    if to not in MEASURE_MOVES[current]:
        raise BadMove(
            from_=labels.label(labels.MEASURE_STATE, current), to=labels.label(labels.MEASURE_STATE, to)
        )
    row.state = to.value
    row.done_at = clock.now() if to == MeasureState.DONE else row.done_at
    session.flush()
    return row


def close_plan(session: Session, plan: TaskPlan) -> None:
    """Close a plan and its open measures (no report is taken after it)."""
    plan.state = PlanState.CLOSED.value
    plan.closed_at = clock.now()
    for m in session.scalars(
        select(Measure).where(Measure.plan_id == plan.id, Measure.state.in_(OPEN_MEASURE))
    ):
        m.state = MeasureState.CLOSED.value
    session.flush()


def close(session: Session, principal: Principal, plan_id: int) -> TaskPlan:
    plan = for_update(session, principal, plan_id)
    close_plan(session, plan)
    return plan
