"""Work-task tables (seed 002's 任务措施清单和责任分解表; RULES2 §12.3).

- ``gov_plans``: a task plan (任务分解) of a jurisdiction's bureau for a year, with its document number.
- ``gov_tasks``: its tasks (工作任务, 序号 1…8 in seed 002).
- ``gov_measures``: each task's measures (工作举措 with their 可供检验的工作成果), a deadline date or
  长期坚持 with a reporting period, a state through ``codes.MEASURE_MOVES``.
- ``gov_plan_units``: the units (股室) named in the plan, each with its head (责任人), liaison (联络人)
  and the leader in charge (分管领导) who signs its year-end summary.
- ``gov_measure_units``: which units carry which measure (牵头 / 配合), with the original wording
  ("局各股室、二级机构" expanded into rows, each keeping that wording).
- ``gov_reports`` and ``gov_evidence``: progress reports (idempotent by client key) and their files:
  together a measure's ledger (工作台账).
- ``gov_notices``: reminders (催办) and supervision notices (督办, 蓝/橙/红), answered and closed.
- ``gov_summaries``: the year-end summary of a unit for a plan, signed by its head and leader.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, UTCDateTime
from yingji.governance.codes import (
    DeadlineKind,
    MeasureState,
    NoticeKind,
    NoticeLevel,
    NoticeState,
    Period,
    PlanState,
    UnitRole,
)


class TaskPlan(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "gov_plans"
    __table_args__ = (
        CheckConstraint(one_of("state", PlanState), name="state"),
        CheckConstraint(one_of("report_period", Period), name="report_period"),
        Index("ix_gov_plans_scope_year", "jurisdiction_code", "year"),
    )

    year: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    doc_no: Mapped[str | None] = mapped_column(String(80))  # 文号
    issuer: Mapped[str] = mapped_column(String(120))  # 发文单位, as written
    issuer_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"))
    issued_on: Mapped[date | None] = mapped_column(Date)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    report_period: Mapped[str] = mapped_column(String(10), default=Period.MONTH.value)
    state: Mapped[str] = mapped_column(String(8), default=PlanState.ACTIVE.value)
    summary_due: Mapped[date | None] = mapped_column(Date)  # 12月上旬 in seed 002
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class PlanTask(IdMixin, Audited, Base):
    __tablename__ = "gov_tasks"
    __table_args__ = (UniqueConstraint("plan_id", "seq", name="uq_gov_tasks_plan_seq"),)

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(300))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class Measure(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "gov_measures"
    __table_args__ = (
        CheckConstraint(one_of("state", MeasureState), name="state"),
        CheckConstraint(one_of("deadline_kind", DeadlineKind), name="deadline_kind"),
        CheckConstraint(one_of("period", Period), name="period"),
        UniqueConstraint("task_id", "seq", name="uq_gov_measures_task_seq"),
        Index("ix_gov_measures_plan_state", "plan_id", "state"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_tasks.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(SmallInteger)
    label: Mapped[str | None] = mapped_column(String(12))  # the numbering as written: (1), 1., 1、
    text: Mapped[str] = mapped_column(Text)  # 工作举措（含可供检验的工作成果）
    deadline_kind: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str | None] = mapped_column(String(40))  # as written: 2024年12月, 长期坚持
    period: Mapped[str] = mapped_column(String(10), default=Period.MONTH.value)
    urgent: Mapped[bool] = mapped_column(default=False)  # 急件: a 督办 starts at orange (RULES2 §12.3)
    state: Mapped[str] = mapped_column(String(8), default=MeasureState.PENDING.value)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class PlanUnit(IdMixin, Audited, Base):
    __tablename__ = "gov_plan_units"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id", name="uq_gov_plan_units"),)

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    head_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))  # 责任人
    liaison_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))  # 联络人
    leader_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))  # 分管领导
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class MeasureUnit(IdMixin, Audited, Base):
    __tablename__ = "gov_measure_units"
    __table_args__ = (
        CheckConstraint(one_of("role", UnitRole), name="role"),
        UniqueConstraint("measure_id", "unit_id", name="uq_gov_measure_units"),
    )

    measure_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_measures.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(4), default=UnitRole.LEAD.value)
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))  # 责任人
    liaison_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))  # 联络人
    wording: Mapped[str | None] = mapped_column(String(120))  # 责任股室 as written
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class ProgressReport(IdMixin, Audited, Base):
    __tablename__ = "gov_reports"
    __table_args__ = (
        UniqueConstraint("client_key", name="uq_gov_reports_client_key"),
        Index("ix_gov_reports_measure_period", "measure_id", "unit_id", "period_key"),
    )

    measure_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_measures.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id"))
    period_key: Mapped[str] = mapped_column(String(10))  # 2026-03, 2026-Q1, 2026-H1, 2026
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int | None] = mapped_column(SmallInteger)
    finished: Mapped[bool] = mapped_column(default=False)  # the unit says the measure is done
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    by_user: Mapped[int | None] = mapped_column(BigId)
    client_key: Mapped[str | None] = mapped_column(String(64))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class TaskEvidence(IdMixin, Audited, Base):
    """A file of the ledger: of a progress report or of a year-end summary (by content hash)."""

    __tablename__ = "gov_evidence"
    __table_args__ = (
        CheckConstraint("kind IN ('photo', 'document')", name="kind"),
        CheckConstraint("(report_id IS NULL) <> (summary_id IS NULL)", name="owner"),
    )

    report_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("gov_reports.id", ondelete="CASCADE"), index=True
    )
    summary_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("gov_summaries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class Notice(IdMixin, Audited, Base):
    __tablename__ = "gov_notices"
    __table_args__ = (
        CheckConstraint(one_of("kind", NoticeKind), name="kind"),
        CheckConstraint(one_of("level", NoticeLevel), name="level"),
        CheckConstraint(one_of("state", NoticeState), name="state"),
        # One notice per measure, unit, period, kind and colour: a repeated sweep writes nothing twice.
        UniqueConstraint("measure_id", "unit_id", "period_key", "kind", "level", name="uq_gov_notices_slot"),
        Index("ix_gov_notices_scope_state", "jurisdiction_code", "state"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_measures.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10), default=NoticeState.OPEN.value)
    period_key: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_by: Mapped[int | None] = mapped_column(BigId)  # None: the sweep
    reply_due: Mapped[date | None] = mapped_column(Date)
    previous_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("gov_notices.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(BigId)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(BigId)
    close_note: Mapped[str | None] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class YearSummary(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "gov_summaries"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id", name="uq_gov_summaries_plan_unit"),)

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("gov_plans.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[int | None] = mapped_column(BigId)
    head_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    head_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    head_user_id: Mapped[int | None] = mapped_column(BigId)
    leader_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    leader_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leader_user_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    @property
    def locked(self) -> bool:
        return self.head_signed_at is not None and self.leader_signed_at is not None
