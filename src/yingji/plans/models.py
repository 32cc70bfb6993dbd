"""Plan tables: the plan (any kind, any level of the tree, with its parent plan), its member units,
and its response part as data (levels with trigger conditions, actions of the HQ and each member unit).

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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime
from yingji.plans.codes import ActionKind, ActionRole, ItemState, PlanKind, PlanState

_KINDS_SQL = ", ".join(repr(k.value) for k in PlanKind)
_STATES_SQL = ", ".join(repr(s.value) for s in PlanState)
_ROLES_SQL = ", ".join(repr(r.value) for r in ActionRole)


class Plan(IdMixin, TimestampMixin, Audited, Base):
    """An emergency plan of a place, a unit or an enterprise; ``version_no`` is the version in force
    (or being drafted, before the first issue). The dates are those of the version in force."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
        CheckConstraint(f"state IN ({_STATES_SQL})", name="state"),
        Index("ix_plans_scope_kind", "jurisdiction_code", "kind", "state"),
    )

    code: Mapped[str] = mapped_column(String(60), unique=True)  # registry number (also the import key)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    issuer: Mapped[str] = mapped_column(String(120))  # 发布机关 / 编制单位 as printed
    issuer_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    lead_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)  # 牵头单位
    hq_unit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("units.id"), index=True
    )  # its command HQ
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    event_categories: Mapped[list] = mapped_column(
        JSONType, default=list
    )  # rules/event_categories.json codes
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("plans.id"), index=True)  # 上位预案
    state: Mapped[str] = mapped_column(String(12), default=PlanState.DRAFTING.value)
    version_no: Mapped[int] = mapped_column(Integer, default=1)
    doc_number: Mapped[str | None] = mapped_column(String(80))  # 文号
    issued_on: Mapped[date | None] = mapped_column(Date)  # 印发
    published_on: Mapped[date | None] = mapped_column(Date)  # 公布
    filed_on: Mapped[date | None] = mapped_column(Date)  # 备案 accepted
    evaluated_on: Mapped[date | None] = mapped_column(Date)  # last 评估
    note: Mapped[str | None] = mapped_column(Text)

    parent = relationship("Plan", remote_side="Plan.id", lazy="select")
    members = relationship(
        "PlanMember", lazy="selectin", cascade="all, delete-orphan", order_by="PlanMember.sort"
    )
    levels = relationship(
        "PlanLevel", lazy="selectin", cascade="all, delete-orphan", order_by="PlanLevel.level"
    )


