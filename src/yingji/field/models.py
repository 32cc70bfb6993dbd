"""Door-to-door ticks: one row per tick sent from a phone (户户到), keyed by the phone's client key so
a tick replayed after a lost answer lands once. The household's state is its last tick."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin
from yingji.core.types import BigId, CodeStr


class DoorVisit(IdMixin, Audited, Base):
    """A household ticked (reached) or unticked on a door-to-door task, by whom and when."""

    __tablename__ = "door_visits"
    __table_args__ = (Index("ix_door_visits_task_household", "task_id", "household", "id"),)

    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("door_tasks.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the task's cell
    household: Mapped[str] = mapped_column(String(40))
    reached: Mapped[bool] = mapped_column(Boolean, default=True)
    visited_at: Mapped[datetime] = mapped_column()  # the phone's time of the tick
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    user_id: Mapped[int | None] = mapped_column(BigId)
    visitor_name: Mapped[str] = mapped_column(String(60))
    visitor_phone: Mapped[str | None] = mapped_column(String(20))
    client_key: Mapped[str] = mapped_column(String(64), unique=True)
