"""The resident registry: one row per resident, placed in a village group (or a village when the
group is unknown), with the household, the vulnerable-person flags and the warning subscription.

Personal information collected for emergencies is limited to what warning delivery and door-to-door
checks need (突发事件应对法 第八十四–八十五条): name, phone, place, household and three flags.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import CodeStr

# The order in which a door-to-door list shows residents: most vulnerable first.
VULNERABILITY_FLAGS = ("disabled", "lives_alone", "very_old")


class Resident(IdMixin, TimestampMixin, Audited, Base):
    """A resident (居民). ``jurisdiction_code`` is the village group (15 digits) when known, else the
    village (12); ``village_code`` repeats the village so village-wide queries are one range."""

    __tablename__ = "residents"
    __table_args__ = (
        Index("ix_residents_place_household", "jurisdiction_code", "household"),
        Index("ix_residents_village_household_name", "village_code", "household", "name"),
    )

    name: Mapped[str] = mapped_column(String(60))
    mobile: Mapped[str | None] = mapped_column(String(20), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    village_code: Mapped[str] = mapped_column(CodeStr)
    household: Mapped[str] = mapped_column(String(40))  # 户号 / household head's name
    address: Mapped[str | None] = mapped_column(String(200))
    # The ID number is never stored whole: a keyed hash (HMAC with the server's secret) finds a resident
    # at a shelter's check-in, the last four digits let a person confirm it is them (issue 13).
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_tail: Mapped[str | None] = mapped_column(String(4))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)  # 残疾
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)  # 独居老人
    very_old: Mapped[bool] = mapped_column(Boolean, default=False)  # 高龄 (80+)
    # 0 = not vulnerable; else how many flags are set (door-to-door lists sort on it).
    vulnerability: Mapped[int] = mapped_column(SmallInteger, default=0)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)  # receives warning SMS
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    def refresh_vulnerability(self) -> None:
        """Recompute the sort key from the three flags."""
        self.vulnerability = int(bool(self.disabled)) + int(bool(self.lives_alone)) + int(bool(self.very_old))
