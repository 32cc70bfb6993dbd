"""Seismic registry tables: the people serving (a role of an org Person in a town or village, with
their observation point and period), their training, and their reports with photos."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr
from yingji.org.models import Person
from yingji.seismic.codes import PointType, ReportKind, ReportState, SeismicRole


class SeismicMember(IdMixin, TimestampMixin, Audited, Base):
    """A person serving as 助理员 / 宏观测报员 / 灾情速报员 of a town or village."""

    __tablename__ = "seismic_members"
    __table_args__ = (
        CheckConstraint(one_of("role", [r.value for r in SeismicRole]), name="role"),
        CheckConstraint(
            "point_type IS NULL OR " + one_of("point_type", [p.value for p in PointType]), name="point_type"
        ),
        CheckConstraint("active_to IS NULL OR active_to >= active_from", name="period"),
        UniqueConstraint(
            "person_id", "role", "jurisdiction_code", name="uq_seismic_members_person_role_place"
        ),
        Index("ix_seismic_members_scope_role", "jurisdiction_code", "role"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))  # the role's own number, else the person's
    point_type: Mapped[str | None] = mapped_column(String(16))
    point_location: Mapped[str | None] = mapped_column(String(200))
    point_object: Mapped[str | None] = mapped_column(String(200))  # e.g. "村东老井水位、水色"
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    person = relationship(Person, lazy="joined")


class SeismicTraining(IdMixin, Audited, Base):
    """A training a member took (培训): when, what, hours, result."""

    __tablename__ = "seismic_trainings"
    __table_args__ = (CheckConstraint("hours >= 0", name="hours"),)

    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("seismic_members.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    held_on: Mapped[date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float, default=0)
    result: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SeismicReport(IdMixin, TimestampMixin, Audited, Base):
    """A report from the field: 灾情速报 after a felt quake, a 宏观异常, or the monthly observation report."""

    __tablename__ = "seismic_reports"
    __table_args__ = (
        CheckConstraint(one_of("kind", [k.value for k in ReportKind]), name="kind"),
        CheckConstraint(one_of("state", [s.value for s in ReportState]), name="state"),
        CheckConstraint("intensity IS NULL OR intensity BETWEEN 1 AND 12", name="intensity"),
        CheckConstraint(
            "deaths >= 0 AND injured >= 0 AND houses_collapsed >= 0 AND houses_damaged >= 0", name="counts"
        ),
        UniqueConstraint("member_id", "kind", "month", name="uq_seismic_reports_monthly"),
        Index("ix_seismic_reports_scope_at", "jurisdiction_code", "occurred_at"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("seismic_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=ReportState.SUBMITTED.value)
    occurred_at: Mapped[datetime] = mapped_column()
    month: Mapped[str | None] = mapped_column(String(7))  # the monthly report's month (one per member)
    location: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    intensity: Mapped[int | None] = mapped_column(SmallInteger)  # felt intensity (烈度 I–XII)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    houses_collapsed: Mapped[int] = mapped_column(Integer, default=0)
    houses_damaged: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reported_by_user_id: Mapped[int | None] = mapped_column(BigId)
    reported_by: Mapped[str] = mapped_column(String(100))


class SeismicPhoto(IdMixin, Audited, Base):
    """A photo of a report, kept by content hash (incidents.photos.keep)."""

    __tablename__ = "seismic_photos"
    __table_args__ = (UniqueConstraint("report_id", "sha256", name="uq_seismic_photos_report_sha"),)

    report_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("seismic_reports.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


__all__ = ["SeismicMember", "SeismicPhoto", "SeismicReport", "SeismicTraining"]
