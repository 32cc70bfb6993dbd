"""The check and the reward (核查 → 奖励审批 → 发放) of a tip-off.

The amount is the rule's (rules/tipoff_rewards.json, 《安全生产领域举报奖励办法》), computed from
what the check recorded (the penalty, or the deaths concealed and the accident's grade): nobody types
it, and an approval or a payment of another amount is refused. The one who verified may not approve
(two people for every yuan); approving and paying need REWARD_APPROVE in the tip-off's place."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.config import env_float
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, ValidationFailed, YingjiError
from yingji.risk.tipoffs import handling, owners
from yingji.risk.tipoffs.codes import (
    REWARD_MOVES,
    TIPOFF_MOVES,
    VERDICT_STATE,
    RewardState,
    TipoffKind,
    TipoffState,
    Verdict,
)
from yingji.risk.tipoffs.models import Tipoff
from yingji.rules import load

RULES = "tipoff_rewards.json"


class VerifierMayNotApprove(Forbidden):
    code = "verifier_may_not_approve"
    message = "Whoever verified a tip-off may not approve its reward."


class AmountOutsideRule(YingjiError):
    status_code = 422
    code = "amount_outside_rule"
    message = "The reward by the rule is {rule} yuan; {given} yuan is not allowed."


class BadMove(Conflict):
    code = "tipoff_bad_move"
    message = "This step is not possible now ({current} → {wanted})."


def _move(row: Tipoff, attr: str, moves: dict, wanted) -> None:
    current = type(wanted)(getattr(row, attr))
    if wanted not in moves[current]:
        raise BadMove(current=current.value, wanted=wanted.value)
    setattr(row, attr, wanted.value)


def rule_of(kind: str) -> dict:
    return load(RULES)["kinds"][kind]


def amount(row: Tipoff) -> tuple[int, str]:
    """(yuan, how) by the rule of the tip-off's kind from what the check recorded; 0 when none is due."""
    rule = rule_of(row.kind)
    if rule["basis"] == "penalty":
        if not row.penalty_cny:
            return 0, "no penalty recorded"
        raw = round(row.penalty_cny * rule["rate"])
        cny = max(rule["min_cny"], min(rule["max_cny"], raw))
        return cny, f"{rule['rate']:.0%} × {row.penalty_cny} = {raw}, [{rule['min_cny']}, {rule['max_cny']}]"
    if rule["basis"] == "deaths":
        if not row.concealed_deaths or not row.accident_grade:
            return 0, "no concealed deaths recorded"
        per = rule["per_death_cny"][row.accident_grade]
        raw = per * row.concealed_deaths
        return min(rule["max_cny"], raw), f"{per} × {row.concealed_deaths} = {raw}, ≤ {rule['max_cny']}"
    cny = int(env_float(rule["setting"], 0, 0, 100_000))
    return cny, f"{rule['setting']} = {cny}"


def start(session: Session, principal: Principal, tipoff_id: int) -> Tipoff:
    """受理: the check begins; whoever starts it first owns the tip-off if nobody claimed it before."""
    row = handling.get(session, principal, tipoff_id)
    writable(principal, row.jurisdiction_code, Perm.DANGER_MANAGE)
    _move(row, "state", TIPOFF_MOVES, TipoffState.VERIFYING)
    session.flush()
    owners.take(session, principal, row)
    return row


