"""Tables of the expert registry (专家库): the expert with title, unit, contact, region and
availability, and the fields an expert covers (disciplines and event categories) as rows, so that
a search by field is one indexed lookup on either database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr
from yingji.experts.codes import Availability, FieldKind

_AVAIL_SQL = ", ".join(repr(a.value) for a in Availability)
_FIELD_SQL = ", ".join(repr(k.value) for k in FieldKind)


class Expert(IdMixin, TimestampMixin, Audited, Base):
    """An expert in the registry of a place (the pool of a county, the city or the province): whom
    to call for a consultation, with what field, and whether they can come now."""

    __tablename__ = "experts"
    __table_args__ = (
        CheckConstraint(f"availability IN ({_AVAIL_SQL})", name="availability"),
        Index("ix_experts_scope", "jurisdiction_code", "active", "availability"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)  # registry number (the import key)
    name: Mapped[str] = mapped_column(String(60), index=True)
    gender: Mapped[str | None] = mapped_column(String(1))
    title: Mapped[str | None] = mapped_column(String(60))  # 职称 as written (高级工程师 …)
    title_grade: Mapped[str | None] = mapped_column(String(16))  # rules/expert_fields.json titles
    position: Mapped[str | None] = mapped_column(String(60))  # 职务
    unit_name: Mapped[str | None] = mapped_column(String(120))  # 工作单位
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    specialty: Mapped[str | None] = mapped_column(Text)  # 专业特长 in words
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    mobile: Mapped[str | None] = mapped_column(String(20))
    office_phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    availability: Mapped[str] = mapped_column(String(12), default=Availability.AVAILABLE.value)
    availability_note: Mapped[str | None] = mapped_column(String(200))
    availability_changed_at: Mapped[datetime | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false: left the registry
    note: Mapped[str | None] = mapped_column(Text)

    fields = relationship(
        "ExpertField",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(ExpertField.kind, ExpertField.code)",
    )

    def codes_of(self, kind: FieldKind | str) -> list[str]:
        return [f.code for f in self.fields if f.kind == kind]


class ExpertField(IdMixin, Audited, Base):
    """One field of an expert: a discipline or an event category (or subcategory)."""

    __tablename__ = "expert_fields"
    __table_args__ = (
        UniqueConstraint("expert_id", "kind", "code"),
        CheckConstraint(f"kind IN ({_FIELD_SQL})", name="kind"),
        Index("ix_expert_fields_kind_code", "kind", "code", "expert_id"),
    )

    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("experts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(60))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
