"""Tables of users, their sessions and tokens, login throttling and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr, JSONType


class User(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "users"
    __audit_exclude__ = frozenset({"password_hash"})

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column()

    jurisdiction = relationship("Jurisdiction", lazy="joined")


class UserSession(Base):
    """A browser login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class ApiToken(IdMixin, Audited, Base):
    """A token for machines (Authorization: Bearer). Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __audit_exclude__ = frozenset({"token_hash"})

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class LoginThrottle(Base):
    """A run of failed logins per key (``ip:<addr>``, ``user:<name>``, ``pair:<name>|<addr>``,
    ``bypass:<name>``, ``browser:<nonce>``), shared by all server processes: ``locked_until`` is the
    earliest time the key may try again (see ``auth/throttle.py``)."""

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_last_failure_at", "last_failure_at"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column()  # the run's first failure
    last_failure_at: Mapped[datetime | None] = mapped_column()
    locked_until: Mapped[datetime | None] = mapped_column()


class AuditEntry(IdMixin, Base):
    """Append-only: who did what to which record, when, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_jurisdiction_at", "jurisdiction_code", "at"),
    )

    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigId, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr)
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class SecurityEvent(IdMixin, Base):
    """A refusal (403, a scope probe, a failed login, a bad token or CSRF token), at most one row per
    principal, kind and minute: the rest of that minute only raise ``count`` (see ``auth/security.py``).
    Not in ``audit_log``: those rows record changes, one per write, while these are counted floods
    with their own key (``bucket``) for an atomic upsert, their own filters and their own page."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_jurisdiction_at", "jurisdiction_code", "at"),
        Index("ix_security_events_user_jurisdiction_at", "user_jurisdiction_code", "at"),
    )

    bucket: Mapped[str] = mapped_column(String(250), unique=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)  # the first of the minute
    last_at: Mapped[datetime] = mapped_column(default=clock.now)
    count: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(BigId, index=True)
    username: Mapped[str | None] = mapped_column(String(100))  # the principal, or the name tried
    user_jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr)
    ip: Mapped[str | None] = mapped_column(String(64), index=True)
    entity: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr)  # where the object lies
    method: Mapped[str | None] = mapped_column(String(10))
    path: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
