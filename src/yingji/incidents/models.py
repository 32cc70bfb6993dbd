"""Incident tables: the incident (current state), its versioned reports, and its timeline.

Reports are an append-only ledger (首报 → 续报 → 终报); the incident row carries the latest
figures, grade and status, updated in the same transaction as the report that changed them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr, JSONType

# The figures every report carries (absent = 0); grading reads the ones its rule table names.
MEASURES = (
    "deaths",
    "missing",
    "serious_injuries",
    "injuries",
    "trapped",
    "direct_loss_cny",
    "relocated",
    "affected",
    "needing_aid",
    "collapsed_rooms",
    "collapsed_households",
    "threatened_people",
    "potential_loss_cny",
)


class FiguresMixin:
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    serious_injuries: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    direct_loss_cny: Mapped[int] = mapped_column(BigInteger, default=0)
    relocated: Mapped[int] = mapped_column(Integer, default=0)
    affected: Mapped[int] = mapped_column(Integer, default=0)
    needing_aid: Mapped[int] = mapped_column(Integer, default=0)
    collapsed_rooms: Mapped[int] = mapped_column(Integer, default=0)
    collapsed_households: Mapped[int] = mapped_column(Integer, default=0)
    threatened_people: Mapped[int] = mapped_column(Integer, default=0)
    potential_loss_cny: Mapped[int] = mapped_column(BigInteger, default=0)

    def figures(self) -> dict[str, int]:
        return {m: getattr(self, m) or 0 for m in MEASURES}


class Incident(IdMixin, TimestampMixin, FiguresMixin, Audited, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(
            "status IN ('reported', 'verified', 'responding', 'stabilised', 'closed')", name="status"
        ),
        CheckConstraint("grade IS NULL OR grade IN ('I', 'II', 'III', 'IV')", name="grade"),
        Index("ix_incidents_jurisdiction_occurred", "jurisdiction_code", "occurred_at"),
        Index("ix_incidents_status_jurisdiction", "status", "jurisdiction_code"),
        Index("ix_incidents_occurred", "occurred_at"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. 520602-20261124-0003
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(60), index=True)  # rules/event_categories.json
    grading_kind: Mapped[str | None] = mapped_column(String(40))  # which grading table applies
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    lon: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()  # first report received (clocks start here)
    status: Mapped[str] = mapped_column(String(12), default="reported")
    grade: Mapped[str | None] = mapped_column(String(3))
    grade_basis: Mapped[list | None] = mapped_column(JSONType)  # the explanation lines of the grade
    response_level: Mapped[int | None] = mapped_column(Integer)  # 1 (highest) … 4, set by response
    description: Mapped[str | None] = mapped_column(Text)
    reported_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    reporter_name: Mapped[str | None] = mapped_column(String(60))
    reporter_phone: Mapped[str | None] = mapped_column(String(30))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    merged_into_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"))
    closed_at: Mapped[datetime | None] = mapped_column()

    jurisdiction = relationship("Jurisdiction", lazy="joined")
    reports = relationship(
        "IncidentReport", back_populates="incident", order_by="IncidentReport.seq", lazy="selectin"
    )


class IncidentReport(IdMixin, FiguresMixin, Audited, Base):
    """One report in the chain: 首报 (first), 续报 (follow_up), 终报 (final). Never updated."""

    __tablename__ = "incident_reports"
    __table_args__ = (
        UniqueConstraint("incident_id", "seq", name="incident_seq"),
        CheckConstraint("kind IN ('first', 'follow_up', 'final')", name="kind"),
    )

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … in arrival order
    kind: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    from_level: Mapped[str | None] = mapped_column(String(10))  # village, town, county … that sent it
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the sender's jurisdiction
    submitted_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(Text)
    grade_after: Mapped[str | None] = mapped_column(String(3))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    incident = relationship(Incident, back_populates="reports")


class TimelineEvent(IdMixin, Base):
    """The significant-events log of an incident (append-only), written by flows, never by hand
    except notes. ``summary`` is ready-to-show Chinese; ``data`` keeps the structured facts."""

    __tablename__ = "incident_timeline"
    __table_args__ = (Index("ix_incident_timeline_incident_at", "incident_id", "at"),)

    incident_id: Mapped[int] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    kind: Mapped[str] = mapped_column(String(40))  # report, grade, status, deadline, task, response …
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    actor: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
