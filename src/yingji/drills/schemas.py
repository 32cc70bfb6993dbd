"""Drills: In and Out models of the API. Sections by owner, in this order."""

from __future__ import annotations

# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------
# -- exercise mode: scripts and injects, measurements ----------------------------------------------
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.text import Input
from yingji.drills.exercise_codes import InjectKind
from yingji.incidents.schemas import Figures

WARNING_LEVELS = ("red", "orange", "yellow", "blue")


class InjectIn(Input):
    """A scripted event. Which fields count depends on ``kind``: an incident report needs
    ``category`` (and may carry figures), a sensor reading ``sensor_id`` and ``value``, a warning
    from upstream ``level`` and ``headline``; ``drills.script`` says what is missing."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: InjectKind
    offset_minutes: int = Field(ge=0, le=7 * 24 * 60)
    title: str = Field(min_length=1, max_length=200)
    place_code: str = Field(min_length=2, max_length=15)
    # incident report
    category: str | None = Field(default=None, max_length=60)
    description: str | None = Field(default=None, max_length=2000)
    reporter_name: str | None = Field(default=None, max_length=60)
    reporter_phone: str | None = Field(default=None, max_length=30)
    figures: Figures | None = None
    # sensor reading
    sensor_id: int | None = Field(default=None, ge=1)
    value: float | None = Field(default=None, ge=-1e9, le=1e9)
    # warning from upstream (the level is also the alarm's for a sensor reading)
    level: str | None = Field(default=None, pattern="^(red|orange|yellow|blue)$")
    headline: str | None = Field(default=None, max_length=300)
    sender_name: str | None = Field(default=None, max_length=200)
    instruction: str | None = Field(default=None, max_length=2000)
    hours: int | None = Field(default=None, ge=1, le=240)


class InjectOut(BaseModel):
    id: int
    drill_id: int
    seq: int
    kind: str
    kind_label: str
    offset_minutes: int
    title: str
    place_code: str
    place_name: str | None = None
    payload: dict
    state: str
    state_label: str
    due_at: datetime | None
    injected_at: datetime | None
    error: str | None
    incident_id: int | None
    warning_id: int | None
    alarm_id: int | None


class ExerciseStartIn(Input):
    """Start the exercise: at ``starts_at`` (default now) the offsets begin to run."""

    model_config = ConfigDict(extra="forbid")

    starts_at: datetime | None = None


class ExerciseEndIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class MeasurementOut(BaseModel):
    inject_id: int | None
    inject_title: str | None
    metric: str
    metric_label: str
    subject: str
    started_at: datetime
    done_at: datetime | None
    seconds: int | None
    limit_seconds: int | None
    basis: str | None
    outcome: str
    outcome_label: str


class MetricSummaryOut(BaseModel):
    metric: str
    metric_label: str
    count: int
    done: int
    within_limit: int
    late_or_overdue: int
    median_seconds: int | None
    max_seconds: int | None


class ExerciseOut(BaseModel):
    drill_id: int
    title: str
    state: str
    double_blind: bool
    starts_at: datetime | None
    ended_at: datetime | None
    frozen: bool
    injects: list[InjectOut]
    measurements: list[MeasurementOut]
    summary: list[MetricSummaryOut]
    sandbox_messages: int


class SandboxMessageOut(BaseModel):
    id: int
    channel: str
    address: str | None
    subject: str | None
    body: str | None
    at: datetime
