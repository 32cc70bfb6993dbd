"""The tip-off row (举报): every kind, its check and its reward. A hidden-danger tip-off also opens a
danger in the loop (``danger_id``); the other kinds are not dangers and live here alone. The
reporter's contact is kept sealed (``sealed``) for the reward only, never in the audit snapshots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr
from yingji.risk.tipoffs.codes import AccidentGrade, PayMethod, RewardState, TipoffKind, TipoffState, Verdict


class Tipoff(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "risk_tipoffs"
    __audit_exclude__ = frozenset({"contact_sealed", "contact_hash"})
    __table_args__ = (
        CheckConstraint(one_of("kind", [k.value for k in TipoffKind]), name="kind"),
        CheckConstraint(one_of("state", [s.value for s in TipoffState]), name="state"),
        CheckConstraint(
            "verdict IS NULL OR " + one_of("verdict", [v.value for v in Verdict]), name="verdict"
        ),
        CheckConstraint(one_of("reward_state", [r.value for r in RewardState]), name="reward_state"),
        CheckConstraint(
            "pay_method IS NULL OR " + one_of("pay_method", [m.value for m in PayMethod]), name="pay_method"
        ),
        CheckConstraint(
            "accident_grade IS NULL OR " + one_of("accident_grade", [g.value for g in AccidentGrade]),
            name="accident_grade",
        ),
        CheckConstraint("reward_cny IS NULL OR reward_cny >= 0", name="reward_cny"),
        CheckConstraint("paid_cny IS NULL OR paid_cny >= 0", name="paid_cny"),
        Index("ix_risk_tipoffs_scope_month", "jurisdiction_code", "received_month"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    unit_named: Mapped[str | None] = mapped_column(String(200))  # the enterprise or unit reported
    danger_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_dangers.id"), index=True)
    public_ref: Mapped[str] = mapped_column(String(16), unique=True)  # the reporter's receipt code
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(14), default=TipoffState.RECEIVED.value)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    received_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, Asia/Shanghai
    # the reporter: sealed (authenticated encryption with the app secret); the keyed hash finds the
    # first reporter of a matter without opening anything
    has_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_sealed: Mapped[str | None] = mapped_column(Text)
    contact_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # 核查
    verdict: Mapped[str | None] = mapped_column(String(8))
    verified_by_user_id: Mapped[int | None] = mapped_column(BigId)
    verified_by_name: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column()
    verification_note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)  # documents, penalty decision no., photos' refs
    penalty_cny: Mapped[int | None] = mapped_column(Integer)  # 行政处罚金额 (penalty-based rewards)
    concealed_deaths: Mapped[int | None] = mapped_column(Integer)  # 查实瞒报谎报死亡人数
    accident_grade: Mapped[str | None] = mapped_column(String(16))
    # 举报奖励
    reward_state: Mapped[str] = mapped_column(String(10), default=RewardState.NONE.value)
    reward_cny: Mapped[int | None] = mapped_column(Integer)
    reward_basis: Mapped[str | None] = mapped_column(String(300))  # how the rule gave the amount
    approved_by_user_id: Mapped[int | None] = mapped_column(BigId)
    approved_by_name: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column()
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    paid_cny: Mapped[int | None] = mapped_column(Integer)
    paid_on: Mapped[date | None] = mapped_column(Date)
    pay_method: Mapped[str | None] = mapped_column(String(8))
    pay_receipt: Mapped[str | None] = mapped_column(String(60))
    paid_by_user_id: Mapped[int | None] = mapped_column(BigId)
    closed_at: Mapped[datetime | None] = mapped_column()


__all__ = ["Tipoff"]
