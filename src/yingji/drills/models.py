"""Drill tables: the drill (with its 双盲 flags) and the plans it exercises. Participants, records,
evaluation, injects and measurements are added beside these by their services.

Every table carries ``jurisdiction_code`` so that scope is one indexed range.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import yingji.plans.models  # noqa: F401
from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.drills.codes import DrillForm, DrillPurpose, DrillScope, DrillState
from yingji.drills.exercise_codes import InjectKind, InjectState, Metric, Outcome


def _in(column: str, enum) -> str:
    return f"{column} IN ({', '.join(repr(e.value) for e in enum)})"


class Drill(IdMixin, TimestampMixin, Audited, Base):
    """A drill of the jurisdiction's yearly drill plan. ``notice_time`` / ``notice_scenario`` false
    both = 双盲 (players told neither when nor what)."""

    __tablename__ = "drills"
    __table_args__ = (
        CheckConstraint(_in("form", DrillForm), name="form"),
        CheckConstraint(_in("scope", DrillScope), name="scope"),
        CheckConstraint(_in("purpose", DrillPurpose), name="purpose"),
        CheckConstraint(_in("state", DrillState), name="state"),
        Index("ix_drills_scope_year", "jurisdiction_code", "year"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    year: Mapped[int] = mapped_column(Integer)  # the yearly drill plan it belongs to
    title: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(12))
    scope: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16), default=DrillPurpose.TEST.value)
    notice_time: Mapped[bool] = mapped_column(Boolean, default=True)  # players told when
    notice_scenario: Mapped[bool] = mapped_column(Boolean, default=True)  # players told what
    scenario: Mapped[str | None] = mapped_column(Text)  # hidden from players while the drill is blind
    planned_on: Mapped[date | None] = mapped_column(Date)
    starts_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    place: Mapped[str | None] = mapped_column(String(200))
    organiser_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=DrillState.PLANNED.value)
    note: Mapped[str | None] = mapped_column(Text)

    plans = relationship("DrillPlan", lazy="selectin", cascade="all, delete-orphan")

    @property
    def double_blind(self) -> bool:
        return not self.notice_time and not self.notice_scenario


class DrillPlan(IdMixin, Audited, Base):
    """A plan exercised by the drill (a comprehensive drill may exercise several)."""

    __tablename__ = "drill_plans"
    __table_args__ = (UniqueConstraint("drill_id", "plan_id"),)

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    plan = relationship("Plan", lazy="joined")


# -- drills (participants, records, evaluation, the yearly plan) ---------------------------------
class DrillProgramme(IdMixin, TimestampMixin, Audited, Base):
    """The yearly drill plan (年度应急演练计划) of a jurisdiction: its drills are the jurisdiction's
    drills of that year; the plan itself is drafted, then approved (and from then on reported)."""

    __tablename__ = "drill_programmes"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "year"),
        CheckConstraint("state IN ('draft', 'approved')", name="state"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(120))  # who signed it, as printed
    note: Mapped[str | None] = mapped_column(Text)


class DrillParticipant(IdMixin, Audited, Base):
    """Who took part: a unit, a rescue team or a person (from the registries), or a free-text name
    for outsiders; ``role`` says how (参演, 导调, 评估, 观摩); ``headcount`` how many people."""

    __tablename__ = "drill_participants"
    __table_args__ = (
        CheckConstraint("kind IN ('unit', 'team', 'person', 'other')", name="kind"),
        CheckConstraint("role IN ('player', 'director', 'evaluator', 'observer')", name="role"),
        CheckConstraint("headcount >= 0", name="headcount"),
    )

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("teams.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # the registry's name when added, or the outsider's
    role: Mapped[str] = mapped_column(String(10), default="player")
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the drill's


class DrillRecord(IdMixin, Audited, Base):
    """A photo or document of the drill (方案, 脚本, 签到表, 总结, 评估报告 scans), kept by content
    hash under the upload directory; the same file twice is one row."""

    __tablename__ = "drill_records"
    __table_args__ = (
        UniqueConstraint("drill_id", "sha256"),
        CheckConstraint("kind IN ('photo', 'document')", name="kind"),
    )

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(80))
    extension: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class DrillEvaluation(IdMixin, TimestampMixin, Audited, Base):
    """The 评估报告 of a drill, with the six sections of 突发事件应急预案管理办法 (2013) 第二十三条.
    A draft can be saved; ``final`` closes it and moves the drill to evaluated."""

    __tablename__ = "drill_evaluations"

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), unique=True)
    evaluated_on: Mapped[date | None] = mapped_column(Date)
    evaluators: Mapped[str | None] = mapped_column(String(200))
    third_party: Mapped[bool] = mapped_column(Boolean, default=False)  # 第三方评估
    execution: Mapped[str | None] = mapped_column(Text)  # 演练的执行情况
    plan_fitness: Mapped[str | None] = mapped_column(Text)  # 预案的合理性与可操作性
    command: Mapped[str | None] = mapped_column(Text)  # 指挥协调和应急联动情况
    responders: Mapped[str | None] = mapped_column(Text)  # 应急人员的处置情况
    equipment: Mapped[str | None] = mapped_column(Text)  # 演练所用设备装备的适用性
    suggestions: Mapped[str | None] = mapped_column(Text)  # 对完善预案、应急准备…的意见和建议
    summary: Mapped[str | None] = mapped_column(Text)  # 总体评价
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class DrillProblem(IdMixin, TimestampMixin, Audited, Base):
    """A problem the evaluation found (AQ/T 9009-2015: in 预案, 组织, 人员, 机制 or 保障) and its
    follow-up task: the measure, the unit responsible, the due date, done or not. A problem with
    the plan raises a revision trigger on that plan."""

    __tablename__ = "drill_problems"
    __table_args__ = (
        UniqueConstraint("drill_id", "seq"),
        CheckConstraint("area IN ('plan', 'organisation', 'personnel', 'mechanism', 'support')", name="area"),
        CheckConstraint("state IN ('open', 'done')", name="state"),
        Index("ix_drill_problems_scope_state", "jurisdiction_code", "state", "due_on"),
    )

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(14))
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)  # 整改措施
    owner_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(6), default="open")
    done_on: Mapped[date | None] = mapped_column(Date)
    done_note: Mapped[str | None] = mapped_column(Text)
    plan_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    # the revision trigger it raised on that plan (plans.triggers.raise_trigger: the plans' own table)
    trigger_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("plan_triggers.id"), unique=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    owner_unit = relationship("Unit", lazy="selectin")  # not joined: the row is locked FOR UPDATE


# -- exercise mode (scripts, injects, measurements) -------------------------------------------------
# A process that loads drills without the whole schema (a job worker, through the exercise's inject
# job or the delivery sandbox) must still resolve DrillPlan.plan: load the plans' mappers with ours.


class DrillInject(IdMixin, TimestampMixin, Audited, Base):
    """One scripted event of an exercise: ``offset_minutes`` after the drill starts, a job puts it
    into the live duty flow unannounced (an incident report, a sensor alarm, a warning from upstream).
    ``payload`` holds what the event says (kind by kind, checked by ``drills.script``); what it
    created is linked once injected."""

    __tablename__ = "drill_injects"
    __table_args__ = (
        UniqueConstraint("drill_id", "seq"),
        CheckConstraint(_in("kind", InjectKind), name="kind"),
        CheckConstraint(_in("state", InjectState), name="state"),
        CheckConstraint("offset_minutes >= 0", name="offset"),
        Index("ix_drill_injects_state_due", "state", "due_at"),
    )

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the drill's
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))  # what the controller calls it
    place_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))  # where it happens
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(10), default=InjectState.SCRIPTED.value)
    due_at: Mapped[datetime | None] = mapped_column()  # set when the drill starts
    injected_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="SET NULL"))
    warning_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id", ondelete="SET NULL"))
    alarm_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("alarms.id", ondelete="SET NULL"))


class DrillSandboxMessage(IdMixin, Base):
    """A message a drill would have sent through a real channel (SMS, e-mail, robot, loudspeaker):
    the sandbox channel keeps it here instead, for the controller to read. Written by the sender in
    bulk (not audited: the deliveries it stands for are not either)."""

    __tablename__ = "drill_sandbox_messages"
    __table_args__ = (Index("ix_drill_sandbox_drill_at", "drill_id", "at"),)

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the drill's
    dispatch_id: Mapped[int | None] = mapped_column(BigId)
    delivery_key: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=clock.now)


class DrillMeasurement(IdMixin, Base):
    """A reaction time of the players, frozen when the drill ends (while it runs, the figures are
    computed live by ``drills.measure``): from ``started_at`` to ``done_at`` against the limit of
    the law, the plan or the local setting named in ``basis``."""

    __tablename__ = "drill_measurements"
    __table_args__ = (
        CheckConstraint(_in("metric", Metric), name="metric"),
        CheckConstraint(_in("outcome", Outcome), name="outcome"),
    )

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    inject_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drill_injects.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    seq: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))  # which level, task or cell group
    started_at: Mapped[datetime] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()
    seconds: Mapped[int | None] = mapped_column(Integer)
    limit_seconds: Mapped[int | None] = mapped_column(Integer)
    basis: Mapped[str | None] = mapped_column(Text)  # the law, plan or setting giving the limit
    outcome: Mapped[str] = mapped_column(String(10))
