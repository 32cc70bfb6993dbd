"""Incident tables: the incident (current state), its versioned reports, the levels that received
it, its reporting deadlines, photos, and its timeline.

Reports are an append-only ledger (首报 → 续报 → 终报, then 补报); the incident row carries the latest
figures, grade and status, updated in the same transaction as the report that changed them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.incidents.codes import DeadlineState, ReceiptHow, ReportKind, ReportSource
from yingji.incidents.status import IncidentStatus

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
        # The list's covering index: count, filters and the page's ids without touching the table.
        Index(
            "ix_incidents_live_scope",
            "jurisdiction_code",
            "occurred_at",
            "status",
            "category",
            "grade",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NULL"),
            postgresql_where=text("merged_into_id IS NULL"),
            postgresql_include=["id"],
        ),
        # The overview's trends of a city or province: time windows read from the index alone.
        Index(
            "ix_incidents_occurred_cover",
            "occurred_at",
            "jurisdiction_code",
            "category",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NULL"),
            postgresql_where=text("merged_into_id IS NULL"),
        ),
    )

    # e.g. 520602-20261124-0003; "C" collation on PostgreSQL so a number prefix is an index range
    number: Mapped[str] = mapped_column(
        String(40).with_variant(String(40, collation="C"), "postgresql"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(60), index=True)  # rules/event_categories.json
    grading_kind: Mapped[str | None] = mapped_column(String(40))  # which grading table applies
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    lon: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()  # first report received (clocks start here)
    status: Mapped[str] = mapped_column(String(12), default=IncidentStatus.REPORTED.value)
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
    located_by: Mapped[str | None] = mapped_column(String(8))  # gps, map, place
    final_report_at: Mapped[datetime | None] = mapped_column()
    supplementary_until: Mapped[datetime | None] = mapped_column()  # end of the 补报 window
    # Created by an exercise (演练): shown with its badge everywhere, left out of real statistics.
    drill_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drills.id"), index=True)

    jurisdiction = relationship("Jurisdiction", lazy="joined")
    reports = relationship(
        "IncidentReport", back_populates="incident", order_by="IncidentReport.seq", lazy="selectin"
    )


class IncidentReport(IdMixin, FiguresMixin, Audited, Base):
    """One report in the chain: 首报 (first), 续报 (follow_up), 终报 (final), 补报 (supplementary,
    a figure change inside the window after the final report). Never updated.

    ``source``: ``chain`` — reported to the sender by the scene or the level below; ``own`` — the
    sender's level learned of it by itself (the levels below never reported it: 漏报); ``merged`` —
    copied from a duplicate incident when the two were merged."""

    __tablename__ = "incident_reports"
    __table_args__ = (
        UniqueConstraint("incident_id", "seq", name="incident_seq"),
        CheckConstraint(one_of("kind", ReportKind), name="kind"),
        CheckConstraint(one_of("source", ReportSource), name="source"),
        Index("ix_incident_reports_received", "received_at"),
    )

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … in arrival order
    kind: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    from_level: Mapped[str | None] = mapped_column(String(10))  # village, town, county … that sent it
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the sender's jurisdiction
    submitted_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(Text)
    grade_after: Mapped[str | None] = mapped_column(String(3))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(8), default=ReportSource.CHAIN)
    merged_from_report_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incident_reports.id"))

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


class ReportingDeadline(IdMixin, Audited, Base):
    """One reporting obligation: the incident must reach level ``to_level`` by ``due_at``.

    ``open`` until the level receives it (``met`` in time, ``late`` = 迟报 after the deadline),
    ``missed`` (漏报) when that level learned of it by itself, ``waived`` when a lower grade or a
    merge no longer requires it. ``overdue_at`` is set once, by the deadline's job."""

    __tablename__ = "incident_deadlines"
    __table_args__ = (
        CheckConstraint(one_of("state", DeadlineState), name="state"),
        Index("ix_incident_deadlines_state_due", "state", "due_at"),
    )

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the incident's place
    to_level: Mapped[str] = mapped_column(String(10))  # town, county, city, province, national
    to_code: Mapped[str] = mapped_column(CodeStr)  # the receiving jurisdiction ("" = national)
    channel: Mapped[str] = mapped_column(String(10), default="report")
    due_at: Mapped[datetime] = mapped_column()
    basis: Mapped[str] = mapped_column(Text)
    grade: Mapped[str | None] = mapped_column(String(3))  # the grade that required it
    state: Mapped[str] = mapped_column(String(8), default=DeadlineState.OPEN)
    met_at: Mapped[datetime | None] = mapped_column()
    overdue_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    report_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incident_reports.id"))

    incident = relationship(Incident, lazy="raise")


class IncidentReceipt(IdMixin, Audited, Base):
    """When a level received the incident: a user of that level submitted a report on it,
    acknowledged it (签收), or the level below forwarded it there (上报). One row per level."""

    __tablename__ = "incident_receipts"
    __table_args__ = (
        UniqueConstraint("incident_id", "level", name="uq_incident_receipts_incident_level"),
        CheckConstraint(one_of("how", ReceiptHow), name="how"),
    )

    incident_id: Mapped[int] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the incident's place
    level: Mapped[str] = mapped_column(String(10))
    level_code: Mapped[str] = mapped_column(CodeStr)
    received_at: Mapped[datetime] = mapped_column()
    how: Mapped[str] = mapped_column(String(12))
    from_level: Mapped[str | None] = mapped_column(String(10))
    by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    report_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incident_reports.id"))


class IncidentPhoto(IdMixin, Audited, Base):
    """A photo of an incident, stored under var/uploads by content hash; served only in scope."""

    __tablename__ = "incident_photos"
    __table_args__ = (UniqueConstraint("incident_id", "sha256", name="uq_incident_photos_incident_sha256"),)

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incident_reports.id"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class IncidentNumberCounter(Base):
    """The last serial handed out per county and local day (incident numbers 520602-20261124-0003)."""

    __tablename__ = "incident_number_counters"

    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
