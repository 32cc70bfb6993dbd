"""Warning tables: CAP 1.2 as the native model (alert → info → area / resource), the lifecycle,
versions and upstream feeds.

One row of ``warnings`` is one CAP message (an ``alert``). The first issue is ``msg_type`` Alert; an
update (Update) or a lift (解除, Cancel) is a new row whose ``root_id`` points at the first issue and
whose ``references`` name the earlier messages, so every issue stays as it was sent. The row carries
the lifecycle state and a summary of its primary (Chinese) ``info`` for lists, scope and delivery;
the ``warning_infos`` rows keep every CAP info block in full.
"""

from __future__ import annotations

from datetime import datetime

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.warnings.codes import WarningStatus

LEVELS = ("red", "orange", "yellow", "blue")  # 一级红 二级橙 三级黄 四级蓝 (突发事件应对法 第六十三条)
STATUSES = tuple(s.value for s in WarningStatus)  # the transition table is in codes.py, beside the enum
ORIGINS = ("local", "import", "feed")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


class Warning(IdMixin, TimestampMixin, Audited, Base):
    """One CAP alert message and its lifecycle state (see ``yingji.warnings.lifecycle``)."""

    __tablename__ = "warnings"
    __audit_exclude__ = frozenset({"raw_xml"})
    __table_args__ = (
        UniqueConstraint("sender", "identifier", name="uq_warnings_sender_identifier"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint(f"level IS NULL OR level IN ({_in(LEVELS)})", name="level"),
        CheckConstraint(f"origin IN ({_in(ORIGINS)})", name="origin"),
        Index("ix_warnings_status_jurisdiction", "status", "jurisdiction_code"),
        Index("ix_warnings_jurisdiction_created", "jurisdiction_code", "created_at"),
    )

    # CAP alert
    identifier: Mapped[str | None] = mapped_column(String(200))  # assigned when published (local)
    sender: Mapped[str] = mapped_column(String(200))
    sender_code: Mapped[str | None] = mapped_column(String(20))  # Chinese profile senderCode
    sent: Mapped[datetime | None] = mapped_column()
    cap_status: Mapped[str] = mapped_column(String(10), default="Actual")
    msg_type: Mapped[str] = mapped_column(String(8), default="Alert")
    source: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(10), default="Public")
    restriction: Mapped[str | None] = mapped_column(Text)
    addresses: Mapped[str | None] = mapped_column(Text)
    codes: Mapped[list | None] = mapped_column(JSONType)  # CAP <code>; the profile's channel codes
    note: Mapped[str | None] = mapped_column(Text)
    references: Mapped[list | None] = mapped_column("cap_references", JSONType)  # "sender,identifier,sent"
    cap_incidents: Mapped[list | None] = mapped_column(JSONType)

    # Lifecycle and summary of the primary info
    status: Mapped[str] = mapped_column(String(10), default=WarningStatus.DRAFT.value)
    level: Mapped[str | None] = mapped_column(String(6))
    category: Mapped[str | None] = mapped_column(String(20))  # natural / accident / health / social
    event_type: Mapped[str | None] = mapped_column(String(40))  # template key, e.g. rainstorm
    event: Mapped[str | None] = mapped_column(String(200))
    headline: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)  # 警示事项
    instruction: Mapped[str | None] = mapped_column(Text)  # 应当采取的措施
    sender_name: Mapped[str | None] = mapped_column(String(200))  # 发布单位
    area_desc: Mapped[str | None] = mapped_column(Text)
    effective: Mapped[datetime | None] = mapped_column()
    onset: Mapped[datetime | None] = mapped_column()
    expires: Mapped[datetime | None] = mapped_column(index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    root_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"), index=True)
    previous_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"))
    origin: Mapped[str] = mapped_column(String(8), default="local")
    origin_ref: Mapped[str | None] = mapped_column(String(300))
    feed_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warning_feeds.id", ondelete="SET NULL"))
    relay: Mapped[bool] = mapped_column(Boolean, default=True)  # fan out to our recipients
    raw_xml: Mapped[str | None] = deferred(mapped_column(Text))  # imported message as received
    template_key: Mapped[str | None] = mapped_column(String(40))
    locked_fields: Mapped[list | None] = mapped_column(JSONType)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    author_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column()
    approved_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str | None] = mapped_column(Text)
    published_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()  # updated, lifted or expired
    # Injected by an exercise (演练): delivered to the sandbox only, never public.
    drill_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drills.id"), index=True)

    infos = relationship(
        "WarningInfo",
        back_populates="warning",
        order_by="WarningInfo.seq",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    @property
    def chain_id(self) -> int:
        """The id of the first issue (itself for an Alert)."""
        return self.root_id or self.id

    @property
    def primary_info(self) -> WarningInfo | None:
        """The Chinese info block if there is one, else the first."""
        for info in self.infos:
            if (info.language or "").lower().startswith("zh"):
                return info
        return self.infos[0] if self.infos else None

    def all_areas(self) -> list[WarningArea]:
        return [area for info in self.infos for area in info.areas]

    def area_geometry(self) -> BaseGeometry:
        """Union of every polygon and circle of the warning's areas (lon/lat; circles in metres)."""
        from yingji.warnings.geometry import area_union

        areas = self.all_areas()
        return area_union(
            [p for a in areas for p in (a.polygons or [])], [c for a in areas for c in (a.circles or [])]
        )

    def area_codes(self) -> list[str]:
        """Division codes named by the areas' geocodes, in the database's significant-digit form."""
        from yingji.warnings.profile import division_codes

        return division_codes([g for a in self.all_areas() for g in (a.geocodes or [])])

    def is_current(self, at: datetime | None = None) -> bool:
        """Published and not past its expiry."""
        at = at or clock.now()
        return self.status == WarningStatus.PUBLISHED and (self.expires is None or self.expires > at)


class WarningInfo(IdMixin, Audited, Base):
    """A CAP ``info`` block (one per language; several events may share an alert)."""

    __tablename__ = "warning_infos"
    __table_args__ = (UniqueConstraint("warning_id", "seq", name="uq_warning_infos_warning_seq"),)

    warning_id: Mapped[int] = mapped_column(BigId, ForeignKey("warnings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    language: Mapped[str] = mapped_column(String(35), default="zh-CN")
    categories: Mapped[list] = mapped_column(JSONType, default=list)
    event: Mapped[str] = mapped_column(Text)
    response_types: Mapped[list | None] = mapped_column(JSONType)
    urgency: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))  # CAP 1.2 value (colour kept on the warning)
    certainty: Mapped[str] = mapped_column(String(12))
    audience: Mapped[str | None] = mapped_column(Text)
    event_codes: Mapped[list | None] = mapped_column(JSONType)  # [[valueName, value], …]
    effective: Mapped[datetime | None] = mapped_column()
    onset: Mapped[datetime | None] = mapped_column()
    expires: Mapped[datetime | None] = mapped_column()
    sender_name: Mapped[str | None] = mapped_column(Text)
    headline: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    instruction: Mapped[str | None] = mapped_column(Text)
    web: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[list | None] = mapped_column(JSONType)  # [[valueName, value], …]

    warning = relationship(Warning, back_populates="infos")
    areas = relationship(
        "WarningArea", order_by="WarningArea.seq", lazy="selectin", cascade="all, delete-orphan"
    )
    resources = relationship(
        "WarningResource", order_by="WarningResource.seq", lazy="selectin", cascade="all, delete-orphan"
    )


class WarningArea(IdMixin, Audited, Base):
    """A CAP ``area``: polygons as [[lat, lon], …] (closed), circles as [lat, lon, radius_m]."""

    __tablename__ = "warning_areas"
    __audit_exclude__ = frozenset({"polygons"})

    info_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("warning_infos.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    area_desc: Mapped[str] = mapped_column(Text)
    polygons: Mapped[list | None] = mapped_column(JSONType)
    circles: Mapped[list | None] = mapped_column(JSONType)
    geocodes: Mapped[list | None] = mapped_column(JSONType)  # [[valueName, value], …]
    altitude: Mapped[float | None] = mapped_column(Float)
    ceiling: Mapped[float | None] = mapped_column(Float)


class WarningResource(IdMixin, Audited, Base):
    """A CAP ``resource`` (a map, an audio file for loudspeakers …), by reference or inline."""

    __tablename__ = "warning_resources"
    __audit_exclude__ = frozenset({"deref_uri"})

    info_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("warning_infos.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    resource_desc: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    uri: Mapped[str | None] = mapped_column(Text)
    deref_uri: Mapped[str | None] = deferred(mapped_column(Text))
    digest: Mapped[str | None] = mapped_column(String(128))


class WarningVersion(IdMixin, Base):
    """Append-only history of a warning: every edit and state change with a full snapshot."""

    __tablename__ = "warning_versions"
    __table_args__ = (UniqueConstraint("warning_id", "seq", name="uq_warning_versions_warning_seq"),)

    warning_id: Mapped[int] = mapped_column(BigId, ForeignKey("warnings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    action: Mapped[str] = mapped_column(String(20))  # created, edited, submitted, approved, rejected …
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    user_id: Mapped[int | None] = mapped_column(BigId)
    actor: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict] = mapped_column(JSONType)


class WarningFeed(IdMixin, TimestampMixin, Audited, Base):
    """An upstream CAP or Atom feed polled on the job queue; entries deduplicated by sender +
    identifier (the ``warnings`` unique key) and by the entry keys already seen."""

    __tablename__ = "warning_feeds"
    __table_args__ = (
        UniqueConstraint("url", name="uq_warning_feeds_url"),
        CheckConstraint("kind IN ('atom', 'cap')", name="kind"),
    )

    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(8), default="atom")
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    relay: Mapped[bool] = mapped_column(Boolean, default=False)  # pass imported warnings on
    interval_s: Mapped[int] = mapped_column(Integer, default=300)
    last_polled_at: Mapped[datetime | None] = mapped_column()
    last_ok_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[list | None] = mapped_column(JSONType)  # entry keys already fetched (bounded)


class WarningSenderAuthority(IdMixin, TimestampMixin, Audited, Base):
    """``authority`` may update or cancel the warnings that ``sender`` issued within
    ``jurisdiction_code`` (e.g. the provincial bureau over a city's feed). Without such a row, an
    imported Update or Cancel acts only on warnings of its own sender."""

    __tablename__ = "warning_sender_authorities"
    __table_args__ = (
        UniqueConstraint(
            "sender", "authority", "jurisdiction_code", name="uq_warning_sender_authorities_pair"
        ),
    )

    sender: Mapped[str] = mapped_column(String(200), index=True)
    authority: Mapped[str] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))


class WarningFeedHost(IdMixin, TimestampMixin, Audited, Base):
    """A host the administrator allows feeds to be fetched from: a name (``cma.gov.cn``), a
    wildcard (``*.cma.gov.cn``) or an address / CIDR (``10.20.0.0/16``). Private, loopback and
    link-local addresses are refused unless the entry says ``allow_private``."""

    __tablename__ = "warning_feed_hosts"
    __table_args__ = (UniqueConstraint("pattern", name="uq_warning_feed_hosts_pattern"),)

    pattern: Mapped[str] = mapped_column(String(255))
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