def verify(session: Session, principal: Principal, tipoff_id: int, data) -> Tipoff:
    """核查: the verdict, by whom, the evidence, and what the reward is computed from. A
    substantiated tip-off with a reachable reporter and a rule giving an amount gets its reward
    proposed; otherwise it is closed."""
    row = handling.get(session, principal, tipoff_id)
    writable(principal, row.jurisdiction_code, Perm.DANGER_MANAGE)
    verdict = Verdict(data.verdict)
    problems = []
    if not (data.evidence or "").strip():
        problems.append({"field": "evidence", "message": "Name the evidence of the check."})
    concealed = row.kind in (TipoffKind.CONCEALMENT, TipoffKind.FALSE_REPORT)
    # the concealment rule pays per death by the accident's grade: both are part of the finding
    if verdict is not Verdict.FALSE and concealed and not (data.concealed_deaths and data.accident_grade):
        message = "Give the deaths concealed and the accident's grade."
        problems.append({"field": "concealed_deaths", "message": message})
    if problems:
        raise ValidationFailed(details=problems)
    _move(row, "state", TIPOFF_MOVES, VERDICT_STATE[verdict])
    now = clock.now()
    row.verdict = verdict.value
    row.verified_by_user_id = principal.user_id
    row.verified_by_name = principal.display_name
    row.verified_at = now
    row.verification_note = data.note
    row.evidence = data.evidence
    row.penalty_cny = data.penalty_cny
    row.concealed_deaths = data.concealed_deaths
    row.accident_grade = data.accident_grade
    cny, how = amount(row) if verdict is not Verdict.FALSE else (0, "")
    if cny > 0 and row.has_contact:
        _move(row, "reward_state", REWARD_MOVES, RewardState.PROPOSED)
        row.reward_cny, row.reward_basis = cny, how[:300]
    else:
        _move(row, "state", TIPOFF_MOVES, TipoffState.CLOSED)
        row.closed_at = now
    session.flush()
    return row


def _for_reward(session: Session, principal: Principal, tipoff_id: int) -> Tipoff:
    row = handling.get(session, principal, tipoff_id)
    writable(principal, row.jurisdiction_code, Perm.REWARD_APPROVE)
    if principal.user_id is not None and principal.user_id == row.verified_by_user_id:
        raise VerifierMayNotApprove()
    return row


def _same_amount(row: Tipoff, given: int) -> None:
    if given != row.reward_cny:
        raise AmountOutsideRule(rule=row.reward_cny, given=given)


def approve(session: Session, principal: Principal, tipoff_id: int, amount_cny: int) -> Tipoff:
    """审批: the approver confirms the rule's amount (any other is refused)."""
    row = _for_reward(session, principal, tipoff_id)
    _move(row, "reward_state", REWARD_MOVES, RewardState.APPROVED)
    _same_amount(row, amount_cny)
    row.approved_by_user_id = principal.user_id
    row.approved_by_name = principal.display_name
    row.approved_at = clock.now()
    session.flush()
    return row


def refuse(session: Session, principal: Principal, tipoff_id: int, reason: str) -> Tipoff:
    row = _for_reward(session, principal, tipoff_id)
    if not (reason or "").strip():
        raise ValidationFailed(details=[{"field": "reason", "message": "Give the reason."}])
    _move(row, "reward_state", REWARD_MOVES, RewardState.REFUSED)
    _move(row, "state", TIPOFF_MOVES, TipoffState.CLOSED)
    row.refusal_reason = reason
    row.approved_by_user_id = principal.user_id
    row.approved_by_name = principal.display_name
    row.approved_at = row.closed_at = clock.now()
    session.flush()
    return row


def pay(session: Session, principal: Principal, tipoff_id: int, data) -> Tipoff:
    """发放: amount (the approved one), date (not ahead of today), method and receipt number."""
    row = _for_reward(session, principal, tipoff_id)
    _move(row, "reward_state", REWARD_MOVES, RewardState.PAID)
    _same_amount(row, data.amount_cny)
    if data.paid_on > clock.to_local(clock.now()).date():
        raise ValidationFailed(details=[{"field": "paid_on", "message": "The date is in the future."}])
    _move(row, "state", TIPOFF_MOVES, TipoffState.CLOSED)
    row.paid_cny = data.amount_cny
    row.paid_on = data.paid_on
    row.pay_method = data.method
    row.pay_receipt = data.receipt
    row.paid_by_user_id = principal.user_id
    row.closed_at = clock.now()
    session.flush()
    return row


def today() -> date:
    return clock.to_local(clock.now()).date()
