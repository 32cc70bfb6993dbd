"""Damage-statistics tables (RULES2 §10).

- ``disaster_officers`` (灾害信息员) with ``disaster_officer_trainings``.
- ``disaster_events``: one disaster process (灾害过程) of a county (or a city, several counties).
- ``damage_reports``: 初报 / 续报 / 零报 / 核报 of one reporting unit (village, town, county, city) with
  their due time and lateness; ``damage_figures`` the figures a report carries, per place and indicator
  (long format: the indicator list is rule data), each with its 累计 and 实时 value.
- ``damage_values``: the figures in force per event, place and indicator (the latest accepted report
  or verification), what the roll-up sums; ``damage_revisions`` every change of a figure in force
  with its reason, so a figure's history is readable and a drop always carries its note.
- ``disaster_casualties`` (因灾死亡失踪人口一览表) and ``damaged_houses`` (因灾倒塌损坏住房户一览表);
  ``damage_photos`` of a report (≥ 3 when a response was launched).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
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
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime
from yingji.damage.codes import EventState, ListKind, OfficerLevel, OfficerPost, ReportKind, ReportState


class DisasterOfficer(IdMixin, TimestampMixin, Audited, Base):
    """A disaster information officer (灾害信息员) of a place, post A or B."""

    __tablename__ = "disaster_officers"
    __table_args__ = (
        CheckConstraint(one_of("level", OfficerLevel), name="level"),
        CheckConstraint(one_of("post", OfficerPost), name="post"),
        Index("ix_disaster_officers_place_post", "jurisdiction_code", "post", "active"),
    )

    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    mobile: Mapped[str | None] = mapped_column(String(20))
    backup_phone: Mapped[str | None] = mapped_column(String(30))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    level: Mapped[str] = mapped_column(String(10))
    post: Mapped[str] = mapped_column(String(1), default=OfficerPost.A.value)
    position: Mapped[str | None] = mapped_column(String(60))  # 村书记 / 两委委员 / 应急办工作人员
    beidou_id: Mapped[str | None] = mapped_column(String(40))  # 北斗报灾终端
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class OfficerTraining(IdMixin, Audited, Base):
    """A training an officer attended (培训记录)."""

    __tablename__ = "disaster_officer_trainings"

    officer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("disaster_officers.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(String(120))
    hours: Mapped[float | None] = mapped_column(Float)
    organiser: Mapped[str | None] = mapped_column(String(120))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the officer's


class DisasterEvent(IdMixin, TimestampMixin, Audited, Base):
    """A disaster process (灾害过程): 1 初报 + n 续报 + 1 核报 per reporting unit."""

    __tablename__ = "disaster_events"
    __table_args__ = (
        CheckConstraint(one_of("state", EventState), name="state"),
        Index("ix_disaster_events_scope_state", "jurisdiction_code", "state"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hazard: Mapped[str] = mapped_column(String(20))  # 亚灾种 code (rules/disaster_indicators.json hazards)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default=EventState.OPEN.value)
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"), index=True)
    warning_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"))
    drill_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drills.id"), index=True)
    response_launched: Mapped[bool] = mapped_column(Boolean, default=False)  # photos ≥ 3 then
    relief_grade: Mapped[str | None] = mapped_column(String(4))  # I–IV from the rolled-up figures
    relief_grade_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rules_version: Mapped[str | None] = mapped_column(String(20))  # of the reporting rules applied
    note: Mapped[str | None] = mapped_column(Text)


class DamageReport(IdMixin, TimestampMixin, Audited, Base):
    """A report of one unit: ``jurisdiction_code`` is the reporting place (village, town, county, city)."""

    __tablename__ = "damage_reports"
    __table_args__ = (
        CheckConstraint(one_of("kind", ReportKind), name="kind"),
        CheckConstraint(one_of("state", ReportState), name="state"),
        Index("ix_damage_reports_event_place", "event_id", "jurisdiction_code", "kind"),
        Index("ix_damage_reports_scope_due", "jurisdiction_code", "state", "due_at"),
        UniqueConstraint("client_key", name="uq_damage_reports_client_key"),
    )

    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("disaster_events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    serial: Mapped[int] = mapped_column(SmallInteger, default=1)  # 续报 number
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)  # figures as of (零报: 24:00 of the day before)
    report_date: Mapped[date | None] = mapped_column(Date)  # the day of a zero report
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[int | None] = mapped_column(BigId)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default=ReportState.DRAFT.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigId)
    return_reason: Mapped[str | None] = mapped_column(Text)
    # The text notes of RULES2 §10.3: background, process, scene, trend; measures, needs, next steps.
    narrative: Mapped[dict] = mapped_column(JSONType, default=dict)
    explanation: Mapped[str | None] = mapped_column(Text)  # why figures dropped or jumped
    client_key: Mapped[str | None] = mapped_column(String(64))


class DamageFigure(IdMixin, Base):
    """One figure of a report for a place (the report's own place or one of its villages / towns)."""

    __tablename__ = "damage_figures"
    __table_args__ = (
        UniqueConstraint("report_id", "jurisdiction_code", "indicator", name="uq_damage_figures_key"),
        CheckConstraint("current IS NULL OR cumulative IS NULL OR current <= cumulative", name="current"),
        Index("ix_damage_figures_event_place", "event_id", "jurisdiction_code", "indicator"),
    )

    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("damage_reports.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    indicator: Mapped[str] = mapped_column(String(40))
    cumulative: Mapped[float | None] = mapped_column(Float)  # 累计值
    current: Mapped[float | None] = mapped_column(Float)  # 实时值 (only for indicators that have one)


class DamageValue(IdMixin, Base):
    """The figure in force for an event, place and indicator."""

    __tablename__ = "damage_values"
    __table_args__ = (
        UniqueConstraint("event_id", "jurisdiction_code", "indicator", name="uq_damage_values_key"),
        CheckConstraint("current IS NULL OR cumulative IS NULL OR current <= cumulative", name="current"),
    )

    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("disaster_events.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    indicator: Mapped[str] = mapped_column(String(40))
    cumulative: Mapped[float | None] = mapped_column(Float)
    current: Mapped[float | None] = mapped_column(Float)
    report_id: Mapped[int | None] = mapped_column(BigId)  # the report it came from (null: a verification)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)  # set by 核查评估 / 核报
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class DamageRevision(IdMixin, Base):
    """A change of a figure in force, with its reason (the figures' history; a drop needs a note)."""

    __tablename__ = "damage_revisions"
    __table_args__ = (Index("ix_damage_revisions_key", "event_id", "jurisdiction_code", "indicator", "at"),)

    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("disaster_events.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    indicator: Mapped[str] = mapped_column(String(40))
    old_cumulative: Mapped[float | None] = mapped_column(Float)
    new_cumulative: Mapped[float | None] = mapped_column(Float)
    old_current: Mapped[float | None] = mapped_column(Float)
    new_current: Mapped[float | None] = mapped_column(Float)
    report_id: Mapped[int | None] = mapped_column(BigId)
    verification: Mapped[bool] = mapped_column(Boolean, default=False)  # 核查评估
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(BigId)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class DisasterCasualty(IdMixin, Audited, Base):
    """因灾死亡失踪人口一览表: a named person, dead or missing."""

    __tablename__ = "disaster_casualties"
    __table_args__ = (CheckConstraint(one_of("kind", ListKind), name="kind"),)

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(60))
    gender: Mapped[str | None] = mapped_column(String(1))
    age: Mapped[int | None] = mapped_column(SmallInteger)
    id_tail: Mapped[str | None] = mapped_column(String(4))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # where they lived (village or group)
    address: Mapped[str | None] = mapped_column(String(200))
    on: Mapped[date | None] = mapped_column(Date)
    cause: Mapped[str | None] = mapped_column(String(200))
    found: Mapped[bool] = mapped_column(Boolean, default=False)  # a missing person found alive
    note: Mapped[str | None] = mapped_column(Text)


class DamagedHouse(IdMixin, Audited, Base):
    """因灾倒塌损坏住房户一览表: a household's damaged home; rebuilding cases start from it."""

    __tablename__ = "damaged_houses"
    __table_args__ = (
        CheckConstraint("degree IN ('collapsed', 'severe', 'general')", name="degree"),
        UniqueConstraint("event_id", "jurisdiction_code", "household", name="uq_damaged_houses_key"),
    )

    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("disaster_events.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # village or group
    household: Mapped[str] = mapped_column(String(40))
    head_name: Mapped[str] = mapped_column(String(60))
    id_tail: Mapped[str | None] = mapped_column(String(4))
    mobile: Mapped[str | None] = mapped_column(String(20))
    degree: Mapped[str] = mapped_column(String(10))  # 倒塌 / 严重损坏 / 一般损坏 (RULES2 §10.4)
    rooms: Mapped[int] = mapped_column(SmallInteger, default=1)  # 自然间
    structure: Mapped[str | None] = mapped_column(String(40))  # 砖混 / 砖木 / 土木 …
    note: Mapped[str | None] = mapped_column(Text)


class DamagePhoto(IdMixin, Audited, Base):
    """A photo of a report, stored by content hash like incident photos."""

    __tablename__ = "damage_photos"
    __table_args__ = (UniqueConstraint("report_id", "sha256", name="uq_damage_photos_report_sha256"),)

    report_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("damage_reports.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
