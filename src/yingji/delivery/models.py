"""Tables of warning delivery: the dispatch of one warning issue (with its frozen escalation policy),
the grid cells it covers and their acknowledgement, one delivery per recipient and channel,
acknowledgements, escalation steps, door-to-door tasks, and the channel endpoints per jurisdiction.

Deliveries and acknowledgements are ledgers written in bulk (a city-wide red warning makes a million
delivery rows), so they are not in the audit log; the dispatch, its steps, the door-to-door tasks and
the channel endpoints are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.delivery.codes import AckMethod, DeliveryState, DispatchState, StepState, TaskState

DELIVERY_STATES = tuple(DeliveryState)
CHANNELS = ("sms", "email", "inbox", "wecom", "dingtalk", "broadcast")
ENDPOINT_KINDS = CHANNELS[:2] + CHANNELS[3:]  # the inbox needs no configuration
DISPATCH_STATES = tuple(DispatchState)


class Dispatch(IdMixin, Audited, Base):
    """One issue of a warning (first issue, update or lift) sent to its recipients.

    ``policy`` is the escalation policy FROZEN at publication: later edits of the policy never reach
    a running dispatch. ``root_warning_id`` is the first issue, so updates and lifts find it.
    """

    __tablename__ = "dispatches"
    __table_args__ = (CheckConstraint(one_of("state", DISPATCH_STATES), name="state"),)

    warning_id: Mapped[int] = mapped_column(BigId, index=True)
    root_warning_id: Mapped[int] = mapped_column(BigId, index=True)
    event: Mapped[str] = mapped_column(String(12))  # published, updated, lifted
    identifier: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(8))  # red, orange, yellow, blue
    headline: Mapped[str] = mapped_column(String(300))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    ack_code: Mapped[str] = mapped_column(String(8), index=True)  # "回复1或收到+代码" in the SMS
    state: Mapped[str] = mapped_column(String(10), default=DispatchState.ACTIVE.value)
    policy: Mapped[dict] = mapped_column(JSONType, default=dict)
    content: Mapped[dict] = mapped_column(JSONType, default=dict)  # texts per channel, fixed at issue
    targeting: Mapped[dict] = mapped_column(JSONType, default=dict)  # counts by level, prefixes covered
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    stopped_at: Mapped[datetime | None] = mapped_column()
    stop_reason: Mapped[str | None] = mapped_column(String(40))
    drill_id: Mapped[int | None] = mapped_column(BigId, index=True)  # a drill's: sent to the sandbox


class DispatchCell(IdMixin, Base):
    """A level-3 grid cell (village group) a dispatch covers; silent until a grid leader or worker of
    the cell acknowledges. Escalation steps act on the silent ones only."""

    __tablename__ = "dispatch_cells"
    __table_args__ = (
        UniqueConstraint("dispatch_id", "grid_cell_id", name="uq_dispatch_cells_cell"),
        Index("ix_dispatch_cells_dispatch_code", "dispatch_id", "cell_code"),
    )

    dispatch_id: Mapped[int] = mapped_column(BigId, ForeignKey("dispatches.id", ondelete="CASCADE"))
    grid_cell_id: Mapped[int] = mapped_column(BigId)
    cell_code: Mapped[str] = mapped_column(CodeStr)  # = the group's jurisdiction code
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[int | None] = mapped_column(BigId)  # person id
    escalated: Mapped[int] = mapped_column(SmallInteger, default=0)  # last escalation step applied


class Delivery(IdMixin, Base):
    """One message to one recipient through one channel. The gateway gets ``yj-{id}-{round}`` as its
    idempotency key, so a retry after a crash is recognised as the same message."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint(
            "dispatch_id",
            "channel",
            "recipient_kind",
            "recipient_id",
            "purpose",
            name="uq_deliveries_recipient",
        ),
        Index("ix_deliveries_dispatch_channel_state", "dispatch_id", "channel", "state", "tier", "id"),
        CheckConstraint(one_of("state", DELIVERY_STATES), name="state"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
    )

    dispatch_id: Mapped[int] = mapped_column(BigId, ForeignKey("dispatches.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    # person (grid staff, cadres), resident, user (inbox), endpoint (group robot, loudspeaker)
    recipient_kind: Mapped[str] = mapped_column(String(10))
    recipient_id: Mapped[int] = mapped_column(BigId)
    purpose: Mapped[str] = mapped_column(String(12), default="warning")  # warning, escalation
    role: Mapped[str] = mapped_column(String(16))  # grid_leader, grid_worker, cadre, resident, group …
    tier: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 staff first, 1 groups, 2 residents
    address: Mapped[str | None] = mapped_column(String(120))
    cell_code: Mapped[str | None] = mapped_column(CodeStr)  # the recipient's place
    state: Mapped[str] = mapped_column(String(12), default=DeliveryState.QUEUED.value)
    round: Mapped[int] = mapped_column(SmallInteger, default=1)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    detail: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()

    @property
    def key(self) -> str:
        return delivery_key(self.id, self.round)


def delivery_key(delivery_id: int, round_: int) -> str:
    """The idempotency key handed to gateways."""
    return f"yj-{delivery_id}-{round_}"


class Acknowledgement(IdMixin, Base):
    """A confirmation of receipt by a grid leader or worker: signed link, SMS reply or in-app."""

    __tablename__ = "acknowledgements"
    __table_args__ = (
        UniqueConstraint("dispatch_id", "person_id", name="uq_acknowledgements_person"),
        CheckConstraint(one_of("method", AckMethod), name="method"),
    )

    dispatch_id: Mapped[int] = mapped_column(BigId, ForeignKey("dispatches.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, index=True)
    user_id: Mapped[int | None] = mapped_column(BigId)
    method: Mapped[str] = mapped_column(String(8))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    detail: Mapped[str | None] = mapped_column(String(200))


class EscalationStep(IdMixin, Audited, Base):
    """One step of a dispatch's frozen policy: a row with its due time and a job that runs it."""

    __tablename__ = "escalation_steps"
    __table_args__ = (
        UniqueConstraint("dispatch_id", "seq", name="uq_escalation_steps_seq"),
        Index("ix_escalation_steps_state_due", "state", "due_at"),
        CheckConstraint(one_of("state", StepState), name="state"),
    )

    dispatch_id: Mapped[int] = mapped_column(BigId, ForeignKey("dispatches.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(SmallInteger)
    action: Mapped[str] = mapped_column(String(20))  # resend, notify_leaders, door_to_door
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default=StepState.PENDING.value)
    job_id: Mapped[int | None] = mapped_column(BigId)
    repairs: Mapped[int] = mapped_column(SmallInteger, default=0)
    done_at: Mapped[datetime | None] = mapped_column()
    result: Mapped[dict | None] = mapped_column(JSONType)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class DoorTask(IdMixin, TimestampMixin, Audited, Base):
    """逐家逐户: go door to door in a grid cell that stayed silent; closed with households reached."""

    __tablename__ = "door_tasks"
    __table_args__ = (
        UniqueConstraint("dispatch_id", "grid_cell_id", name="uq_door_tasks_cell"),
        CheckConstraint(one_of("state", TaskState), name="state"),
    )

    dispatch_id: Mapped[int] = mapped_column(BigId, ForeignKey("dispatches.id", ondelete="CASCADE"))
    grid_cell_id: Mapped[int] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the cell's code
    assignee_ids: Mapped[list] = mapped_column(JSONType, default=list)  # person ids of the cell's staff
    state: Mapped[str] = mapped_column(String(10), default=TaskState.OPEN.value)
    households_total: Mapped[int] = mapped_column(Integer, default=0)
    vulnerable_total: Mapped[int] = mapped_column(Integer, default=0)
    households_reached: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[int | None] = mapped_column(BigId)  # user id
    client_key: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class ChannelEndpoint(IdMixin, TimestampMixin, Audited, Base):
    """A configured channel of a jurisdiction. Providers (sms, email) serve every recipient under the
    jurisdiction (the nearest one up the tree wins); targets (wecom, dingtalk, broadcast) are a
    village's or town's own group robot or loudspeaker controller and get one message each."""

    __tablename__ = "channel_endpoints"
    __audit_exclude__ = frozenset({"config"})  # holds secrets
    __table_args__ = (
        CheckConstraint(one_of("kind", ENDPOINT_KINDS), name="kind"),
        Index("ix_channel_endpoints_kind_place", "kind", "jurisdiction_code"),
    )

    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    config: Mapped[dict] = mapped_column(JSONType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    rate_per_s: Mapped[float] = mapped_column(Float, default=50.0)
    # Token bucket by reservation: the next moment this endpoint may send again (row-locked).
    next_free_at: Mapped[datetime | None] = mapped_column()


class WarningPolicy(IdMixin, TimestampMixin, Audited, Base):
    """A jurisdiction's own escalation policy for one warning level (overrides the default in
    ``policy.py``; the nearest jurisdiction up the tree that sets one wins)."""

    __tablename__ = "warning_policies"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "level", name="uq_warning_policies_place_level"),
        CheckConstraint("level IN ('red', 'orange', 'yellow', 'blue')", name="level"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    level: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    steps: Mapped[list] = mapped_column(JSONType, default=list)
