"""Handbook tables.

- ``handbook_editions``: one generated file of a place's handbook (PDF or DOCX): when its data were
  read, its SHA-256 and pages, whether its phones are masked, and where the file is kept.
- ``handbook_prints``: a print run of an edition (copies, date) with how many have been handed out,
  kept under a guarded UPDATE so concurrent distributions never hand out more than were printed.
- ``handbook_distributions``: copies of a print run handed to a unit, a person or someone named.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime
from yingji.handbook.codes import EditionState, Format, RecipientKind


class Edition(IdMixin, Audited, Base):
    __tablename__ = "handbook_editions"
    __table_args__ = (
        CheckConstraint(one_of("format", Format), name="format"),
        CheckConstraint(one_of("state", EditionState), name="state"),
        Index("ix_handbook_editions_scope", "jurisdiction_code", "id"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    format: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(8), default=EditionState.QUEUED.value)
    masked: Mapped[bool] = mapped_column(Boolean, default=False)  # phones masked for its reader
    title: Mapped[str] = mapped_column(String(200))
    data_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its data were read
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)  # PDF only
    summary: Mapped[dict | None] = mapped_column(JSONType)  # counts of what it holds
    path: Mapped[str | None] = mapped_column(String(500))  # under the var directory's files/
    message: Mapped[str | None] = mapped_column(String(300))  # why it failed (an English message id)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Print(IdMixin, Audited, Base):
    __tablename__ = "handbook_prints"
    __table_args__ = (
        CheckConstraint("copies > 0", name="copies"),
        CheckConstraint("distributed >= 0 AND distributed <= copies", name="distributed"),
        Index("ix_handbook_prints_scope", "jurisdiction_code", "printed_on"),
    )

    edition_id: Mapped[int] = mapped_column(BigId, ForeignKey("handbook_editions.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    copies: Mapped[int] = mapped_column(Integer)
    distributed: Mapped[int] = mapped_column(Integer, default=0)
    printed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    edition = relationship(Edition, lazy="joined")


class Distribution(IdMixin, Audited, Base):
    __tablename__ = "handbook_distributions"
    __table_args__ = (
        CheckConstraint(one_of("recipient_kind", RecipientKind), name="recipient_kind"),
        CheckConstraint("copies > 0", name="copies"),
        Index("ix_handbook_distributions_scope", "jurisdiction_code", "print_id"),
    )

    print_id: Mapped[int] = mapped_column(BigId, ForeignKey("handbook_prints.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the print run's place
    recipient_kind: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(120))  # as it stood when handed out
    copies: Mapped[int] = mapped_column(Integer)
    distributed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
