"""Reminders (催办) and supervision notices (督办, the 三色督查单 of RULES2 §12.3: blue reminder →
orange warning → red final; an urgent measure starts at orange). The sweep writes them as rows, one
per measure, unit, period and colour (a unique key: a repeated sweep writes nothing twice), tells the
unit's people through the inbox, and escalates an unanswered notice after ``labels.escalate_days()``.
The unit answers (反馈); a manager closes (办结)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.auth.security import note_refusal
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.i18n import N_
from yingji.governance import labels, plans, progress
from yingji.governance.codes import (
    LEVEL_NEXT,
    NOTICE_MOVES,
    Flag,
    NoticeKind,
    NoticeLevel,
    NoticeState,
    PlanState,
)
from yingji.governance.models import Measure, MeasureUnit, Notice, TaskPlan
from yingji.governance.reports import check_unit
from yingji.governance.schemas import NoticeIn
from yingji.notify.channels import Message
from yingji.notify.inbox import InboxChannel, notify_level
from yingji.org.codes import subtree_bounds
from yingji.org.models import Position

LIVE = (NoticeState.OPEN.value, NoticeState.ANSWERED.value)


class OwnNotice(Forbidden):
    code = "own_notice"
    message = "A supervision notice is closed by the supervising office, not by the unit it is addressed to."


class BadNoticeMove(Conflict):
    code = "bad_notice_move"
    message = "This notice is {state}: it cannot be changed so."


def _tell(session: Session, notice: Notice, measure: Measure, subject: str) -> None:
    """The unit's people with an account, else the managers of the plan's level."""
    users = session.scalars(
        select(User.id)
        .join(Position, Position.person_id == User.person_id)
        .where(Position.unit_id == notice.unit_id, User.active)
        .distinct()
    ).all()
    link = f"/work-tasks/measures/{measure.id}"
    severity = "warning" if notice.level != NoticeLevel.RED else "critical"
    key = f"gov-notice:{notice.id}"
    if users:
        InboxChannel().send(
            session,
            [
                Message(
                    recipient_user_id=uid,
                    subject=subject,
                    body=notice.reason,
                    link=link,
                    category="tasks",
                    severity=severity,
                    jurisdiction_code=notice.jurisdiction_code,
                    key=f"{key}:{uid}",
                )
                for uid in users
            ],
        )
    else:
        notify_level(
            session,
            notice.jurisdiction_code,
            subject=subject,
            body=notice.reason,
            link=link,
            category="tasks",
            severity=severity,
            key=key,
            perm=Perm.TASKS_MANAGE,
        )


def _subject(notice: Notice, unit_name: str) -> str:
    kind = "催办" if notice.kind == NoticeKind.REMINDER else "督办"
    colour = {"blue": "蓝色", "orange": "橙色", "red": "红色"}[notice.level]
    return f"{colour}{kind}: {unit_name}"


def _new(
    session, measure: Measure, unit_id: int, kind, level, period_key, reason, *, by=None, previous=None, today
):
    notice = Notice(
        plan_id=measure.plan_id,
        measure_id=measure.id,
        unit_id=unit_id,
        kind=kind.value,
        level=level.value,
        state=NoticeState.OPEN.value,
        period_key=period_key,
        reason=reason,
        issued_at=clock.now(),
        issued_by=by,
        reply_due=today + timedelta(days=labels.reply_days(measure.urgent or level != NoticeLevel.BLUE)),
        previous_id=previous.id if previous else None,
        jurisdiction_code=measure.jurisdiction_code,
    )
    session.add(notice)
    session.flush()
    names = plans.unit_names(session, [unit_id])
    _tell(session, notice, measure, _subject(notice, names.get(unit_id, "")))
    return notice


def _reason(measure: Measure, standing: progress.Standing) -> str:
    text = measure.text if len(measure.text) <= 60 else measure.text[:60] + "…"
    if standing.flag == Flag.AT_RISK:
        return f"临近时限，本期({standing.period_key})尚未报送进展：{text}"
    if measure.due_on and standing.period_key == measure.due_on.isoformat():
        return f"已超过完成时限({measure.due_on.isoformat()})未完成：{text}"
    return f"未按期报送{standing.period_key}工作进展：{text}"


def sweep(session: Session, today: date | None = None, within: str | None = None) -> dict[str, int]:
    """Flag every active plan's measures; remind the units of at-risk ones (blue 催办, once a period),
    issue 督办 for overdue ones (blue, or orange when urgent), and escalate a notice left open for
    ``escalate_days`` to the next colour (red is final)."""
    today = today or clock.to_local(clock.now()).date()
    esc = timedelta(days=labels.escalate_days())
    counts = {"reminders": 0, "notices": 0, "escalated": 0}
    q = select(TaskPlan).where(TaskPlan.state == PlanState.ACTIVE.value)
    if within:
        low, high = subtree_bounds(within)
        q = q.where(TaskPlan.jurisdiction_code >= low, TaskPlan.jurisdiction_code < high)
    for plan in session.scalars(q.order_by(TaskPlan.id)).all():
        measures = plans.measures_of(session, plan.id)
        by_id = {m.id: m for m in measures}
        existing: dict[tuple[int, int, str, str], list[Notice]] = {}
        for n in session.scalars(select(Notice).where(Notice.plan_id == plan.id)):
            existing.setdefault((n.measure_id, n.unit_id, n.period_key, n.kind), []).append(n)
        for mid, standing in progress.standings(session, plan, measures, today).items():
            m = by_id[mid]
            if standing.flag == Flag.AT_RISK:
                for uid in standing.missing_units:
                    if not existing.get((mid, uid, standing.period_key, NoticeKind.REMINDER.value)):
                        _new(
                            session,
                            m,
                            uid,
                            NoticeKind.REMINDER,
                            NoticeLevel.BLUE,
                            standing.period_key,
                            _reason(m, standing),
                            today=today,
                        )
                        counts["reminders"] += 1
            elif standing.flag == Flag.OVERDUE:
                for uid in standing.missing_units:
                    rows = existing.get((mid, uid, standing.period_key, NoticeKind.SUPERVISION.value), [])
                    live = [n for n in rows if n.state in LIVE]
                    if not rows:
                        level = NoticeLevel.ORANGE if m.urgent else NoticeLevel.BLUE
                        _new(
                            session,
                            m,
                            uid,
                            NoticeKind.SUPERVISION,
                            level,
                            standing.period_key,
                            _reason(m, standing),
                            today=today,
                        )
                        counts["notices"] += 1
                        continue
                    for n in live:
                        nxt = LEVEL_NEXT[NoticeLevel(n.level)]
                        issued = clock.to_local(n.issued_at).date()
                        if n.state == NoticeState.OPEN and nxt is not None and today - issued >= esc:
                            n.state = NoticeState.SUPERSEDED.value
                            session.flush()
                            _new(
                                session,
                                m,
                                uid,
                                NoticeKind.SUPERVISION,
                                nxt,
                                standing.period_key,
                                _reason(m, standing),
                                previous=n,
                                today=today,
                            )
                            counts["escalated"] += 1
    session.flush()
    return counts


def search(
    session: Session,
    principal: Principal,
    *,
    state: str | None = None,
    level: str | None = None,
    plan_id: int | None = None,
    unit_ids: list[int] | None = None,
    limit: int = 500,
) -> list[Notice]:
    q = select(Notice).where(in_scope(Notice.jurisdiction_code, principal))
    q = q.where(Notice.state == state) if state else q.where(Notice.state != NoticeState.SUPERSEDED.value)
    if level:
        q = q.where(Notice.level == level)
    if plan_id:
        q = q.where(Notice.plan_id == plan_id)
    if unit_ids is not None:
        q = q.where(Notice.unit_id.in_(unit_ids or [-1]))
    return list(session.scalars(q.order_by(Notice.issued_at.desc(), Notice.id.desc()).limit(limit)))


def get(session: Session, principal: Principal, notice_id: int) -> Notice:
    return visible(principal, session.get(Notice, notice_id))


def issue(session: Session, principal: Principal, data: NoticeIn) -> Notice:
    """A manager's own 督办 on a measure and unit (any colour: an urgent one may start orange)."""
    m = plans.measure(session, principal, data.measure_id)
    plans.for_update(session, principal, m.plan_id)
    if not session.scalar(
        select(MeasureUnit.id).where(MeasureUnit.measure_id == m.id, MeasureUnit.unit_id == data.unit_id)
    ):
        raise ValidationFailed.on("unit_id", N_("This unit does not carry this measure."))
    today = clock.to_local(clock.now()).date()
    key = f"M{clock.now().strftime('%y%m%d%H%M%S')}"[:10]  # a manager's notice has its own slot
    notice = _new(
        session,
        m,
        data.unit_id,
        NoticeKind.SUPERVISION,
        data.level,
        key,
        data.reason,
        by=principal.user_id,
        today=today,
    )
    if data.reply_due:
        notice.reply_due = data.reply_due
    session.flush()
    return notice


