"""The steps of the hidden-danger loop: each checks what it needs, changes the danger under its row
lock, stamps the time, and writes the log — only along ``loop.TRANSITIONS``. A field submission
repeated with the same client key answers the danger as it is (no second step)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Forbidden, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.risk import escalation, loop, rules, tables
from yingji.risk.danger_models import Danger, DangerEvent, DangerPlan
from yingji.risk.dangers import log, today
from yingji.risk.schemas import ActionIn


def _missing(*fields: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": f, "message": "A value is required."} for f in fields])


def _future(deadline, field: str = "deadline") -> None:
    if deadline is None:
        raise _missing(field)
    if deadline < today():
        raise ValidationFailed(details=[{"field": field, "message": "The deadline cannot be in the past."}])


def _register(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    if data.category:
        if data.category not in tables.categories():
            raise ValidationFailed(
                details=[{"field": "category", "message": "Unknown hidden-danger category."}]
            )
        danger.category = data.category


def _dismiss(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    if not data.note:
        raise _missing("note")
    danger.dismiss_reason = data.note


def _grade(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    if data.checklist is None:
        raise _missing("checklist")
    try:
        danger.grade = rules.grade(data.checklist)
    except rules.RuleInputError as exc:
        raise ValidationFailed(details=[{"field": exc.field, "message": exc.message}]) from None
    danger.checklist = {c["code"]: bool(data.checklist.get(c["code"])) for c in tables.criteria()}


def _rectify(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    """整改: responsible party, measures, funds, deadline; a 重大 danger also its full plan, and the
    county supervises it (督办)."""
    if danger.grade == "major":
        if data.plan is None:
            raise ValidationFailed(
                details=[
                    {"field": "plan", "message": "A major hidden danger needs its full rectification plan."}
                ]
            )
        if data.deadline is not None and data.deadline != data.plan.time_limit:
            raise ValidationFailed(
                details=[{"field": "deadline", "message": "The deadline must be the plan's time limit."}]
            )
        data = data.model_copy(update={"deadline": data.plan.time_limit})
    missing = [f for f in ("responsible_party", "measures", "funds_cny") if getattr(data, f) in (None, "")]
    if missing:
        raise _missing(*missing)
    _future(data.deadline)
    for name in ("responsible_party", "responsible_person", "responsible_phone", "measures", "funds_cny"):
        setattr(danger, name, getattr(data, name))
    danger.deadline = data.deadline
    if danger.grade == "major":
        plan = session.scalar(select(DangerPlan).where(DangerPlan.danger_id == danger.id))
        if plan is None:
            plan = DangerPlan(danger_id=danger.id, jurisdiction_code=danger.jurisdiction_code)
            session.add(plan)
        for name, value in data.plan.model_dump().items():
            setattr(plan, name, value)
        danger.supervised_by = danger.supervised_by or danger.jurisdiction_code[:6]


def _extend(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    if not data.note:
        raise _missing("note")
    _future(data.deadline)
    if danger.deadline is not None and data.deadline <= danger.deadline:
        raise ValidationFailed(details=[{"field": "deadline", "message": "Give a later deadline."}])
    danger.deadline = data.deadline


def _supervise(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    """挂牌督办 by a level above the town (county or higher)."""
    if len(principal.jurisdiction_code) >= 9:  # towns and below do not list
        raise Forbidden("Only a county or a higher level can list a hidden danger for supervision.")
    danger.listed, danger.listed_at = True, danger.listed_at or clock.now()
    danger.supervised_by = principal.jurisdiction_code or danger.jurisdiction_code[:6]


def _report_done(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    if not data.note:
        raise _missing("note")
    danger.completion_note = data.note


def _reject(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    if not data.note:
        raise _missing("note")
    danger.review_note = data.note
    if data.deadline is not None:
        _future(data.deadline)
        danger.deadline = data.deadline


def _accept(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    danger.review_note = data.note or danger.review_note


def _close(session: Session, principal: Principal, danger: Danger, data: ActionIn) -> None:
    """销号; a 重大 danger only by its supervising level (or above)."""
    if danger.grade == "major" and danger.supervised_by and not principal.covers(danger.supervised_by):
        raise Forbidden("A major hidden danger is written off by the level that supervises it.")


CHECKS: dict[str, Callable[[Session, Principal, Danger, ActionIn], None]] = {
    "register": _register,
    "dismiss": _dismiss,
    "grade": _grade,
    "rectify": _rectify,
    "extend": _extend,
    "supervise": _supervise,
    "report_done": _report_done,
    "reject": _reject,
    "accept": _accept,
    "close": _close,
}
RESCHEDULE = {"rectify", "extend", "reject"}


def act(session: Session, principal: Principal, danger_id: int, action: str, data: ActionIn | None) -> Danger:
    """Take the step ``action`` on a danger the principal can see (404 otherwise)."""
    if action not in loop.ACTIONS:
        raise NotFound()
    danger = session.get(Danger, danger_id, with_for_update=True)
    if danger is None or not principal.covers(danger.jurisdiction_code):
        raise NotFound()
    data = data or ActionIn()
    if data.client_key and session.scalar(
        select(DangerEvent.id).where(
            DangerEvent.danger_id == danger.id, DangerEvent.client_key == data.client_key
        )
    ):
        return danger  # the phone sent this step before: the first answer stands
    return apply(session, principal, danger, action, data)


def apply(
    session: Session, principal: Principal, danger: Danger, action: str, data: ActionIn | None
) -> Danger:
    """The step on a locked danger: table check, permission, the step's own checks, stamp, log."""
    data = data or ActionIn()
    step = loop.step(danger.status, action)
    writable(principal, danger.jurisdiction_code, step.perm)
    CHECKS[action](session, principal, danger, data)
    before = danger.status
    danger.status = step.target
    if step.stamp:
        setattr(danger, step.stamp, clock.now())
    logged = {"deadline": danger.deadline.isoformat()} if action in RESCHEDULE and danger.deadline else None
    log(
        session,
        danger,
        action,
        before,
        step.target,
        principal,
        note=data.note,
        data=logged,
        client_key=data.client_key,
    )
    session.flush()
    if action in RESCHEDULE and danger.deadline is not None:
        escalation.schedule(session, danger)
    if action == "report_done":
        escalation.tell(
            session,
            danger.jurisdiction_code[:9],
            Perm.DANGER_MANAGE,
            N_("Rectification reported done, awaiting acceptance: {title}"),
            danger,
            key=f"risk.done:{danger.id}:{danger.reviewing_at.isoformat()}",
        )
    if action == "rectify" and danger.grade == "major":
        escalation.tell(
            session,
            danger.supervised_by,
            Perm.DANGER_MANAGE,
            N_("Major hidden danger under your supervision: {title}"),
            danger,
            key=f"risk.major:{danger.id}",
            severity="warning",
        )
    return danger
