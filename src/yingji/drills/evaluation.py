"""The evaluation of a held drill (演练评估报告) and what follows from it.

The report has the six sections of 突发事件应急预案管理办法 (2013) 第二十三条; it can be saved as a
draft and is closed by ``final``, which needs every section and the day, and moves the drill to
evaluated. Each problem found (AQ/T 9009-2015: 预案、组织、人员、机制、保障) is a follow-up task with a
measure, the unit responsible and a due day; a problem with a plan the drill exercised can raise a
revision trigger on that plan through the plans' own ``raise_trigger`` (reason ``drill_problems``),
which the plan's people handle there: they start a revision or dismiss it, saying why."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_, gettext
from yingji.drills import labels, registry, reminders
from yingji.drills.codes import DrillState, ProblemState
from yingji.drills.models import DrillEvaluation, DrillProblem
from yingji.plans import triggers as plan_triggers
from yingji.plans.models import Plan

SECTION_KEYS = tuple(key for key, _label in labels.SECTIONS)
FIELDS = (*SECTION_KEYS, "evaluated_on", "evaluators", "third_party", "summary")


_bad = ValidationFailed.on  # one field refused with its message


def of_drill(session: Session, drill_id: int) -> DrillEvaluation | None:
    return session.scalar(select(DrillEvaluation).where(DrillEvaluation.drill_id == drill_id))


def save(session: Session, principal: Principal, drill_id: int, data) -> DrillEvaluation:
    """Write the evaluation of a held drill; ``final`` closes it (all six sections needed)."""
    drill = registry.for_update(session, principal, drill_id)
    if drill.state == DrillState.EVALUATED.value:
        raise Conflict("The evaluation of this drill is final.")
    if drill.state != DrillState.ENDED.value:
        raise Conflict("Only a drill that has been held can be evaluated.")
    values = data.model_dump(include=set(FIELDS))
    ended = clock.to_local(drill.ended_at).date() if drill.ended_at is not None else None
    if values["evaluated_on"] is not None and ended is not None and values["evaluated_on"] < ended:
        raise _bad("evaluated_on", N_("The evaluation cannot come before the drill."))
    if values["evaluated_on"] is not None and values["evaluated_on"] > registry.today():
        raise _bad("evaluated_on", N_("This day lies in the future."))
    if data.final:
        missing = [k for k in SECTION_KEYS if not (values.get(k) or "").strip()]
        if values["evaluated_on"] is None:
            missing.append("evaluated_on")
        if missing:
            raise ValidationFailed(
                details=[{"field": k, "message": "A final evaluation needs this part."} for k in missing]
            )
    evaluation = of_drill(session, drill.id)
    if evaluation is None:
        evaluation = DrillEvaluation(drill_id=drill.id, jurisdiction_code=drill.jurisdiction_code)
        session.add(evaluation)
    for key, value in values.items():
        setattr(evaluation, key, value)
    evaluation.final = data.final
    if data.final:
        drill.state = DrillState.EVALUATED.value
    session.flush()
    return evaluation


def to_out(evaluation: DrillEvaluation) -> dict:
    return {"drill_id": evaluation.drill_id, "final": evaluation.final} | {
        k: getattr(evaluation, k) for k in FIELDS
    }


# -- problems and their follow-up -----------------------------------------------------------------
def problems_of(session: Session, drill_id: int) -> list[DrillProblem]:
    return list(
        session.scalars(
            select(DrillProblem).where(DrillProblem.drill_id == drill_id).order_by(DrillProblem.seq)
        )
    )


def triggers_by_problem(session: Session, problem_ids: list[int]) -> dict[int, int]:
    if not problem_ids:
        return {}
    rows = session.execute(
        select(DrillProblem.id, DrillProblem.trigger_id).where(
            DrillProblem.id.in_(problem_ids), DrillProblem.trigger_id.is_not(None)
        )
    )
    return dict(rows.all())


def add_problem(session: Session, principal: Principal, drill_id: int, data) -> DrillProblem:
    """Record a problem of a held drill and its follow-up; with ``revise`` a revision trigger on the
    plan is written in the same transaction."""
    drill = registry.for_update(session, principal, drill_id)
    if drill.state not in (DrillState.ENDED.value, DrillState.EVALUATED.value):
        raise Conflict("Problems are recorded for a drill that has been held.")
    if data.plan_id is not None and data.plan_id not in {link.plan_id for link in drill.plans}:
        raise _bad("plan_id", N_("Choose one of the plans this drill exercised."))
    if data.revise and data.plan_id is None:
        raise _bad("plan_id", N_("Choose the plan to revise."))
    if data.owner_unit_id is not None:
        registry.check_unit(session, data.owner_unit_id, drill.jurisdiction_code, "owner_unit_id")
    ended = clock.to_local(drill.ended_at).date() if drill.ended_at is not None else None
    if data.due_on is not None and ended is not None and data.due_on < ended:
        raise _bad("due_on", N_("The due day cannot come before the drill."))
    seq = (
        session.scalar(select(func.max(DrillProblem.seq)).where(DrillProblem.drill_id == drill.id)) or 0
    ) + 1
    problem = DrillProblem(
        drill_id=drill.id,
        seq=seq,
        area=data.area,
        description=data.description,
        measure=data.measure,
        owner_unit_id=data.owner_unit_id,
        due_on=data.due_on,
        plan_id=data.plan_id,
        state=ProblemState.OPEN,
        jurisdiction_code=drill.jurisdiction_code,
    )
    session.add(problem)
    session.flush()
    if data.revise:
        plan = session.get(Plan, data.plan_id)
        trigger = plan_triggers.raise_trigger(
            session,
            plan.id,
            "drill_problems",
            f"{drill.title}: {data.description}"[:4000],
            source="drill",
            source_ref=f"drill-problem:{problem.id}",
            principal=principal,
        )
        problem.trigger_id = trigger.id
        session.flush()
        reminders.tell_plan_owners(session, trigger, plan.title)
    return problem


def close_problem(
    session: Session, principal: Principal, drill_id: int, problem_id: int, data
) -> DrillProblem:
    """The follow-up is done (by the drill's managers, who check the measure was taken)."""
    drill = registry.for_update(session, principal, drill_id)
    problem = session.get(DrillProblem, problem_id, with_for_update=True)
    if problem is None or problem.drill_id != drill.id:
        raise NotFound()
    if problem.state == ProblemState.DONE:
        raise Conflict("This follow-up is already done.")
    done_on = data.done_on or registry.today()
    if done_on > registry.today():
        raise _bad("done_on", N_("This day lies in the future."))
    problem.state, problem.done_on, problem.done_note = ProblemState.DONE, done_on, data.note
    session.flush()
    return problem


def problem_out(problem: DrillProblem, triggers: dict[int, int]) -> dict:
    return {
        "id": problem.id,
        "drill_id": problem.drill_id,
        "seq": problem.seq,
        "area": problem.area,
        "area_label": gettext(labels.PROBLEM_AREA[problem.area]),
        "description": problem.description,
        "measure": problem.measure,
        "owner_unit_id": problem.owner_unit_id,
        "owner_unit_name": problem.owner_unit.name if problem.owner_unit else None,
        "due_on": problem.due_on,
        "state": problem.state,
        "done_on": problem.done_on,
        "done_note": problem.done_note,
        "plan_id": problem.plan_id,
        "trigger_id": triggers.get(problem.id),
    }
