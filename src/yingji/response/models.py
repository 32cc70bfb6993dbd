"""Response tables: response levels, the on-site command post, consultations, tasks and their frozen
escalation steps, situation reports, closure (善后) and the investigation and evaluation (调查评估).

Every table carries the incident's ``jurisdiction_code`` so that scope is one indexed range.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.response.codes import AssigneeKind, TaskState

TASK_STATES = tuple(s.value for s in TaskState)
PRIORITIES = ("urgent", "high", "normal", "low")


def _incident_fk() -> Mapped[int]:
    return mapped_column(BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True)


class TaskEscalationPolicy(IdMixin, TimestampMixin, Audited, Base):
    """A jurisdiction's escalation policy for overdue tasks (the nearest ancestor's applies; the
    packaged default otherwise). A task copies the steps when it starts: later edits never reach it."""

    __tablename__ = "escalation_policies"

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    steps: Mapped[list] = mapped_column(JSONType)


class ResponseActivation(IdMixin, TimestampMixin, Audited, Base):
    """One period of a response level (一级 highest … 四级). Adjusting ends the row and starts a new one."""

    __tablename__ = "response_activations"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
        CheckConstraint("ended_how IS NULL OR ended_how IN ('adjusted', 'ended')", name="ended_how"),
    )

    incident_id: Mapped[int] = _incident_fk()
    level: Mapped[int] = mapped_column(SmallInteger)
    plan_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("plans.id"), index=True)  # plan followed
    plan_name: Mapped[str | None] = mapped_column(String(200))  # its title (free text where not registered)
    plan_number: Mapped[str | None] = mapped_column(String(100))  # its document number
    decided_by: Mapped[str] = mapped_column(String(100))  # who decided (name and post)
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_how: Mapped[str | None] = mapped_column(String(10))
    end_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class CommandPost(IdMixin, TimestampMixin, Audited, Base):
    """The on-site command post (现场指挥部) of an incident."""

    __tablename__ = "command_posts"

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    location: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    commander_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    deputy_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    set_up_at: Mapped[datetime] = mapped_column(default=clock.now)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    commander = relationship("Person", foreign_keys=[commander_person_id], lazy="selectin")
    deputy = relationship("Person", foreign_keys=[deputy_person_id], lazy="selectin")
    sections = relationship(
        "CommandSection", back_populates="post", order_by="CommandSection.sort", lazy="selectin"
    )


class CommandSection(IdMixin, Audited, Base):
    """A working group of the command post (综合协调组, 抢险救援组 …) with its lead and members."""

    __tablename__ = "command_sections"
    __table_args__ = (UniqueConstraint("post_id", "name"),)

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("command_posts.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(60))
    lead_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    post = relationship(CommandPost, back_populates="sections")
    lead = relationship("Person", lazy="selectin")
    members = relationship("CommandSectionMember", lazy="selectin", cascade="all, delete-orphan")


class CommandSectionMember(IdMixin, Audited, Base):
    __tablename__ = "command_section_members"
    __table_args__ = (UniqueConstraint("section_id", "person_id"),)

    section_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("command_sections.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("people.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    person = relationship("Person", lazy="selectin")


class Consultation(IdMixin, TimestampMixin, Audited, Base):
    """A consultation meeting (会商): who took part, the minutes and the decisions."""

    __tablename__ = "consultations"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    incident_id: Mapped[int] = _incident_fk()
    seq: Mapped[int] = mapped_column(Integer)
    held_at: Mapped[datetime] = mapped_column()
    topic: Mapped[str] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    video_link: Mapped[str | None] = mapped_column(String(500))
    host: Mapped[str | None] = mapped_column(String(60))  # 主持人
    minutes: Mapped[str | None] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    participants = relationship("ConsultationParticipant", lazy="selectin", cascade="all, delete-orphan")
    decisions = relationship(
        "ConsultationDecision",
        lazy="selectin",
        order_by="ConsultationDecision.seq",
        cascade="all, delete-orphan",
    )


class ConsultationParticipant(IdMixin, Audited, Base):
    """A person, a unit or an expert (from the registry, a person or free text) at a consultation."""

    __tablename__ = "consultation_participants"
    __table_args__ = (CheckConstraint("kind IN ('person', 'unit', 'expert')", name="kind"),)

    consultation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"))
    # an expert taken from the registry (专家库); outside experts stay free text in ``name``
    expert_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("experts.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # shown name (free text for outside experts)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class ConsultationDecision(IdMixin, Audited, Base):
    __tablename__ = "consultation_decisions"
    __table_args__ = (UniqueConstraint("consultation_id", "seq"),)

    consultation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class ResponseTask(IdMixin, TimestampMixin, Audited, Base):
    """A task to a unit, a team or a person: assigned → acknowledged → in_progress → done (or
    cancelled). ``escalation_policy`` is the policy frozen when the task started."""

    __tablename__ = "response_tasks"
    __table_args__ = (
        UniqueConstraint("incident_id", "seq"),
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in TASK_STATES)})", name="state"),
        CheckConstraint(one_of("assignee_kind", AssigneeKind), name="kind"),
        CheckConstraint(f"priority IN ({', '.join(repr(s) for s in PRIORITIES)})", name="priority"),
        Index("ix_response_tasks_state_due", "state", "due_at"),
        Index("ix_response_tasks_jurisdiction_state", "jurisdiction_code", "state"),
    )

    incident_id: Mapped[int] = _incident_fk()
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    assignee_kind: Mapped[str] = mapped_column(String(10))
    assignee_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    assignee_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    assignee_team: Mapped[str | None] = mapped_column(String(120))  # free text until rescue forces exist
    assignee_name: Mapped[str] = mapped_column(String(120))  # shown name, kept as it was at assignment
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default=TaskState.ASSIGNED.value)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()  # done or cancelled
    result: Mapped[str | None] = mapped_column(Text)  # outcome, or why it was cancelled
    source_decision_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("consultation_decisions.id"))
    plan_action_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("plan_actions.id"), index=True)
    escalation_policy: Mapped[dict | None] = mapped_column(JSONType)  # frozen snapshot
    issued_by_code: Mapped[str] = mapped_column(CodeStr)  # the level that issued it
    created_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    client_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    steps = relationship("TaskEscalationStep", order_by="TaskEscalationStep.seq", lazy="selectin")


class TaskEscalationStep(IdMixin, Base):
    """One step of a task's frozen escalation, run by a job at ``due_at``; the job re-checks the task
    under a row lock and skips the step when the task left ``active_states``."""

    __tablename__ = "task_escalation_steps"
    __table_args__ = (
        UniqueConstraint("task_id", "seq"),
        CheckConstraint("state IN ('pending', 'done', 'skipped', 'failed')", name="state"),
        Index("ix_task_escalation_steps_state_due", "state", "due_at"),
    )

    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("response_tasks.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    active_states: Mapped[list] = mapped_column(JSONType)
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default="pending")
    job_id: Mapped[int | None] = mapped_column(BigId)  # no FK: finished jobs are pruned
    repairs: Mapped[int] = mapped_column(Integer, default=0)
    ran_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(300))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class SituationReport(IdMixin, TimestampMixin, Audited, Base):
    """A situation report (情况报告), numbered per incident: conditions, actions, needs."""

    __tablename__ = "situation_reports"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    incident_id: Mapped[int] = _incident_fk()
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    issuing_body: Mapped[str] = mapped_column(String(120))  # 发文机关
    doc_number: Mapped[str] = mapped_column(String(80))  # 发文字号
    signer: Mapped[str | None] = mapped_column(String(60))  # 签发人
    conditions: Mapped[str] = mapped_column(Text)  # 基本情况 / 态势
    actions: Mapped[str] = mapped_column(Text)  # 已采取的措施
    needs: Mapped[str | None] = mapped_column(Text)  # 需要协调解决的问题
    issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    author_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class IncidentClosure(IdMixin, TimestampMixin, Audited, Base):
    """How an incident was closed, and its aftermath (善后)."""

    __tablename__ = "incident_closures"

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    closed_at: Mapped[datetime] = mapped_column(default=clock.now)
    closed_by: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    relocation: Mapped[str | None] = mapped_column(Text)  # 安置
    compensation: Mapped[str | None] = mapped_column(Text)  # 补偿、抚恤
    recovery: Mapped[str | None] = mapped_column(Text)  # 恢复重建
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class IncidentInvestigation(IdMixin, TimestampMixin, Audited, Base):
    """The investigation and evaluation record (调查评估) and, for production-safety accidents, the
    statutory deadline of the investigation report (60 days, at most 60 more)."""

    __tablename__ = "incident_investigations"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'submitted')", name="state"),
        Index("ix_incident_investigations_state_due", "state", "due_at"),
    )

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(10), default="open")
    investigating_level: Mapped[str | None] = mapped_column(String(10))  # county, city, province, national
    lead_body: Mapped[str | None] = mapped_column(String(120))
    original_due_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()  # original + extension
    basis: Mapped[str | None] = mapped_column(String(300))
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_by: Mapped[str | None] = mapped_column(String(100))
    causes: Mapped[str | None] = mapped_column(Text)
    responsibility: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column()
    overdue_notified_at: Mapped[datetime | None] = mapped_column()
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
