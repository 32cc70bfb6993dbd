"""Progress reports of a responsible unit on a measure, with their evidence (documents and photos):
together the measure's ledger (工作台账). A report is taken only from a unit that carries the measure
(its staff with TASKS_REPORT, or a manager of the plan's jurisdiction writing for it), never on a
closed measure or plan (409), and once per client key (a phone resending after a lost answer)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require, visible
from yingji.auth.security import note_refusal
from yingji.core import clock
from yingji.core.errors import Forbidden
from yingji.governance import plans
from yingji.governance.codes import MeasureState, PlanState, UnitRole
from yingji.governance.models import (
    Measure,
    MeasureUnit,
    PlanUnit,
    ProgressReport,
    TaskEvidence,
    TaskPlan,
    YearSummary,
)
from yingji.governance.progress import period_of
from yingji.governance.schemas import ReportIn


class NotYourUnit(Forbidden):
    code = "not_your_unit"
    message = "Only the unit itself (or a manager of the plan) may report for this unit."


class UnitNotResponsible(Forbidden):
    code = "unit_not_responsible"
    message = "This unit does not carry this measure."


def check_unit(session: Session, principal: Principal, plan: TaskPlan, unit_id: int) -> None:
    """The principal acts for ``unit_id``. Staff of the plan's own units (a post in one of them, or in
    a department of the issuing bureau) act only for their own units, with TASKS_REPORT; anyone else
    with TASKS_MANAGE over the plan's jurisdiction (the office that keeps the plan) may write for any
    unit of it, e.g. a report handed in on paper."""
    mine = set(plans.my_units(session, principal))
    insiders = set(session.scalars(select(PlanUnit.unit_id).where(PlanUnit.plan_id == plan.id)))
    insiders |= {u.id for u in plans.bureau_units(session, plan)}
    if mine & insiders:
        require(principal, Perm.TASKS_REPORT)
        if unit_id in mine:
            return
    elif principal.can(Perm.TASKS_MANAGE) and principal.covers(plan.jurisdiction_code):
        return
    else:
        require(principal, Perm.TASKS_REPORT)
    note_refusal(
        principal, "forbidden", 403, jurisdiction_code=plan.jurisdiction_code, note=f"unit {unit_id}"
    )
    raise NotYourUnit()


def may_act(session: Session, principal: Principal, plan: TaskPlan, unit_id: int) -> bool:
    """Whether ``check_unit`` passes (to offer a form; a refusal here is not recorded)."""
    try:
        check_unit(session, principal, plan, unit_id)
    except Forbidden:
        return False
    return True


def submit(session: Session, principal: Principal, measure_id: int, data: ReportIn) -> ProgressReport:
    if data.client_key:
        found = session.scalar(select(ProgressReport).where(ProgressReport.client_key == data.client_key))
        if found is not None:  # the same submission again: the first answer, nothing new
            return visible(principal, found)
    measure = plans.measure(session, principal, measure_id)
    plan = session.get(TaskPlan, measure.plan_id)
    carries = session.scalar(
        select(MeasureUnit).where(MeasureUnit.measure_id == measure.id, MeasureUnit.unit_id == data.unit_id)
    )
    check_unit(session, principal, plan, data.unit_id)
    if carries is None:
        raise UnitNotResponsible()
    if plan.state == PlanState.CLOSED:
        raise plans.PlanClosed()
    if measure.state == MeasureState.CLOSED:
        raise plans.MeasureClosed()
    now = clock.now()
    key, _f, _l = period_of(measure.period, clock.to_local(now).date())
    report = ProgressReport(
        measure_id=measure.id,
        plan_id=plan.id,
        unit_id=data.unit_id,
        period_key=key,
        text=data.text,
        percent=data.percent,
        finished=data.finished,
        at=now,
        by_user=principal.user_id,
        client_key=data.client_key,
        jurisdiction_code=plan.jurisdiction_code,
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:  # the same key, sent twice at once: the other one won
        found = session.scalar(select(ProgressReport).where(ProgressReport.client_key == data.client_key))
        if found is None:
            raise
        return found
    if measure.state == MeasureState.PENDING:
        measure.state = MeasureState.ONGOING.value
    # The lead unit saying a dated measure is finished completes it (the manager may reopen it).
    if data.finished and carries.role == UnitRole.LEAD and measure.state == MeasureState.ONGOING:
        measure.state = MeasureState.DONE.value
        measure.done_at = now
    session.flush()
    return report


def ledger(session: Session, principal: Principal, measure_id: int) -> tuple[Measure, list[ProgressReport]]:
    measure = plans.measure(session, principal, measure_id)
    rows = session.scalars(
        select(ProgressReport)
        .where(ProgressReport.measure_id == measure.id)
        .order_by(ProgressReport.at.desc())
    )
    return measure, list(rows)


def evidence_of(
    session: Session, *, report_ids=(), summary_ids=()
) -> dict[tuple[str, int], list[TaskEvidence]]:
    out: dict[tuple[str, int], list[TaskEvidence]] = {}
    q = select(TaskEvidence).order_by(TaskEvidence.id)
    if report_ids:
        for e in session.scalars(q.where(TaskEvidence.report_id.in_(list(report_ids)))):
            out.setdefault(("report", e.report_id), []).append(e)
    if summary_ids:
        for e in session.scalars(q.where(TaskEvidence.summary_id.in_(list(summary_ids)))):
            out.setdefault(("summary", e.summary_id), []).append(e)
    return out


def user_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


# -- evidence files --------------------------------------------------------------------------
def dir_of(settings) -> Path:
    return uploads.folder(settings, "governance")


def path_of(root: Path, e: TaskEvidence) -> Path:
    return uploads.path_of(root, e.sha256, e.extension)


def attach(
    session: Session,
    principal: Principal,
    data: bytes,
    filename: str | None,
    *,
    root: Path,
    max_bytes: int,
    report: ProgressReport | None = None,
    summary: YearSummary | None = None,
) -> TaskEvidence:
    """Keep a photo or a document (checked by its bytes, ``auth.uploads.check``) by content hash."""
    kind, mime, ext = uploads.check(data, max_bytes)
    sha = uploads.digest(data)
    owner = report or summary
    row = TaskEvidence(
        report_id=report.id if report else None,
        summary_id=summary.id if summary else None,
        kind=kind,
        sha256=sha,
        content_type=mime,
        extension=ext,
        size_bytes=len(data),
        original_name=(filename or "")[:200] or None,
        uploaded_by=principal.user_id,
        jurisdiction_code=owner.jurisdiction_code,
    )
    session.add(row)
    session.flush()
    uploads.write_once(path_of(root, row), data)  # after the row: a refused row leaves no file behind
    return row


def add_to_report(
    session, principal, report_id: int, data: bytes, filename, *, root, max_bytes
) -> TaskEvidence:
    report = visible(principal, session.get(ProgressReport, report_id))
    plan = session.get(TaskPlan, report.plan_id)
    check_unit(session, principal, plan, report.unit_id)
    if plan.state == PlanState.CLOSED:
        raise plans.PlanClosed()
    return attach(session, principal, data, filename, root=root, max_bytes=max_bytes, report=report)


def file_of(
    session: Session, principal: Principal, evidence_id: int, root: Path
) -> tuple[TaskEvidence, Path]:
    e = visible(principal, session.get(TaskEvidence, evidence_id))
    return e, uploads.kept(root, e.sha256, e.extension)


def evidence_out(rows: list[TaskEvidence]) -> list[dict]:
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "content_type": e.content_type,
            "size_bytes": e.size_bytes,
            "original_name": e.original_name,
            "url": f"/api/v1/work-tasks/evidence/{e.id}",
        }
        for e in rows
    ]
