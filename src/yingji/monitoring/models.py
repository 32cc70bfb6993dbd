"""Monitoring tables: hazard points (灾险点) and their patrols, sensors and their readings, alarm rules
and alarms.

Readings are the volume table: a composite key (sensor_id, at) without a row id on SQLite, and on
PostgreSQL a table partitioned by month on ``at`` (partitions live in the ``readings_parts`` schema and
are created ahead by the retention job and, if missing, by the ingest itself). They carry no foreign
key to ``sensors`` (sensors are deactivated, never deleted) so that a bulk insert checks nothing per row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.org.models import Jurisdiction, Person

HAZARD_KINDS = ("geological", "flash_flood", "waterlogging", "reservoir", "forest_fire", "drowning")
SENSOR_KINDS = (
    "rain_gauge",
    "crack_meter",
    "displacement",
    "water_level",
    "gas_lel",
    "temperature",
    "humidity",
)
METRICS = ("value", "rate_h", "sum_1h", "sum_3h", "sum_24h")
LEVELS = ("blue", "yellow", "orange", "red")
ACTIONS = ("notify", "warning", "incident")


class PatrolCondition(StrEnum):
    """What a patrol found at the point; a danger found may open an incident at once."""

    NORMAL = "normal"  # 正常
    ABNORMAL = "abnormal"  # 异常
    DANGER = "danger"  # 险情


class AlarmState(StrEnum):
    """An alarm's states: raised open, acknowledged by someone who takes care of it, cleared (by the
    readings falling back below the clear level, or by hand). The values are the database's."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


class PointStatus(StrEnum):
    """A hazard point is watched (patrols due, on the map) while active; closed ones are kept."""

    ACTIVE = "active"
    CLOSED = "closed"


OPEN_STATES = (AlarmState.OPEN, AlarmState.ACKNOWLEDGED)
CONDITIONS = tuple(c.value for c in PatrolCondition)
PARTITION_SCHEMA = "readings_parts"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


class HazardPoint(IdMixin, TimestampMixin, Audited, Base):
    """A monitored place: geological hazard point, flash-flood gully, waterlogging spot, reservoir,
    forest-fire risk area or drowning-risk water, with its monitor (监测员), leader (点长) and grid."""

    __tablename__ = "hazard_points"
    __audit_exclude__ = frozenset({"geometry"})
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(HAZARD_KINDS)})", name="kind"),
        CheckConstraint(one_of("status", PointStatus), name="status"),
        Index("ix_hazard_points_kind_jurisdiction", "kind", "jurisdiction_code"),
        Index("ix_hazard_points_lon_lat", "lon", "lat"),
        Index("ix_hazard_points_due", "status", "patrol_due_at"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    subtype: Mapped[str | None] = mapped_column(String(20))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    grid_cell_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("grid_cells.id"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    geometry: Mapped[str | None] = deferred(mapped_column(Text))  # GeoJSON of an area (火险区, 水域)
    address: Mapped[str | None] = mapped_column(String(200))
    threatened_households: Mapped[int] = mapped_column(Integer, default=0)
    threatened_people: Mapped[int] = mapped_column(Integer, default=0)
    monitor_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    leader_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    patrol_every_days: Mapped[int | None] = mapped_column(SmallInteger)  # overrides the kind's schedule
    last_patrol_at: Mapped[datetime | None] = mapped_column()
    patrol_due_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=PointStatus.ACTIVE.value)
    note: Mapped[str | None] = mapped_column(Text)

    jurisdiction = relationship(Jurisdiction, lazy="joined")
    monitor = relationship(Person, foreign_keys=[monitor_person_id])
    leader = relationship(Person, foreign_keys=[leader_person_id])


class PatrolLog(IdMixin, Audited, Base):
    """One patrol of a point from a phone: when, where (GPS), what was seen; append-only."""

    __tablename__ = "patrol_logs"
    __table_args__ = (
        CheckConstraint(f"condition IN ({_in(CONDITIONS)})", name="condition"),
        Index("ix_patrol_logs_point_at", "hazard_point_id", "patrolled_at"),
        Index("ix_patrol_logs_jurisdiction_at", "jurisdiction_code", "patrolled_at"),
    )

    hazard_point_id: Mapped[int] = mapped_column(BigId, ForeignKey("hazard_points.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    patrolled_at: Mapped[datetime] = mapped_column()  # on the phone (may be sent later, offline)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"), index=True)
    patroller_name: Mapped[str] = mapped_column(String(60))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)  # from the point
    condition: Mapped[str] = mapped_column(String(10), default="normal")
    observations: Mapped[str | None] = mapped_column(Text)
    photo_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    point = relationship(HazardPoint, lazy="joined")


class PatrolPhoto(IdMixin, Base):
    """A photo of a patrol, stored under ``<var>/uploads`` by content hash."""

    __tablename__ = "patrol_photos"
    __table_args__ = (UniqueConstraint("patrol_log_id", "sha256", name="log_sha"),)

    patrol_log_id: Mapped[int] = mapped_column(BigId, ForeignKey("patrol_logs.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Sensor(IdMixin, TimestampMixin, Audited, Base):
    """A sensor, tied to a hazard point or to another object (an enterprise: ``target_kind``/``id``).
    Its ``code`` names it in readings and is the last level of its MQTT topic."""

    __tablename__ = "sensors"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(SENSOR_KINDS)})", name="kind"),
        Index("ix_sensors_kind_jurisdiction", "kind", "jurisdiction_code"),
    )

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    hazard_point_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("hazard_points.id"), index=True)
    target_kind: Mapped[str | None] = mapped_column(String(20))  # e.g. "enterprise" (risk_enterprises)
    target_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    valid_min: Mapped[float | None] = mapped_column(Float)  # narrows the kind's plausible range
    valid_max: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    installed_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)

    point = relationship(HazardPoint, lazy="joined")


