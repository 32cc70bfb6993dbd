"""倒损住房恢复重建: one case per household through ``codes.REBUILD_MOVES`` (条例 第二十条: apply →
village review → notice in the natural village → town check → county approval; then building,
acceptance and funds, 第十九条). ``codes.STEP_LEVEL`` says at which level each step is taken; every
step is a ``RebuildStep`` row (append-only) with its note. A case starts from a damaged house of the
damage statistics when there is one (read only), or typed in."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.aid import labels, notices
from yingji.aid.access import check_step, id_parts, may_step
from yingji.aid.codes import REBUILD_MOVES, STEP_LEVEL, RebuildMode, RebuildState
from yingji.aid.models import RebuildCase, RebuildStep
from yingji.aid.schemas import CaseIn, PaymentIn, ProgressIn, StepIn
from yingji.auth import audit
from yingji.auth.scope import Principal, in_scope, visible
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.damage.models import DamagedHouse

CLOSED = (RebuildState.REJECTED.value, RebuildState.WITHDRAWN.value)
# A rejection or withdrawal is taken by whoever would take the next step.
NEXT_REVIEW = {
    RebuildState.APPLIED: RebuildState.VILLAGE_REVIEWED,
    RebuildState.VILLAGE_REVIEWED: RebuildState.NOTICE,
    RebuildState.NOTICE: RebuildState.TOWN_CHECKED,
    RebuildState.TOWN_CHECKED: RebuildState.COUNTY_APPROVED,
}
TOLERANCE = 0.005


class BadStep(Conflict):
    code = "bad_step"
    message = "This case cannot move from “{from_}” to “{to}”."


class CaseOpen(Conflict):
    code = "rebuild_case_open"
    message = "This household already has an open rebuilding case ({code})."


class NoticeRunning(Conflict):
    code = "notice_running"
    message = "The public notice runs until {until}; give an override note to go on before it ends."


class ObjectionsOpen(Conflict):
    code = "objections_open"
    message = "{count} objections are not answered yet."


class OverGrant(Conflict):
    code = "rebuild_over_grant"
    message = "Payments would reach {total} yuan against a grant of {grant} yuan; give an override note."


class NotBuilding(Conflict):
    code = "rebuild_not_now"
    message = "The case is at “{state}”: this cannot be done now."


def get(session: Session, principal: Principal, case_id: int) -> RebuildCase:
    return visible(principal, session.get(RebuildCase, case_id))


def level_of(case: RebuildCase, to: RebuildState) -> str:
    if to in (RebuildState.REJECTED, RebuildState.WITHDRAWN):
        nxt = NEXT_REVIEW.get(RebuildState(case.state))
        return STEP_LEVEL[nxt] if nxt is not None else "county"
    if case.state == RebuildState.NOTICE.value and to == RebuildState.VILLAGE_REVIEWED:
        return "village"
    return STEP_LEVEL[to]


def create(session: Session, principal: Principal, data: CaseIn) -> RebuildCase:
    """A household's application (or its group's nomination), from a damaged house or typed in."""
    if data.damaged_house_id is not None:
        house = visible(principal, session.get(DamagedHouse, data.damaged_house_id))
        values = {
            "damaged_house_id": house.id,
            "event_id": house.event_id,
            "jurisdiction_code": house.jurisdiction_code,
            "household": house.household,
            "head_name": house.head_name,
            "head_id_tail": house.id_tail,
            "head_phone": house.mobile,
            "degree": house.degree,
            "rooms": house.rooms,
        }
    else:
        if len(data.jurisdiction_code) < 12:
            raise ValidationFailed.on("jurisdiction_code", N_("Give the household's village or group."))
        values = {
            "event_id": data.event_id,
            "jurisdiction_code": data.jurisdiction_code,
            "household": data.household or data.head_name,
            "head_name": data.head_name,
            "head_id_tail": id_parts(data.id_number)[1],
            "head_phone": data.head_phone,
            "degree": data.degree,
            "rooms": data.rooms or 1,
        }
    if data.head_phone:
        values["head_phone"] = data.head_phone
    check_step(principal, values["jurisdiction_code"], "village")
    open_code = session.scalar(
        select(RebuildCase.code).where(
            RebuildCase.jurisdiction_code == values["jurisdiction_code"],
            RebuildCase.household == values["household"],
            RebuildCase.state.not_in(CLOSED),
        )
    )
    if open_code:
        raise CaseOpen(code=open_code)
    mode = data.mode or (RebuildMode.REPAIR if values["degree"] == "general" else RebuildMode.REBUILD)
    prefix = f"CJ{values['jurisdiction_code'][:9]}-"
    n = session.scalar(select(func.count()).where(RebuildCase.code.startswith(prefix))) or 0
    case = RebuildCase(
        code=f"{prefix}{n + 1:04d}",
        **values,
        mode=mode.value,
        nominated=data.nominated,
        state=RebuildState.APPLIED.value,
        paid_yuan=0,
        progress_pct=0,
        note=data.note,
    )
    session.add(case)
    session.flush()
    _step(
        session, principal, case, None, RebuildState.APPLIED.value, data.note, {"nominated": data.nominated}
    )
    return case


def _step(session, principal, case, from_state, to_state, note, data=None) -> RebuildStep:
    step = RebuildStep(
        case_id=case.id,
        from_state=from_state,
        to_state=to_state,
        at=clock.now(),
        user_id=principal.user_id,
        note=note,
        data=data or {},
        jurisdiction_code=case.jurisdiction_code,
    )
    session.add(step)
    session.flush()
    return step


def move(session: Session, principal: Principal, case_id: int, data: StepIn) -> RebuildCase:
    case = get(session, principal, case_id)
    here, to = RebuildState(case.state), data.to
    if to not in REBUILD_MOVES[here]:
        raise BadStep(
            from_=labels.label(labels.REBUILD_LABELS, here), to=labels.label(labels.REBUILD_LABELS, to)
        )
    check_step(principal, case.jurisdiction_code, level_of(case, to))
    extra: dict = {}
    if to == RebuildState.REJECTED:
        if not data.reason:
            raise ValidationFailed.on("reason", N_("Give the reason of the rejection."))
        case.reason = data.reason
        extra["reason"] = data.reason
    if here == RebuildState.NOTICE and to == RebuildState.TOWN_CHECKED:
        extra |= _notice_done(session, case, data.override_note)
    if to == RebuildState.NOTICE:
        extra["notice_id"] = notices.post_for_case(session, principal, case).id
    if to == RebuildState.COUNTY_APPROVED:
        if data.grant_yuan is None:
            raise ValidationFailed.on("grant_yuan", N_("Give the approved grant."))
        case.grant_yuan = round(data.grant_yuan, 2)
        extra["grant_yuan"] = case.grant_yuan
    if to == RebuildState.BUILDING:
        case.started_on = data.started_on or clock.to_local(clock.now()).date()
        extra["started_on"] = case.started_on.isoformat()
    if to == RebuildState.ACCEPTED:
        case.finished_on = data.finished_on or clock.to_local(clock.now()).date()
        case.progress_pct = 100
        extra["finished_on"] = case.finished_on.isoformat()
    if to == RebuildState.FUNDED and case.paid_yuan + TOLERANCE < (case.grant_yuan or 0):
        if not data.override_note:
            raise OverGrant(total=case.paid_yuan, grant=case.grant_yuan)
        extra["override"] = data.override_note
        _override(session, case, "funded_below_grant", data.override_note)
    case.state = to.value
    session.flush()
    _step(session, principal, case, here.value, to.value, data.note, extra)
    return case


def _notice_done(session: Session, case: RebuildCase, override_note: str | None) -> dict:
    notice = notices.latest_of_case(session, case.id)
    if (count := notices.unanswered(notice)) > 0:
        raise ObjectionsOpen(count=count)
    if notice is not None and notice.until >= clock.to_local(clock.now()).date():
        if not override_note:
            raise NoticeRunning(until=notice.until.isoformat())
        _override(session, case, "notice_period", override_note)
        return {"override": override_note}
    return {}


def _override(session: Session, case: RebuildCase, rule: str, note: str) -> None:
    audit.record(
        session,
        "override",
        "rebuild_cases",
        case.id,
        jurisdiction_code=case.jurisdiction_code,
        after={"rule": rule, "state": case.state},
        note=note,
    )


def step_back(session: Session, principal: Principal, case: RebuildCase, note: str) -> None:
    """An upheld objection during the notice: back to the village's review (a step of its own)."""
    here = case.state
    case.state = RebuildState.VILLAGE_REVIEWED.value
    session.flush()
    _step(session, principal, case, here, case.state, note, {"objection_upheld": True})


