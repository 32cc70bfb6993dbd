"""Plan tables: the plan (any kind, any level of the tree, with its parent plan), its member units,
and its response part as data (levels with trigger conditions, actions of the HQ and each member unit).

Every table carries ``jurisdiction_code`` so that scope is one indexed range.
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.plans.codes import ActionRole, PlanKind, PlanState

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
        CheckConstraint("kind IN ('task', 'notice', 'check')", name="kind"),
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


# -- coverage -----------------------------------------------------------------------------------------


# -- digital plans ----------------------------------------------------------------------------------
class ResponsePlanItem(IdMixin, TimestampMixin, Audited, Base):
    """One action of a plan applied to an incident's response: the task it created, the notice it
    sent or the checklist item to tick. The incident page's checklist is these rows; a level change
    cancels (with the reason) the open items the new level no longer has."""

    __tablename__ = "response_plan_items"
    __table_args__ = (
        CheckConstraint("kind IN ('task', 'notice', 'check')", name="kind"),
        CheckConstraint(f"role IN ({_ROLES_SQL})", name="role"),
        CheckConstraint("state IN ('open', 'done', 'sent', 'cancelled')", name="state"),
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
