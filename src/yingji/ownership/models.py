"""Ownership tables: one row per item and receiving office (its first receiver and current owner),
and the append-only log of hand-overs from one named person to another."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, one_of
from yingji.core.types import BigId, CodeStr
from yingji.ownership.codes import TakenHow


class Owned(IdMixin, Audited, Base):
    """An item held by one office (``holder_code``: the receiving level's division code): its first
    receiver (首接, never changed) and its current owner (changed only by a hand-over). An incident
    has one row per level that received it; a call or a tip-off has one."""

    __tablename__ = "owned_items"
    __table_args__ = (
        UniqueConstraint("kind", "item_id", "holder_code", name="uq_owned_items_kind_item_holder"),
        CheckConstraint(one_of("first_how", list(TakenHow)), name="first_how"),
        Index("ix_owned_items_owner", "owner_user_id", "kind"),
        Index("ix_owned_items_scope", "jurisdiction_code", "kind"),
    )

    kind: Mapped[str] = mapped_column(String(20))  # a registered kind: incident, tipoff, call …
    item_id: Mapped[int] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the item's place (scope)
    holder_code: Mapped[str] = mapped_column(CodeStr)  # the office that holds it
    first_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    first_name: Mapped[str] = mapped_column(String(100))
    first_at: Mapped[datetime] = mapped_column(default=clock.now)
    first_how: Mapped[str] = mapped_column(String(12))
    owner_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    owner_name: Mapped[str] = mapped_column(String(100))
    owner_since: Mapped[datetime] = mapped_column(default=clock.now)
    handovers: Mapped[int] = mapped_column(default=0)  # how many times it changed hands


class OwnerHandover(IdMixin, Audited, Base):
    """One hand-over (移交), never updated but for the new owner's acceptance: from the owner to a
    named person, when, why; by the owner or by a manager of the place (``as_manager``); in a shift
    hand-over (``shift_handover_id``) or on its own."""

    __tablename__ = "owner_handovers"
    __table_args__ = (
        Index("ix_owner_handovers_owned", "owned_id", "id"),
        Index("ix_owner_handovers_to", "to_user_id", "accepted_at"),
    )

    owned_id: Mapped[int] = mapped_column(BigId, ForeignKey("owned_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(BigId)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    from_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    from_name: Mapped[str] = mapped_column(String(100))
    to_user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    to_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    note: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(BigId)
    by_name: Mapped[str] = mapped_column(String(100))
    as_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    shift_handover_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("duty_handovers.id", ondelete="SET NULL"), index=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column()
