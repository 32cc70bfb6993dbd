"""Tables of the organisation: where (jurisdictions, grid cells), who (people) and which body (units).

Every table carries ``jurisdiction_code`` so that scope is one indexed range query.
"""

from __future__ import annotations

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
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr
from yingji.org.codes import LEVELS, division_code_12


class Jurisdiction(Audited, Base):
    """An administrative division keyed by its statistical code (significant digits only:
    province 2, city 4, county 6, town 9, village 12; village groups 15)."""

    __tablename__ = "jurisdictions"
    __audit_exclude__ = frozenset({"geometry"})
    __table_args__ = (
        CheckConstraint(f"level IN ({', '.join(repr(x) for x in LEVELS)})", name="level"),
        Index("ix_jurisdictions_level_lon", "level", "lon"),
    )

    code: Mapped[str] = mapped_column(CodeStr, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    # GeoJSON geometry text. Real for counties; generated for the demo's towns and below.
    geometry: Mapped[str | None] = deferred(mapped_column(Text))
    geometry_source: Mapped[str | None] = mapped_column(String(40))

    @property
    def division_code(self) -> str:
        return division_code_12(self.code)


class GridCell(IdMixin, TimestampMixin, Audited, Base):
    """A cell of the three-level grid: town (1), village (2), village group (3)."""

    __tablename__ = "grid_cells"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level"),)

    code: Mapped[str] = mapped_column(CodeStr, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(SmallInteger)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("grid_cells.id"), index=True)
    households: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    jurisdiction = relationship(Jurisdiction, lazy="joined")
    assignments = relationship("GridAssignment", back_populates="cell", lazy="selectin")


class Person(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "people"

    name: Mapped[str] = mapped_column(String(60), index=True)
    gender: Mapped[str | None] = mapped_column(String(1))
    # The mobile number is the natural key government offices use; unique when present.
    mobile: Mapped[str | None] = mapped_column(String(20), unique=True)
    office_phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(100))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    jurisdiction = relationship(Jurisdiction, lazy="joined")
    positions = relationship("Position", back_populates="person", lazy="selectin")
    grid_assignments = relationship("GridAssignment", back_populates="person", lazy="selectin")


class GridAssignment(IdMixin, TimestampMixin, Audited, Base):
    """A person serving a grid cell as grid leader (网格长) or grid worker (网格员)."""

    __tablename__ = "grid_assignments"
    __table_args__ = (
        UniqueConstraint("grid_cell_id", "person_id", "role", name="cell_person_role"),
        CheckConstraint("role IN ('leader', 'worker')", name="role"),
    )

    grid_cell_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grid_cells.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    duties: Mapped[str | None] = mapped_column(Text)

    cell = relationship(GridCell, back_populates="assignments", lazy="joined")
    person = relationship(Person, back_populates="grid_assignments", lazy="joined")


class Unit(IdMixin, TimestampMixin, Audited, Base):
    """A body: bureau department (股室), command HQ, specialised HQ, town emergency committee,
    its office and working groups, member units, village emergency service stations."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    topic: Mapped[str | None] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    duty_phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    sort: Mapped[int] = mapped_column(Integer, default=0)

    jurisdiction = relationship(Jurisdiction, lazy="joined")
    parent = relationship("Unit", remote_side="Unit.id", lazy="joined")
    responsibilities = relationship(
        "Responsibility",
        back_populates="unit",
        lazy="selectin",
        # seq, then id: lines added later may repeat a seq, and the order must not depend on the database
        order_by="(Responsibility.seq, Responsibility.id)",
    )
    positions = relationship("Position", back_populates="unit", lazy="selectin")


class UnitMembership(IdMixin, Audited, Base):
    """A member unit (成员单位) of a command HQ, possibly its lead unit (牵头单位)."""

    __tablename__ = "unit_memberships"
    __table_args__ = (
        UniqueConstraint("hq_id", "member_id", name="hq_member"),
        CheckConstraint("role IN ('lead', 'member')", name="role"),
    )

    hq_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    hq = relationship(Unit, foreign_keys=[hq_id], lazy="joined")
    member = relationship(Unit, foreign_keys=[member_id], lazy="joined")


class Responsibility(IdMixin, Audited, Base):
    """One line of a unit's responsibility list (职责清单), tagged with the topics it covers."""

    __tablename__ = "responsibilities"

    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    topics: Mapped[str | None] = mapped_column(String(200))  # comma-separated topic codes
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    unit = relationship(Unit, back_populates="responsibilities")


class Position(IdMixin, Audited, Base):
    """A person's post in a unit (总指挥, 主任, 带班领导, 值班员 …)."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("person_id", "unit_id", "title", name="person_unit_title"),)

    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("people.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20), default="member")
    sort: Mapped[int] = mapped_column(Integer, default=0)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    person = relationship(Person, back_populates="positions", lazy="joined")
    unit = relationship(Unit, back_populates="positions", lazy="joined")
