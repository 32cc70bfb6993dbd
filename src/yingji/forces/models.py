"""Tables of the rescue forces: teams, members and their certificates, equipment, readiness history,
dispatches to incidents, and the version counter of the in-memory index.

Readiness is the team row's current state plus an append-only history (``team_readiness_log``),
written in the same transaction. Every change to a team or a member bumps ``forces_index_version`` in
the same flush, so each process knows when its nearest-team index is stale.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr
from yingji.forces.codes import Readiness

READINESS_STATES = tuple(s.value for s in Readiness)
_STATES_SQL = ", ".join(repr(s) for s in READINESS_STATES)


class Team(IdMixin, TimestampMixin, Audited, Base):
    """A rescue team (救援队伍) of any kind, with its base, capabilities and current readiness."""

    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint(f"readiness IN ({_STATES_SQL})", name="readiness"),
        CheckConstraint(
            "capability_grade IS NULL OR capability_grade IN ('light', 'medium', 'heavy')", name="grade"
        ),
        Index("ix_teams_jurisdiction_kind", "jurisdiction_code", "kind"),
    )

    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(120))  # 主管单位 / 依托单位
    duty_phone: Mapped[str | None] = mapped_column(String(30))
    capabilities: Mapped[str] = mapped_column(String(300), default="")  # comma-separated codes
    readiness: Mapped[str] = mapped_column(String(12), default="on_call")
    readiness_since: Mapped[datetime] = mapped_column(default=clock.now)
    readiness_note: Mapped[str | None] = mapped_column(String(200))
    deployed_incident_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    member_count: Mapped[int] = mapped_column(Integer, default=0)  # kept with the members, under lock
    # Social forces: registration (备案登记), grading (分级分类测评), group insurance.
    registration_no: Mapped[str | None] = mapped_column(String(60))
    registered_on: Mapped[date | None] = mapped_column(Date)
    registered_with: Mapped[str | None] = mapped_column(String(120))
    capability_grade: Mapped[str | None] = mapped_column(String(8))
    graded_on: Mapped[date | None] = mapped_column(Date)
    insurance_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    jurisdiction = relationship("Jurisdiction", lazy="joined")


class TeamMember(IdMixin, TimestampMixin, Audited, Base):
    """A member of a team (队员); linked to an organisation person when they are one."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "mobile", name="uq_team_members_team_mobile"),
        CheckConstraint("role IN ('leader', 'deputy', 'member')", name="role"),
        Index("ix_team_members_team_role", "team_id", "role"),
    )

    team_id: Mapped[int] = mapped_column(BigId, ForeignKey("teams.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the team's
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    gender: Mapped[str | None] = mapped_column(String(1))
    mobile: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(8), default="member")
    squad: Mapped[str | None] = mapped_column(String(20))  # squad of a town brigade (codes.SQUADS)
    skills: Mapped[str | None] = mapped_column(String(300))  # free words, comma-separated
    insurance_until: Mapped[date | None] = mapped_column(Date)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    team = relationship(Team, lazy="joined")
    certificates = relationship(
        "MemberCertificate",
        back_populates="member",
        lazy="selectin",
        order_by="MemberCertificate.expires_on",
        cascade="all, delete-orphan",
    )


class MemberCertificate(IdMixin, Audited, Base):
    """A certificate of a member (急救员证, 冲锋舟驾驶证 …) and when it expires."""

    __tablename__ = "member_certificates"
    __table_args__ = (Index("ix_member_certificates_expires", "expires_on"),)

    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("team_members.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(BigId, ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    name: Mapped[str] = mapped_column(String(80))
    number: Mapped[str | None] = mapped_column(String(60))
    expires_on: Mapped[date | None] = mapped_column(Date)

    member = relationship(TeamMember, back_populates="certificates")


class TeamEquipment(IdMixin, TimestampMixin, Audited, Base):
    """Equipment and vehicles of a team: type, count and state."""

    __tablename__ = "team_equipment"
    __table_args__ = (
        CheckConstraint("category IN ('vehicle', 'equipment')", name="category"),
        CheckConstraint("state IN ('good', 'repair', 'retired')", name="state"),
        CheckConstraint("quantity >= 0", name="quantity"),
    )

    team_id: Mapped[int] = mapped_column(BigId, ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    category: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    model: Mapped[str | None] = mapped_column(String(80))
    plate: Mapped[str | None] = mapped_column(String(20))  # vehicles
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(8), default="good")
    note: Mapped[str | None] = mapped_column(String(200))


class ReadinessChange(IdMixin, Base):
    """One change of a team's readiness (append-only). ``client_key`` makes a phone's retry land once."""

    __tablename__ = "team_readiness_log"
    __table_args__ = (
        Index("ix_team_readiness_log_team_at", "team_id", "at"),
        CheckConstraint(f"to_state IN ({_STATES_SQL})", name="to_state"),
    )

    team_id: Mapped[int] = mapped_column(BigId, ForeignKey("teams.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(200))
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="SET NULL"))
    actor: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(BigId)
    client_key: Mapped[str | None] = mapped_column(String(80), unique=True)


class TeamDispatch(IdMixin, Audited, Base):
    """A team committed to an incident (出动), with the travel estimate and the reason it was chosen."""

    __tablename__ = "team_dispatches"
    __table_args__ = (
        UniqueConstraint("batch_key", "team_id", name="uq_team_dispatches_batch_team"),
        CheckConstraint("state IN ('dispatched', 'returned')", name="state"),
        Index("ix_team_dispatches_incident", "incident_id", "team_id"),
    )

    incident_id: Mapped[int] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(BigId, ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the team's
    batch_key: Mapped[str] = mapped_column(String(80))  # the client key of the commit
    state: Mapped[str] = mapped_column(String(10), default="dispatched")
    committed_at: Mapped[datetime] = mapped_column(default=clock.now)
    committed_by: Mapped[str | None] = mapped_column(String(100))
    travel_minutes: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(300))
    returned_at: Mapped[datetime | None] = mapped_column()

    team = relationship(Team, lazy="joined")


class ForcesIndexVersion(Base):
    """One row: bumped with every change to teams or members, so cached indexes know they are stale."""

    __tablename__ = "forces_index_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


_INDEXED = (Team, TeamMember)


def bump_index_version(session: Session) -> None:
    """Mark every process's nearest-team index stale (call after bulk writes; ORM writes do it themselves)."""
    session.execute(
        update(ForcesIndexVersion)
        .where(ForcesIndexVersion.id == 1)
        .values(version=ForcesIndexVersion.version + 1)
        .execution_options(synchronize_session=False)
    )


@event.listens_for(Session, "after_flush")
def _bump_on_team_change(session: Session, flush_context) -> None:
    if any(isinstance(o, _INDEXED) for o in (*session.new, *session.dirty, *session.deleted)):
        session.connection().execute(
            update(ForcesIndexVersion)
            .where(ForcesIndexVersion.id == 1)
            .values(version=ForcesIndexVersion.version + 1)
        )
