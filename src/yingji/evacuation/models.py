"""Evacuation tables.

- ``hazard_threats``: a hazard point's threat list (威胁对象), household by household, from the resident
  registry; the point's ``threatened_households`` / ``threatened_people`` are its totals.
- ``evacuation_routes``: the planned shelter and route of each village group (转移路线), per hazard.
- ``evacuation_orders``: an order for an area; its households are frozen when it is issued.
- ``evacuation_households``: one row per household of an order; ``state`` is the one truth the
  accounting groups on (see ``codes.BUCKET_OF``), ``marked_at`` the phone's time of the mark in force.
- ``evacuation_tasks``: one per grid cell of the order, for the cell's grid workers.
- ``evacuation_marks``: every mark received, append-only, unique by the phone's ``client_key``;
  this log is the audit trail of the field (who, when, where, what outcome).
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
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime
from yingji.evacuation.codes import HouseholdState, MarkOutcome, OrderSource, OrderState, TaskState


class HazardThreat(IdMixin, Audited, Base):
    """A household on a hazard point's threat list."""

    __tablename__ = "hazard_threats"
    __table_args__ = (
        UniqueConstraint(
            "hazard_point_id", "jurisdiction_code", "household", name="uq_hazard_threats_household"
        ),
        Index("ix_hazard_threats_place", "jurisdiction_code", "household"),
    )

    hazard_point_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("hazard_points.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the household's group (or village)
    household: Mapped[str] = mapped_column(String(40))  # residents.household
    people: Mapped[int] = mapped_column(SmallInteger, default=1)
    note: Mapped[str | None] = mapped_column(String(200))


class EvacuationRoute(IdMixin, TimestampMixin, Audited, Base):
    """The planned shelter and route of a village group (or village) for a hazard kind (or any)."""

    __tablename__ = "evacuation_routes"
    __audit_exclude__ = frozenset({"path"})
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "hazard_kind", name="uq_evacuation_routes_place_kind"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    hazard_kind: Mapped[str] = mapped_column(String(20), default="any")  # monitoring hazard kind or "any"
    hazard_point_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("hazard_points.id"))
    shelter_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("shelters.id"), index=True)
    path: Mapped[str | None] = mapped_column(Text)  # GeoJSON LineString of the route
    distance_m: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int | None] = mapped_column(SmallInteger)  # walking or driving time as planned
    assembly_point: Mapped[str | None] = mapped_column(String(120))  # 集合点
    note: Mapped[str | None] = mapped_column(Text)


class EvacuationOrder(IdMixin, TimestampMixin, Audited, Base):
    """An evacuation order (转移令) for an area. Households and people are frozen at issue."""

    __tablename__ = "evacuation_orders"
    __table_args__ = (
        CheckConstraint(one_of("state", OrderState), name="state"),
        CheckConstraint(one_of("source", OrderSource), name="source"),
        Index("ix_evacuation_orders_scope_state", "jurisdiction_code", "state"),
        UniqueConstraint("client_key", name="uq_evacuation_orders_client_key"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(
        CodeStr, ForeignKey("jurisdictions.code")
    )  # issuer's place
    area_codes: Mapped[list] = mapped_column(JSONType, default=list)  # division codes covered
    source: Mapped[str] = mapped_column(String(10), default=OrderSource.MANUAL.value)
    warning_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"), index=True)
    alarm_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("alarms.id"))
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"), index=True)
    hazard_point_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("hazard_points.id"))
    drill_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drills.id"), index=True)
    hazard_kind: Mapped[str | None] = mapped_column(String(20))  # picks the village groups' routes
    state: Mapped[str] = mapped_column(String(10), default=OrderState.ACTIVE.value)
    reason: Mapped[str | None] = mapped_column(Text)
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ordered_by: Mapped[int | None] = mapped_column(BigId)  # user id
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[int | None] = mapped_column(BigId)
    lift_note: Mapped[str | None] = mapped_column(Text)
    households_total: Mapped[int] = mapped_column(Integer, default=0)
    people_total: Mapped[int] = mapped_column(Integer, default=0)
    client_key: Mapped[str | None] = mapped_column(String(64))


class EvacuationHousehold(IdMixin, Base):
    """A household of an order. Not ``Audited`` row by row (100,000 rows at issue, marks at
    thousands a second): the order's audit entry and the marks log are its trail."""

    __tablename__ = "evacuation_households"
    __table_args__ = (
        CheckConstraint(one_of("state", HouseholdState), name="state"),
        UniqueConstraint("order_id", "jurisdiction_code", "household", name="uq_evacuation_households_key"),
        # The tally reads this index alone (people and vulnerable in it: no table lookups).
        Index(
            "ix_evacuation_households_order_state_place",
            "order_id",
            "state",
            "jurisdiction_code",
            "people",
            "vulnerable",
        ),
        Index("ix_evacuation_households_order_cell", "order_id", "grid_cell_id"),
    )

    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("evacuation_orders.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the household's group (or village)
    household: Mapped[str] = mapped_column(String(40))
    grid_cell_id: Mapped[int | None] = mapped_column(BigId)
    head_name: Mapped[str] = mapped_column(String(60))
    mobile: Mapped[str | None] = mapped_column(String(20))
    people: Mapped[int] = mapped_column(SmallInteger, default=1)
    vulnerable: Mapped[int] = mapped_column(SmallInteger, default=0)  # people with a vulnerability flag
    state: Mapped[str] = mapped_column(String(12), default=HouseholdState.PENDING.value)
    shelter_id: Mapped[int | None] = mapped_column(BigId)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # phone time of the mark in force
    marked_by: Mapped[int | None] = mapped_column(BigId)  # user id
    mark_id: Mapped[int | None] = mapped_column(BigId)  # evacuation_marks.id in force
    note: Mapped[str | None] = mapped_column(String(200))


class EvacuationTask(IdMixin, TimestampMixin, Audited, Base):
    """The order's task for one grid cell: its grid workers go household by household."""

    __tablename__ = "evacuation_tasks"
    __table_args__ = (
        CheckConstraint(one_of("state", TaskState), name="state"),
        UniqueConstraint("order_id", "grid_cell_id", name="uq_evacuation_tasks_cell"),
    )

    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("evacuation_orders.id", ondelete="CASCADE"))
    grid_cell_id: Mapped[int] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the cell's code
    assignee_ids: Mapped[list] = mapped_column(JSONType, default=list)  # person ids of the cell's staff
    households_total: Mapped[int] = mapped_column(Integer, default=0)
    people_total: Mapped[int] = mapped_column(Integer, default=0)
    vulnerable_total: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(10), default=TaskState.OPEN.value)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvacuationMark(IdMixin, Base):
    """One mark as received from the field (append-only)."""

    __tablename__ = "evacuation_marks"
    __table_args__ = (
        CheckConstraint(one_of("state", HouseholdState), name="state"),
        CheckConstraint(one_of("outcome", MarkOutcome), name="outcome"),
        UniqueConstraint("client_key", name="uq_evacuation_marks_client_key"),
        Index("ix_evacuation_marks_household", "household_id", "marked_at"),
        Index("ix_evacuation_marks_order_received", "order_id", "received_at"),
    )

    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("evacuation_orders.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(BigId)
    state: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(8))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the phone's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(BigId)
    shelter_id: Mapped[int | None] = mapped_column(BigId)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(200))
    override_note: Mapped[str | None] = mapped_column(String(200))  # an explicit, audited override
    client_key: Mapped[str] = mapped_column(String(64))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the household's
