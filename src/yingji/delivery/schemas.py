"""Pydantic shapes of the delivery API: what a grid worker posts (closing a door-to-door task) and the
SMS gateway sends (a reply), and what the routes answer (a warning's dispatch with its coverage,
escalation steps and door-to-door tasks; the worker's own list; endpoints; escalation policies).

Each answer model lists the keys in the order the route's dict has them, so the JSON is unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from yingji.core.text import Input


class DoorTaskCloseIn(Input):
    households_reached: int = Field(ge=0, le=100_000)
    note: str | None = Field(None, max_length=1000)
    client_key: str | None = Field(None, max_length=64)


class SmsReplyIn(Input):
    sender: str = Field(alias="from", max_length=30)
    text: str = Field(max_length=500)


# -- what the routes answer ---------------------------------------------------------------------
class TownCoverageOut(BaseModel):
    """Cells and acknowledged cells of one town (or village) in the viewer's scope."""

    code: str
    name: str
    cells: int
    acked: int
    silent: int
    escalated: int
    share: int  # per cent acknowledged


class CoverageTotalsOut(BaseModel):
    cells: int
    acked: int
    silent: int
    share: int


class EscalationStepOut(BaseModel):
    """One escalation step of a dispatch's frozen policy."""

    id: int
    dispatch_id: int
    seq: int
    action: str
    due_at: datetime
    state: str
    repairs: int
    done_at: datetime | None
    result: dict[str, Any] | None


class DoorTaskOut(BaseModel):
    """A door-to-door task (逐家逐户) of a silent grid cell."""

    id: int
    dispatch_id: int
    grid_cell_id: int
    jurisdiction_code: str
    state: str
    households_total: int
    vulnerable_total: int
    households_reached: int | None
    closed_at: datetime | None
    note: str | None


class DispatchOut(BaseModel):
    """One issue of a warning as sent: its frozen policy and targeting, coverage (totals and by town),
    deliveries by channel and state, escalation steps and door-to-door tasks."""

    dispatch_id: int
    warning_id: int
    root_warning_id: int
    event: str
    identifier: str
    level: str
    headline: str
    state: str
    stop_reason: str | None
    ack_code: str
    created_at: datetime
    policy: dict[str, Any]
    targeting: dict[str, Any]
    totals: CoverageTotalsOut
    towns: list[TownCoverageOut]
    by_channel: dict[str, dict[str, int]]  # channel → state → deliveries
    steps: list[EscalationStepOut]
    tasks: list[DoorTaskOut]


class TownPreviewOut(BaseModel):
    code: str
    name: str
    cells: int
    residents: int


class DeliveryPreviewOut(BaseModel):
    """Who a warning would reach, before it is published."""

    cells: int
    villages: int
    towns: int
    by_channel: dict[str, int]  # sms, inbox, then the group robots and loudspeakers of the area
    staff: int
    residents: int
    by_town: list[TownPreviewOut]


class AckOut(BaseModel):
    dispatch_id: int
    new: bool  # false: this person had acknowledged already
    cells: int  # the cells this acknowledgement covers


class GridWorkerWarningOut(BaseModel):
    dispatch_id: int
    headline: str
    level: str
    acknowledged: bool


class GridWorkerOut(BaseModel):
    """The grid worker's side: warnings waiting for confirmation, and their door-to-door tasks."""

    warnings: list[GridWorkerWarningOut]
    tasks: list[DoorTaskOut]


class DoorTaskResidentOut(BaseModel):
    name: str
    household: str
    mobile: str | None  # masked unless the viewer may see phones
    disabled: bool
    lives_alone: bool
    very_old: bool


class DoorTaskDetailOut(DoorTaskOut):
    residents: list[DoorTaskResidentOut]  # vulnerable first, then by household


class ChannelEndpointOut(BaseModel):
    """A channel endpoint; ``config`` without its secrets."""

    id: int
    kind: str
    name: str
    jurisdiction_code: str
    config: dict[str, Any]
    enabled: bool
    rate_per_s: float
    updated_at: datetime


class EscalationPolicyOut(BaseModel):
    """The escalation policy a dispatch of this place and level would freeze now."""

    name: str
    version: int  # 0: the default
    source: str
    steps: list[dict[str, Any]]


class EscalationPolicySetOut(BaseModel):
    jurisdiction_code: str
    level: str
    version: int
    steps: list[dict[str, Any]]


class SmsReceiptsOut(BaseModel):
    delivered: int
    failed: int
    ignored: int


class SmsReplyOut(BaseModel):
    """Whether the reply acknowledged a dispatch (the other keys only when it did)."""

    matched: bool
    dispatch_id: int | None = None
    new: bool | None = None
    cells: int | None = None