def _move(notice: Notice, to: NoticeState) -> None:
    if to not in NOTICE_MOVES[NoticeState(notice.state)]:
        raise BadNoticeMove(state=labels.label(labels.NOTICE_STATE, notice.state))
    notice.state = to.value


def answer(session: Session, principal: Principal, notice_id: int, text: str) -> Notice:
    notice = get(session, principal, notice_id)
    plan = session.get(TaskPlan, notice.plan_id)
    check_unit(session, principal, plan, notice.unit_id)
    _move(notice, NoticeState.ANSWERED)
    notice.answer, notice.answered_at, notice.answered_by = text, clock.now(), principal.user_id
    session.flush()
    return notice


def close(session: Session, principal: Principal, notice_id: int, note: str | None) -> Notice:
    notice = get(session, principal, notice_id)
    writable(principal, notice.jurisdiction_code, Perm.TASKS_MANAGE)
    if notice.unit_id in plans.my_units(session, principal):  # a unit does not close its own 督办
        note_refusal(
            principal, "forbidden", 403, jurisdiction_code=notice.jurisdiction_code, note="own notice"
        )
        raise OwnNotice()
    _move(notice, NoticeState.CLOSED)
    notice.closed_at, notice.closed_by, notice.close_note = clock.now(), principal.user_id, note
    session.flush()
    return notice


def outs(session: Session, rows: list[Notice]) -> list[dict]:
    names = plans.unit_names(session, [n.unit_id for n in rows])
    texts = dict(
        session.execute(
            select(Measure.id, Measure.text).where(Measure.id.in_({n.measure_id for n in rows} or {-1}))
        ).all()
    )
    return [
        {
            "id": n.id,
            "plan_id": n.plan_id,
            "measure_id": n.measure_id,
            "measure_text": texts.get(n.measure_id, ""),
            "unit_id": n.unit_id,
            "unit_name": names.get(n.unit_id, ""),
            "kind": n.kind,
            "level": n.level,
            "state": n.state,
            "period_key": n.period_key,
            "reason": n.reason,
            "issued_at": n.issued_at,
            "reply_due": n.reply_due,
            "answer": n.answer,
            "answered_at": n.answered_at,
            "closed_at": n.closed_at,
            "close_note": n.close_note,
        }
        for n in rows
    ]