class PlanMember(IdMixin, Audited, Base):
    """A unit with duties under the plan: the lead unit or a member unit (成员单位)."""

    __tablename__ = "plan_members"
    __table_args__ = (
        UniqueConstraint("plan_id", "unit_id"),
        CheckConstraint("role IN ('lead', 'member')", name="role"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="member")
    duties: Mapped[str | None] = mapped_column(Text)  # 职责 as written in the plan
    sort: Mapped[int] = mapped_column(Integer, default=0)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    unit = relationship("Unit", lazy="joined")


class PlanLevel(IdMixin, Audited, Base):
    """A response level of the plan (1 = Ⅰ级, highest … 4 = Ⅳ级) with its trigger: the readable text
    of the plan and the conditions as data (``conditions``: incident grade and figures; the grading
    rule it ties to, where the law gives one)."""

    __tablename__ = "plan_levels"
    __table_args__ = (
        UniqueConstraint("plan_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    trigger_text: Mapped[str] = mapped_column(Text)  # 启动条件 as written
    conditions: Mapped[dict] = mapped_column(JSONType, default=dict)
    decided_by: Mapped[str | None] = mapped_column(String(120))  # who decides to start it (e.g. 总指挥)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class PlanAction(IdMixin, Audited, Base):
    """One action of the response part at a level: for the HQ or a member unit, with its time limit
    from activation, the resources to bring and the kind (a task, a notice to send, a checklist item)."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        UniqueConstraint("plan_id", "level", "seq"),
        CheckConstraint(f"role IN ({_ROLES_SQL})", name="role"),
        CheckConstraint(one_of("kind", ActionKind), name="kind"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"))  # member unit (role member)
    kind: Mapped[str] = mapped_column(String(8), default="task")
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    due_minutes: Mapped[int | None] = mapped_column(Integer)  # time limit from activation
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    resources: Mapped[list] = mapped_column(JSONType, default=list)  # [{"item": …, "quantity": …, "unit": …}]
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    unit = relationship("Unit", lazy="joined")


# -- registry (lifecycle, versions and documents, filings, clocks) --------------------------------
class PlanVersion(IdMixin, Audited, Base):
    """A version of a plan (修订 makes a new one): its draft stage while being revised, what changed
    and why, who signed it, its 文号 and dates. ``status``: draft → in_force → superseded."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "version_no"),
        CheckConstraint("status IN ('draft', 'in_force', 'superseded', 'repealed')", name="status"),
        CheckConstraint("stage IN ('drafting', 'review', 'approval')", name="stage"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    stage: Mapped[str] = mapped_column(String(10), default="drafting")  # of a draft version
    major: Mapped[bool] = mapped_column(Boolean, default=True)  # a major revision repeats review
    reason: Mapped[str | None] = mapped_column(String(32))  # the revision trigger (rules reasons)
    change_summary: Mapped[str | None] = mapped_column(Text)
    signatory: Mapped[str | None] = mapped_column(String(120))  # who signed (签发人)
    signatory_role: Mapped[str | None] = mapped_column(String(32))
    doc_number: Mapped[str | None] = mapped_column(String(80))
    issued_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PlanDocument(IdMixin, Audited, Base):
    """A document of a version: the issued text, the 编制说明 or other material (PDF or DOCX)."""

    __tablename__ = "plan_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('text', 'explanation', 'other')", name="kind"),
        UniqueConstraint("plan_id", "version_no", "sha256"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    original_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PlanReview(IdMixin, Audited, Base):
    """A comment of 征求意见 / 评审 on a version: who (a department, an expert, the public, a unit),
    the opinion and how the drafters dealt with it."""

    __tablename__ = "plan_reviews"
    __table_args__ = (
        CheckConstraint("opinion IN ('agree', 'revise', 'disagree')", name="opinion"),
        CheckConstraint("reviewer_kind IN ('department', 'expert', 'public', 'unit')", name="reviewer_kind"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(120))
    reviewer_kind: Mapped[str] = mapped_column(String(12))
    opinion: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)  # 采纳情况
    user_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PlanFiling(IdMixin, Audited, Base):
    """A filing (备案) of a version with the receiving body of RULES2 §9.3, which accepts or returns it.
    ``to_jurisdiction_code`` is the receiving body's place: only its people decide."""

    __tablename__ = "plan_filings"
    __table_args__ = (
        CheckConstraint("state IN ('submitted', 'accepted', 'returned')", name="state"),
        Index("ix_plan_filings_to", "to_jurisdiction_code", "state"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    to_jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    to_body: Mapped[str] = mapped_column(String(20))
    to_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"))
    to_name: Mapped[str] = mapped_column(String(120))
    cc: Mapped[str | None] = mapped_column(Text)  # 径送 / 抄送 as sent
    submitted_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="submitted")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was returned (all missing items at once)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the plan's


class PlanClock(IdMixin, Audited, Base):
    """A legal clock of a version: filing and publication (20 working days after issue), evaluation
    (3 years). ``waiting``: the holidays of a year it spans are not known yet; ``missed``: escalated."""

    __tablename__ = "plan_clocks"
    __table_args__ = (
        UniqueConstraint("plan_id", "version_no", "kind"),
        CheckConstraint("kind IN ('filing', 'publish', 'evaluation')", name="kind"),
        CheckConstraint("state IN ('open', 'waiting', 'met', 'missed', 'cancelled')", name="state"),
        Index("ix_plan_clocks_due", "state", "due_on"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    remind_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="open")
    met_on: Mapped[date | None] = mapped_column(Date)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class PlanEvent(IdMixin, Base):
    """The plan's history as people read it: each step with who, when, and the comment."""

    __tablename__ = "plan_events"

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PlanTrigger(IdMixin, Audited, Base):
    """A revision trigger (修订情形, RULES2 §9.5) raised on a plan: by a drill's evaluation, a real
    response, an evaluation or by hand; handled when the revised version is issued."""

    __tablename__ = "plan_triggers"
    __table_args__ = (CheckConstraint("state IN ('open', 'handled', 'dismissed')", name="state"),)

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(12), default="manual")  # drill, response, evaluation, manual
    source_ref: Mapped[str | None] = mapped_column(String(60))  # e.g. drill:12
    detail: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="open")
    handled_version_no: Mapped[int | None] = mapped_column(Integer)
    handled_note: Mapped[str | None] = mapped_column(Text)  # why it was dismissed
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)


class WorkCalendarYear(Audited, Base):
    """A year's official holiday notice (国务院办公厅关于…部分节假日安排的通知) loaded by an
    administrator: the days off and the make-up workdays. It overrides the package for that year."""

    __tablename__ = "work_calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    holidays: Mapped[list] = mapped_column(JSONType, default=list)  # ISO dates off (weekdays included)
    workdays: Mapped[list] = mapped_column(JSONType, default=list)  # make-up workdays (调休上班)
    source: Mapped[str] = mapped_column(String(200))  # the notice's title and number
    loaded_by: Mapped[str] = mapped_column(String(120))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


# -- coverage -----------------------------------------------------------------------------------------


# -- digital plans ----------------------------------------------------------------------------------
class ResponsePlanItem(IdMixin, TimestampMixin, Audited, Base):
    """One action of a plan applied to an incident's response: the task it created, the notice it
    sent or the checklist item to tick. The incident page's checklist is these rows; a level change
    cancels (with the reason) the open items the new level no longer has."""

    __tablename__ = "response_plan_items"
    __table_args__ = (
        CheckConstraint(one_of("kind", ActionKind), name="kind"),
        CheckConstraint(f"role IN ({_ROLES_SQL})", name="role"),
        CheckConstraint(one_of("state", ItemState), name="state"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
        Index("ix_response_plan_items_incident_state", "incident_id", "state"),
    )

    incident_id: Mapped[int] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="CASCADE"))
    activation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("response_activations.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    plan_action_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("plan_actions.id", ondelete="SET NULL"), index=True
    )
    level: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"))
    unit_name: Mapped[str] = mapped_column(String(120))  # as it was when the item was made
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    resources: Mapped[list] = mapped_column(JSONType, default=list)
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("response_tasks.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default="open")
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # users a notice reached
    done_at: Mapped[datetime | None] = mapped_column()
    done_by: Mapped[str | None] = mapped_column(String(100))
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the incident's place
