"""Code tables of tip-offs (举报): the kinds seed 002 names beside the hidden danger, the handling
states, the verdict of the check (核查), the reward's steps (举报奖励), each transition table beside
its enum."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_

OWNER_KIND = "tipoff"  # its kind in ``ownership`` (首接负责制)


class TipoffKind(StrEnum):
    HIDDEN_DANGER = "hidden_danger"  # 事故隐患 (the public channel's original kind)
    MAJOR_DANGER = "major_danger"  # 重大事故隐患
    ILLEGAL_OPERATION = "illegal_operation"  # 非法违法生产经营(建设)
    CONCEALMENT = "concealment"  # 事故瞒报
    FALSE_REPORT = "false_report"  # 事故谎报


# Only hidden dangers enter the dangers table (and its loop); the others are no danger to rectify
# but a breach to investigate, and live in the tip-off row alone.
DANGER_KINDS = frozenset({TipoffKind.HIDDEN_DANGER, TipoffKind.MAJOR_DANGER})
# The kinds the one-vote veto reads (a unit that hid or falsified an accident).
CONCEALMENT_KINDS = frozenset({TipoffKind.CONCEALMENT, TipoffKind.FALSE_REPORT})

KIND_LABELS = {
    TipoffKind.HIDDEN_DANGER: N_("Hidden danger"),
    TipoffKind.MAJOR_DANGER: N_("Major hidden danger"),
    TipoffKind.ILLEGAL_OPERATION: N_("Illegal production or operation"),
    TipoffKind.CONCEALMENT: N_("Concealed accident"),
    TipoffKind.FALSE_REPORT: N_("Falsely reported accident"),
}


class TipoffState(StrEnum):
    RECEIVED = "received"  # 受理 pending
    VERIFYING = "verifying"  # 核查中
    SUBSTANTIATED = "substantiated"  # 属实 or 部分属实 (the verdict says which)
    UNFOUNDED = "unfounded"  # 不属实
    CLOSED = "closed"  # handled: the reward paid, refused or not due


TIPOFF_MOVES: dict[TipoffState, frozenset[TipoffState]] = {
    TipoffState.RECEIVED: frozenset({TipoffState.VERIFYING}),
    TipoffState.VERIFYING: frozenset({TipoffState.SUBSTANTIATED, TipoffState.UNFOUNDED}),
    TipoffState.SUBSTANTIATED: frozenset({TipoffState.CLOSED}),
    TipoffState.UNFOUNDED: frozenset({TipoffState.CLOSED}),
    TipoffState.CLOSED: frozenset(),
}

STATE_LABELS = {
    TipoffState.RECEIVED: N_("Received"),
    TipoffState.VERIFYING: N_("Being verified"),
    TipoffState.SUBSTANTIATED: N_("Substantiated"),
    TipoffState.UNFOUNDED: N_("Unfounded"),
    TipoffState.CLOSED: N_("Closed"),
}


class Verdict(StrEnum):
    TRUE = "true"  # 属实
    PARTLY = "partly"  # 部分属实
    FALSE = "false"  # 不属实


VERDICT_STATE = {
    Verdict.TRUE: TipoffState.SUBSTANTIATED,
    Verdict.PARTLY: TipoffState.SUBSTANTIATED,
    Verdict.FALSE: TipoffState.UNFOUNDED,
}
VERDICT_LABELS = {Verdict.TRUE: N_("True"), Verdict.PARTLY: N_("Partly true"), Verdict.FALSE: N_("Not true")}


class RewardState(StrEnum):
    NONE = "none"  # no reward due (not substantiated, anonymous, or the rule gives nothing)
    PROPOSED = "proposed"  # amount computed by the rule after the check, waiting for approval
    APPROVED = "approved"  # 审批: by a REWARD_APPROVE holder who did not verify
    REFUSED = "refused"  # not approved, with the reason
    PAID = "paid"  # 发放: amount, date, method, receipt


REWARD_MOVES: dict[RewardState, frozenset[RewardState]] = {
    RewardState.NONE: frozenset({RewardState.PROPOSED}),
    RewardState.PROPOSED: frozenset({RewardState.APPROVED, RewardState.REFUSED}),
    RewardState.APPROVED: frozenset({RewardState.PAID}),
    RewardState.REFUSED: frozenset(),
    RewardState.PAID: frozenset(),
}

REWARD_LABELS = {
    RewardState.NONE: N_("No reward"),
    RewardState.PROPOSED: N_("Reward proposed"),
    RewardState.APPROVED: N_("Reward approved"),
    RewardState.REFUSED: N_("Reward refused"),
    RewardState.PAID: N_("Reward paid"),
}


class PayMethod(StrEnum):
    BANK = "bank"  # 银行转账
    CASH = "cash"  # 现金 (against a signed receipt)
    MOBILE = "mobile"  # 移动支付


PAY_LABELS = {
    PayMethod.BANK: N_("Bank transfer"),
    PayMethod.CASH: N_("Cash"),
    PayMethod.MOBILE: N_("Mobile payment"),
}


class AccidentGrade(StrEnum):
    """The accident's grade as finally confirmed (the concealment reward is per person by grade)."""

    GENERAL = "general"  # 一般
    LARGER = "larger"  # 较大
    MAJOR = "major"  # 重大
    ESPECIALLY_MAJOR = "especially_major"  # 特别重大


GRADE_LABELS = {
    AccidentGrade.GENERAL: N_("General accident"),
    AccidentGrade.LARGER: N_("Larger accident"),
    AccidentGrade.MAJOR: N_("Major accident"),
    AccidentGrade.ESPECIALLY_MAJOR: N_("Especially major accident"),
}


def label(table: dict, value) -> str:
    return table.get(value, str(value or ""))