class SensorState(Base):
    """What the ingest keeps per sensor between batches: the latest reading (for rates and the pages)
    and, for rain gauges, 24 h of 5-minute sums (a ring of float64) for the sliding windows."""

    __tablename__ = "sensor_state"
    # Every batch updates every rain gauge's row (~1.2 KB with its ring): with room left on each page
    # PostgreSQL updates in place (HOT) instead of writing a new page and index entry each time
    # (measured: database CPU of the ingest −20 %, migration 0044).
    __table_args__ = ({"postgresql_with": {"fillfactor": 45}},)

    sensor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sensors.id", ondelete="CASCADE"), primary_key=True
    )
    last_at: Mapped[datetime | None] = mapped_column()
    last_value: Mapped[float | None] = mapped_column(Float)
    head_bucket: Mapped[int | None] = mapped_column(BigInteger)  # epoch seconds // bucket_s
    ring: Mapped[bytes | None] = mapped_column(LargeBinary)
    readings_total: Mapped[int] = mapped_column(BigInteger, default=0)
    # Hourly rollups are complete before this time; a late reading moves it back (re-rolled).
    rolled_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime | None] = mapped_column()


class Reading(Base):
    """One raw reading. Kept for the raw window (a setting); hourly and daily rollups beyond it."""

    __tablename__ = "sensor_readings"
    __table_args__ = ({"sqlite_with_rowid": False, "postgresql_partition_by": "RANGE (at)"},)

    sensor_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Rollup(Base):
    """Hourly (UTC hours) and daily (Asia/Shanghai days) count, min, max and sum of a sensor."""

    __tablename__ = "reading_rollups"
    __table_args__ = (CheckConstraint("period IN ('hour', 'day')", name="period"),)

    sensor_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    period: Mapped[str] = mapped_column(String(4), primary_key=True)
    bucket_at: Mapped[datetime] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    sum: Mapped[float] = mapped_column(Float)


class Rejection(IdMixin, Base):
    """Rejected readings, counted per sensor code and reason (never silently dropped)."""

    __tablename__ = "reading_rejections"
    __table_args__ = (UniqueConstraint("sensor_code", "reason", name="sensor_reason"),)

    sensor_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(20))
    sensor_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr, index=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    first_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_sample: Mapped[str | None] = mapped_column(String(300))
    last_source: Mapped[str | None] = mapped_column(String(100))


class AlarmRule(IdMixin, TimestampMixin, Audited, Base):
    """A rule of a jurisdiction (for its subtree) or of one point. The rules of the most specific
    source — point, then the nearest jurisdiction, then the packaged defaults — apply per sensor kind
    and metric."""

    __tablename__ = "alarm_rules"
    __table_args__ = (
        CheckConstraint(f"metric IN ({_in(METRICS)})", name="metric"),
        CheckConstraint("direction IN ('above', 'below')", name="direction"),
        CheckConstraint(f"level IN ({_in(LEVELS)})", name="level"),
        CheckConstraint(f"action IN ({_in(ACTIONS)})", name="action"),
        Index("ix_alarm_rules_kind_enabled", "sensor_kind", "enabled"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    hazard_point_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("hazard_points.id", ondelete="CASCADE"), index=True
    )
    sensor_kind: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(5), default="above")
    raise_at: Mapped[float] = mapped_column(Float)
    clear_at: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(6))
    action: Mapped[str] = mapped_column(String(8), default="notify")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    basis: Mapped[str | None] = mapped_column(String(300))


class Alarm(IdMixin, Audited, Base):
    """An alarm: one open alarm per rule and sensor (a partial unique index), raised by the ingest,
    acknowledged by people, cleared by the readings (hysteresis) or by hand."""

    __tablename__ = "alarms"
    __table_args__ = (
        CheckConstraint(one_of("state", AlarmState), name="state"),
        CheckConstraint(f"level IN ({_in(LEVELS)})", name="level"),
        Index(
            "uq_alarms_open_sensor_rule",
            "sensor_id",
            "rule_key",
            unique=True,
            sqlite_where=text("state IN ('open', 'acknowledged')"),
            postgresql_where=text("state IN ('open', 'acknowledged')"),
        ),
        Index("ix_alarms_state_jurisdiction", "state", "jurisdiction_code"),
        Index("ix_alarms_jurisdiction_raised", "jurisdiction_code", "raised_at"),
    )

    rule_key: Mapped[str] = mapped_column(String(60))  # "rule:<id>" or "default:<key>"
    rule_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("alarm_rules.id", ondelete="SET NULL"))
    sensor_id: Mapped[int] = mapped_column(BigId, ForeignKey("sensors.id"))
    hazard_point_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("hazard_points.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    metric: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(5))
    level: Mapped[str] = mapped_column(String(6))
    action: Mapped[str] = mapped_column(String(8))
    raise_at: Mapped[float] = mapped_column(Float)
    clear_at: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(12), default=AlarmState.OPEN.value)
    raised_at: Mapped[datetime] = mapped_column()  # time of the reading that crossed
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    value: Mapped[float] = mapped_column(Float)  # the metric when raised
    peak_value: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float] = mapped_column(Float)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column()
    cleared_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    warning_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"))
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"))
    drill_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drills.id"), index=True)  # 演练

    sensor = relationship(Sensor, lazy="joined")
    point = relationship(HazardPoint, lazy="joined")


class AlarmEvent(IdMixin, Base):
    """The history of an alarm (append-only): raised, acknowledged, cleared, warning drafted …"""

    __tablename__ = "alarm_events"

    alarm_id: Mapped[int] = mapped_column(BigId, ForeignKey("alarms.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
