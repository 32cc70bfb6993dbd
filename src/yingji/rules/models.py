"""Per-jurisdiction overrides of the national rule tables (stricter local limits, local rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr, JSONType


class RuleOverride(IdMixin, TimestampMixin, Audited, Base):
    """A partial rule table that applies in a jurisdiction's subtree from ``valid_from`` on.

    The effective table of a place is the national table with the overrides of its ancestors
    applied farthest first, so the nearest one wins; per place and table the latest version whose
    ``valid_from`` has come applies.
    """

    __tablename__ = "rule_overrides"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "table_name", "version", name="uq_rule_overrides_version"),
        Index("ix_rule_overrides_place_table", "jurisdiction_code", "table_name", "valid_from"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    table_name: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[datetime]
    data: Mapped[dict] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(Text)  # the local regulation or plan, with its article
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(80))
