"""Shelter tables: the registry (RULES2 §11.5 fields), its managers, the opening and closing log, and
the stays (受灾群众安置登记: who checked in, how many people, when they left).

``occupancy`` is the number of people in the shelter now; it changes only in the same statement that
checks the capacity (``UPDATE … SET occupancy = occupancy + :n WHERE occupancy + :n <= capacity``), so
two check-ins racing for the last places cannot both win. ``status`` FULL follows occupancy.
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
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime
from yingji.shelters.codes import (
    ShelterClass,
    ShelterEventKind,
    ShelterLevel,
    ShelterStatus,
    SpaceType,
    StayState,
)


class Shelter(IdMixin, TimestampMixin, Audited, Base):
    """An emergency shelter (应急避难场所) with its grade, class, place, area and capacity."""

    __tablename__ = "shelters"
    __audit_exclude__ = frozenset({"outline"})
    __table_args__ = (
        CheckConstraint(one_of("level", ShelterLevel), name="level"),
        CheckConstraint(one_of("shelter_class", ShelterClass), name="class"),
        CheckConstraint(one_of("space_type", SpaceType), name="space_type"),
        CheckConstraint(one_of("status", ShelterStatus), name="status"),
        CheckConstraint("occupancy >= 0 AND occupancy <= capacity", name="occupancy"),
        CheckConstraint("capacity >= 0", name="capacity"),
        Index("ix_shelters_scope_status", "jurisdiction_code", "status"),
        Index("ix_shelters_lon_lat", "lon", "lat"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)  # registry number (import key)
    name: Mapped[str] = mapped_column(String(120), index=True)
    level: Mapped[str] = mapped_column(String(10))
    shelter_class: Mapped[str] = mapped_column(String(10))
    space_type: Mapped[str] = mapped_column(String(10), default=SpaceType.OUTDOOR.value)
    hazards: Mapped[list] = mapped_column(JSONType, default=list)  # event kinds it suits (适宜避难种类)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    outline: Mapped[str | None] = deferred(mapped_column(Text))  # GeoJSON polygon of the site
    total_area_m2: Mapped[float | None] = mapped_column(Float)
    usable_area_m2: Mapped[float | None] = mapped_column(Float)  # 有效避难面积
    # m² per person: from rules/shelter_standards.json by class unless the registry states its own.
    area_per_person_m2: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer, default=0)  # 可容纳人数 (computed unless stated)
    capacity_stated: Mapped[bool] = mapped_column(Boolean, default=False)  # the registry's own figure
    occupancy: Mapped[int] = mapped_column(Integer, default=0)  # people in it now
    households_in: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=ShelterStatus.CLOSED.value)
    service_radius_m: Mapped[int | None] = mapped_column(Integer)
    duration_days: Mapped[int | None] = mapped_column(SmallInteger)  # 避难时长
    # {"water": true, "power": true, "toilets": 12, "medical": true, "supplies": true, …}
    facilities: Mapped[dict] = mapped_column(JSONType, default=dict)
    entrances: Mapped[int | None] = mapped_column(SmallInteger)
    signage_ok: Mapped[bool | None] = mapped_column(Boolean)  # GB/T 44014-2024 signs in place
    dual_use: Mapped[bool] = mapped_column(Boolean, default=True)  # 平急两用 (school, park, gym …)
    managing_unit: Mapped[str | None] = mapped_column(String(120))  # 管护单位
    store_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))  # its own store
    standard: Mapped[str | None] = mapped_column(String(60))  # standard applied, e.g. GB/T 44013-2024
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_inspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false: removed from the registry
    drill_id: Mapped[int | None] = mapped_column(BigId)  # opened by an exercise (status is real otherwise)
    note: Mapped[str | None] = mapped_column(Text)

    jurisdiction = relationship("Jurisdiction", lazy="joined")
    managers = relationship("ShelterManager", back_populates="shelter", lazy="selectin")


class ShelterManager(IdMixin, Audited, Base):
    """A manager of a shelter (管理人员) and their phones; ``person_id`` when in the directory."""

    __tablename__ = "shelter_managers"

    shelter_id: Mapped[int] = mapped_column(BigId, ForeignKey("shelters.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    mobile: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30))
    duty: Mapped[str | None] = mapped_column(String(60))  # 负责人 / 管理员 / 联络员
    primary: Mapped[bool] = mapped_column(Boolean, default=False)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the shelter's

    shelter = relationship(Shelter, back_populates="managers")


class ShelterEvent(IdMixin, Base):
    """The shelter's log (运行情况日志): opened, closed, full, room again, inspected; append-only."""

    __tablename__ = "shelter_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", ShelterEventKind), name="kind"),
        Index("ix_shelter_events_shelter_at", "shelter_id", "at"),
    )

    shelter_id: Mapped[int] = mapped_column(BigId, ForeignKey("shelters.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(BigId)
    occupancy: Mapped[int] = mapped_column(Integer, default=0)  # people at that moment
    order_id: Mapped[int | None] = mapped_column(BigId)  # the evacuation order it was opened for
    note: Mapped[str | None] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class ShelterStay(IdMixin, Audited, Base):
    """A check-in (安置登记): a household or a person in a shelter, found by household, ID number or
    phone. ``client_key`` makes a check-in from a phone idempotent. ``household_id`` links the
    evacuation order's household when there is one, so the accounting follows the check-in."""

    __tablename__ = "shelter_stays"
    __table_args__ = (
        CheckConstraint(one_of("state", StayState), name="state"),
        CheckConstraint("people >= 1", name="people"),
        UniqueConstraint("client_key", name="uq_shelter_stays_client_key"),
        Index("ix_shelter_stays_shelter_state", "shelter_id", "state"),
        Index("ix_shelter_stays_order_household", "order_id", "household_id"),
    )

    shelter_id: Mapped[int] = mapped_column(BigId, ForeignKey("shelters.id"))
    order_id: Mapped[int | None] = mapped_column(BigId)  # evacuation_orders.id
    household_id: Mapped[int | None] = mapped_column(BigId)  # evacuation_households.id
    resident_id: Mapped[int | None] = mapped_column(BigId)  # residents.id of the person checking in
    home_code: Mapped[str | None] = mapped_column(CodeStr)  # where they live (group or village)
    household: Mapped[str | None] = mapped_column(String(40))  # household key in the resident registry
    name: Mapped[str] = mapped_column(String(60))  # the head or the person
    id_tail: Mapped[str | None] = mapped_column(String(4))  # last four of the ID number, never the whole
    mobile: Mapped[str | None] = mapped_column(String(20))
    people: Mapped[int] = mapped_column(SmallInteger, default=1)
    vulnerable: Mapped[int] = mapped_column(SmallInteger, default=0)
    needs: Mapped[str | None] = mapped_column(Text)  # 安置需求: medicine, diet, care …
    zone: Mapped[str | None] = mapped_column(String(40))  # 宿住区 / bed
    state: Mapped[str] = mapped_column(String(4), default=StayState.IN.value)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    checked_in_by: Mapped[int | None] = mapped_column(BigId)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_by: Mapped[int | None] = mapped_column(BigId)
    override_note: Mapped[str | None] = mapped_column(Text)  # why a full/closed shelter took them anyway
    client_key: Mapped[str | None] = mapped_column(String(64))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the shelter's
    drill_id: Mapped[int | None] = mapped_column(BigId)

    shelter = relationship(Shelter)


class ShelterInspection(IdMixin, Audited, Base):
    """A routine check of a shelter (日常管理): signs, facilities, supplies, problems found."""

    __tablename__ = "shelter_inspections"

    shelter_id: Mapped[int] = mapped_column(BigId, ForeignKey("shelters.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    by_name: Mapped[str | None] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(BigId)
    findings: Mapped[dict] = mapped_column(JSONType, default=dict)  # facility → ok / problem text
    passed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
