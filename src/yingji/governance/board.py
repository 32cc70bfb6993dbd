"""What the API and the pages show of plans, measures, ledgers and summaries (plain dicts shaped as
``schemas``), built with a few grouped queries per plan."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, mask_phone
from yingji.governance import plans, progress, reports, summaries
from yingji.governance.codes import Flag
from yingji.governance.models import Measure, MeasureUnit, ProgressReport, TaskPlan, YearSummary


def _person(p, principal: Principal) -> dict | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "phone": mask_phone(p.mobile or p.office_phone, principal)}


def measure_outs(
    session: Session, principal: Principal, plan: TaskPlan, measures: list[Measure]
) -> list[dict]:
    ids = [m.id for m in measures]
    tasks = {t.id: t for t in plans.tasks_of(session, plan.id)}
    units = plans.units_of_measures(session, ids)
    names = plans.unit_names(session, {u.unit_id for rows in units.values() for u in rows})
    folks = plans.people(
        session, {p for rows in units.values() for u in rows for p in (u.person_id, u.liaison_id)}
    )
    standing = progress.standings(session, plan, measures)
    counts = progress.last_reports(session, ids)
    out = []
    for m in measures:
        t = tasks[m.task_id]
        n, last = counts.get(m.id, (0, None))
        out.append(
            {
                "id": m.id,
                "plan_id": m.plan_id,
                "task_id": m.task_id,
                "task_seq": t.seq,
                "task_title": t.title,
                "seq": m.seq,
                "label": m.label,
                "text": m.text,
                "deadline_kind": m.deadline_kind,
                "due_on": m.due_on,
                "deadline_text": m.deadline_text,
                "period": m.period,
                "urgent": m.urgent,
                "state": m.state,
                "flag": standing[m.id].flag.value,
                "reports": n,
                "last_report_at": last,
                "units": [
                    {
                        "unit_id": u.unit_id,
                        "name": names.get(u.unit_id, ""),
                        "role": u.role,
                        "wording": u.wording,
                        "person": _person(folks.get(u.person_id), principal),
                        "liaison": _person(folks.get(u.liaison_id), principal),
                    }
                    for u in units[m.id]
                ],
            }
        )
    return out


def counts_of(session: Session, plan: TaskPlan) -> dict[str, int]:
    measures = list(session.scalars(select(Measure).where(Measure.plan_id == plan.id)))
    out = {f.value: 0 for f in Flag}
    for s in progress.standings(session, plan, measures).values():
        out[s.flag.value] += 1
    out["total"] = len(measures)
    return out


def plan_out(session: Session, plan: TaskPlan, counts: bool = True) -> dict:
    return {
        "id": plan.id,
        "year": plan.year,
        "title": plan.title,
        "doc_no": plan.doc_no,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on,
        "jurisdiction_code": plan.jurisdiction_code,
        "report_period": plan.report_period,
        "state": plan.state,
        "summary_due": plan.summary_due,
        "counts": counts_of(session, plan) if counts else {},
    }


def plan_detail(session: Session, principal: Principal, plan: TaskPlan) -> dict:
    measures = plans.measures_of(session, plan.id)
    outs = measure_outs(session, principal, plan, measures)
    tasks = []
    for t in plans.tasks_of(session, plan.id):
        tasks.append(
            {
                "id": t.id,
                "seq": t.seq,
                "title": t.title,
                "measures": [m for m in outs if m["task_id"] == t.id],
            }
        )
    pus = plans.plan_units(session, plan.id)
    names = plans.unit_names(session, [p.unit_id for p in pus])
    folks = plans.people(
        session, {x for p in pus for x in (p.head_person_id, p.liaison_person_id, p.leader_person_id)}
    )
    sums = summaries.of_plan(session, plan.id)
    units = [
        {
            "unit_id": p.unit_id,
            "name": names.get(p.unit_id, ""),
            "head": _person(folks.get(p.head_person_id), principal),
            "liaison": _person(folks.get(p.liaison_person_id), principal),
            "leader": _person(folks.get(p.leader_person_id), principal),
            "summary_id": sums[p.unit_id].id if p.unit_id in sums else None,
            "signed": p.unit_id in sums and sums[p.unit_id].locked,
        }
        for p in pus
    ]
    counts = {f.value: 0 for f in Flag}
    for m in outs:
        counts[m["flag"]] += 1
    counts["total"] = len(outs)
    return plan_out(session, plan, counts=False) | {"counts": counts, "tasks": tasks, "units": units}


def report_outs(session: Session, rows: list[ProgressReport]) -> list[dict]:
    names = plans.unit_names(session, {r.unit_id for r in rows})
    users = reports.user_names(session, {r.by_user for r in rows})
    files = reports.evidence_of(session, report_ids=[r.id for r in rows])
    return [
        {
            "id": r.id,
            "measure_id": r.measure_id,
            "unit_id": r.unit_id,
            "unit_name": names.get(r.unit_id, ""),
            "period_key": r.period_key,
            "text": r.text,
            "percent": r.percent,
            "finished": r.finished,
            "at": r.at,
            "by": users.get(r.by_user),
            "evidence": reports.evidence_out(files.get(("report", r.id), [])),
        }
        for r in rows
    ]


def summary_out(session: Session, principal: Principal, s: YearSummary) -> dict:
    from yingji.governance.codes import SignRole

    head = s.head_person_id or summaries.signer(session, s, SignRole.HEAD)
    leader = s.leader_person_id or summaries.signer(session, s, SignRole.LEADER)
    folks = plans.people(session, {head, leader})
    files = reports.evidence_of(session, summary_ids=[s.id])
    return {
        "id": s.id,
        "plan_id": s.plan_id,
        "unit_id": s.unit_id,
        "unit_name": plans.unit_names(session, [s.unit_id]).get(s.unit_id, ""),
        "text": s.text,
        "head": _person(folks.get(head), principal),
        "head_signed_at": s.head_signed_at,
        "leader": _person(folks.get(leader), principal),
        "leader_signed_at": s.leader_signed_at,
        "locked": s.locked,
        "evidence": reports.evidence_out(files.get(("summary", s.id), [])),
    }


def unit_measures(
    session: Session, principal: Principal, unit_ids: list[int], year: int | None = None
) -> list[dict]:
    """Every measure (of plans in scope) that the units carry, grouped by plan in the pages."""
    if not unit_ids:
        return []
    q = (
        select(Measure)
        .join(MeasureUnit, MeasureUnit.measure_id == Measure.id)
        .where(MeasureUnit.unit_id.in_(unit_ids))
        .distinct()
    )
    rows = list(session.scalars(q.order_by(Measure.plan_id, Measure.task_id, Measure.seq)))
    out = []
    by_plan: dict[int, list[Measure]] = {}
    for m in rows:
        if principal.covers(m.jurisdiction_code):
            by_plan.setdefault(m.plan_id, []).append(m)
    for plan_id, ms in by_plan.items():
        plan = session.get(TaskPlan, plan_id)
        if year and plan.year != year:
            continue
        out += measure_outs(session, principal, plan, ms)
    return out