def set_progress(session: Session, principal: Principal, case_id: int, data: ProgressIn) -> RebuildCase:
    case = get(session, principal, case_id)
    check_step(principal, case.jurisdiction_code, "village")
    if case.state != RebuildState.BUILDING.value:
        raise NotBuilding(state=labels.label(labels.REBUILD_LABELS, case.state))
    before = case.progress_pct
    case.progress_pct = data.progress_pct
    session.flush()
    _step(
        session,
        principal,
        case,
        case.state,
        case.state,
        data.note,
        {"progress_pct": [before, data.progress_pct]},
    )
    return case


def pay(session: Session, principal: Principal, case_id: int, data: PaymentIn) -> RebuildCase:
    """A payment of the grant (county): the sum stays within the grant unless an override note is given."""
    case = get(session, principal, case_id)
    check_step(principal, case.jurisdiction_code, "county")
    if case.state not in (
        RebuildState.COUNTY_APPROVED.value,
        RebuildState.BUILDING.value,
        RebuildState.ACCEPTED.value,
    ):
        raise NotBuilding(state=labels.label(labels.REBUILD_LABELS, case.state))
    total = round(case.paid_yuan + data.amount_yuan, 2)
    extra = {"amount_yuan": data.amount_yuan, "paid_yuan": total}
    if total > (case.grant_yuan or 0) + TOLERANCE:
        if not data.override_note:
            raise OverGrant(total=total, grant=case.grant_yuan or 0)
        extra["override"] = data.override_note
        _override(session, case, "payment_over_grant", data.override_note)
    case.paid_yuan = total
    session.flush()
    _step(session, principal, case, case.state, case.state, data.note, extra)
    return case


# -- reading ----------------------------------------------------------------------------------
def search(
    session: Session,
    principal: Principal,
    *,
    state: str | None = None,
    within: str | None = None,
    q: str = "",
) -> list[RebuildCase]:
    stmt = select(RebuildCase).where(in_scope(RebuildCase.jurisdiction_code, principal))
    if within:
        stmt = stmt.where(RebuildCase.jurisdiction_code.startswith(within))
    if state:
        stmt = stmt.where(RebuildCase.state == state)
    if q:
        stmt = stmt.where(RebuildCase.head_name.contains(q))
    return list(session.scalars(stmt.order_by(RebuildCase.id.desc()).limit(1000)))


def steps_of(session: Session, case_id: int) -> list[RebuildStep]:
    return list(
        session.scalars(select(RebuildStep).where(RebuildStep.case_id == case_id).order_by(RebuildStep.id))
    )


def next_steps(principal: Principal, case: RebuildCase) -> list[dict]:
    """The moves the principal may take now (for the form), each with its level and legal basis."""
    out = []
    for to in sorted(REBUILD_MOVES[RebuildState(case.state)], key=lambda s: list(RebuildState).index(s)):
        level = level_of(case, to)
        if not may_step(principal, case.jurisdiction_code, level):
            continue
        basis = labels.step_basis(to.value) or {}
        out.append(
            {
                "to": to.value,
                "label": labels.label(labels.REBUILD_LABELS, to),
                "level": level,
                "level_label": labels.label(labels.LEVEL_LABELS, level),
                "basis": f"{basis.get('law', '')} {basis.get('article', '')}".strip(),
            }
        )
    return out


def outs(session: Session, principal: Principal, cases: list[RebuildCase]) -> list[dict]:
    from yingji.auth.scope import mask_phone
    from yingji.org import places

    names = places.names(session, {c.jurisdiction_code[:12] for c in cases})
    return [
        {
            "id": c.id,
            "code": c.code,
            "event_id": c.event_id,
            "damaged_house_id": c.damaged_house_id,
            "jurisdiction_code": c.jurisdiction_code,
            "village_name": names.get(c.jurisdiction_code[:12]),
            "household": c.household,
            "head_name": c.head_name,
            "head_id_tail": c.head_id_tail,
            "head_phone": mask_phone(c.head_phone, principal),
            "degree": c.degree,
            "degree_label": labels.label(labels.DEGREE_LABELS, c.degree),
            "mode": c.mode,
            "mode_label": labels.label(labels.MODE_LABELS, c.mode),
            "rooms": c.rooms,
            "nominated": c.nominated,
            "state": c.state,
            "state_label": labels.label(labels.REBUILD_LABELS, c.state),
            "moves": sorted(m.value for m in REBUILD_MOVES[RebuildState(c.state)]),
            "grant_yuan": c.grant_yuan,
            "paid_yuan": c.paid_yuan,
            "progress_pct": c.progress_pct,
            "started_on": c.started_on,
            "finished_on": c.finished_on,
            "reason": c.reason,
            "note": c.note,
        }
        for c in cases
    ]
