"""Aid tables.

- ``aid_programmes``: an aid round of a county (emergency, transitional, winter–spring, drought).
- ``aid_recipients``: a household on its list (应急统表10 fields: 户主 …, 家庭类型, 家庭人口, 需救助人口,
  已发放救助款 / 物资折款, 发放形式), with the needs survey.
- ``aid_notices``: the public notice (公示) of a list in a village, with objections.
- ``aid_distributions``: what a household received; goods issue from a supply store through the stock
  ledger (``stock_document_id``), so stock and aid agree.
- ``rebuild_cases``: one per household through ``codes.REBUILD_MOVES``; ``rebuild_steps`` its history,
  ``rebuild_photos`` its photos (by content hash).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.aid.codes import ProgrammeKind, ProgrammeState, RebuildMode, RebuildState, RecipientState
from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime


class AidProgramme(IdMixin, TimestampMixin, Audited, Base):
    """An aid round of a county (or town): its kind, season, standard and state."""

    __tablename__ = "aid_programmes"
    __table_args__ = (
        CheckConstraint(one_of("kind", ProgrammeKind), name="kind"),
        CheckConstraint(one_of("state", ProgrammeState), name="state"),
        Index("ix_aid_programmes_scope_kind", "jurisdiction_code", "kind", "state"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    season: Mapped[str | None] = mapped_column(String(20))  # e.g. 2026-2027 for winter–spring
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("disaster_events.id"), index=True)
    survey_due: Mapped[date | None] = mapped_column(Date)  # 10-31 for winter–spring (rule data)
    state: Mapped[str] = mapped_column(String(12), default=ProgrammeState.SURVEY.value)
    standard_yuan_per_person: Mapped[float | None] = mapped_column(Float)  # a setting of the county
    budget_yuan: Mapped[float | None] = mapped_column(Float)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[int | None] = mapped_column(BigId)
    note: Mapped[str | None] = mapped_column(Text)


class AidRecipient(IdMixin, TimestampMixin, Audited, Base):
    """A household on a programme's list."""

    __tablename__ = "aid_recipients"
    __table_args__ = (
        CheckConstraint(one_of("state", RecipientState), name="state"),
        UniqueConstraint("programme_id", "jurisdiction_code", "household", name="uq_aid_recipients_key"),
        Index("ix_aid_recipients_programme_state", "programme_id", "state"),
    )

    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("aid_programmes.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the household's group or village
    household: Mapped[str] = mapped_column(String(40))
    head_name: Mapped[str] = mapped_column(String(60))  # D03001
    head_id_tail: Mapped[str | None] = mapped_column(String(4))  # D03002, last four only
    head_id_hash: Mapped[str | None] = mapped_column(String(64))  # keyed hash, to find duplicates
    head_phone: Mapped[str | None] = mapped_column(String(20))  # D03003
    family_type: Mapped[str | None] = mapped_column(String(20))  # D03004: 一般 / 低保 / 特困 / 优抚 …
    family_size: Mapped[int] = mapped_column(SmallInteger, default=1)  # D03005
    address: Mapped[str | None] = mapped_column(String(200))  # D03006
    people_in_need: Mapped[int] = mapped_column(SmallInteger, default=1)  # D03007
    needs: Mapped[dict] = mapped_column(JSONType, default=dict)  # 口粮, 衣被, 取暖, 住房, 伤病 … (survey)
    planned_yuan: Mapped[float | None] = mapped_column(Float)
    paid_yuan: Mapped[float] = mapped_column(Float, default=0)  # D03008 已发放救助款
    goods_yuan: Mapped[float] = mapped_column(Float, default=0)  # D03009 已发放救助物资折款
    pay_form: Mapped[str | None] = mapped_column(String(20))  # D03010: 一卡通 / 现金 / 实物
    state: Mapped[str] = mapped_column(String(10), default=RecipientState.SURVEYED.value)
    reason: Mapped[str | None] = mapped_column(Text)  # of a removal or an objection
    surveyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    surveyed_by: Mapped[int | None] = mapped_column(BigId)


class AidNotice(IdMixin, Audited, Base):
    """A public notice (公示) of a list in a village: from, until, objections and their handling."""

    __tablename__ = "aid_notices"

    programme_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("aid_programmes.id", ondelete="CASCADE")
    )
    rebuild_case_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("rebuild_cases.id", ondelete="CASCADE")
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the village
    posted_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)  # posted_on + the notice period (a setting)
    where: Mapped[str | None] = mapped_column(String(200))  # 村务公开栏 …
    objections: Mapped[list] = mapped_column(JSONType, default=list)  # [{on, by, text, upheld, answer}]
    posted_by: Mapped[int | None] = mapped_column(BigId)
    photo_sha256: Mapped[str | None] = mapped_column(String(64))


class AidDistribution(IdMixin, Audited, Base):
    """One handing-out to a household: cash, or goods issued from a store by a stock document."""

    __tablename__ = "aid_distributions"
    __table_args__ = (
        CheckConstraint("kind IN ('cash', 'goods')", name="kind"),
        UniqueConstraint("client_key", name="uq_aid_distributions_client_key"),
        Index("ix_aid_distributions_programme", "programme_id", "recipient_id"),
    )

    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("aid_programmes.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(BigId, ForeignKey("aid_recipients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(5))
    amount_yuan: Mapped[float] = mapped_column(Float, default=0)  # cash, or the goods' value (折款)
    item_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_items.id"))
    quantity: Mapped[int | None] = mapped_column(Integer)
    warehouse_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_warehouses.id"))
    stock_document_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("supply_documents.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    by_user: Mapped[int | None] = mapped_column(BigId)
    receiver_name: Mapped[str | None] = mapped_column(String(60))  # who signed for it
    client_key: Mapped[str | None] = mapped_column(String(64))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the household's
    note: Mapped[str | None] = mapped_column(Text)


class RebuildCase(IdMixin, TimestampMixin, Audited, Base):
    """倒损住房恢复重建: one household's case from application to funds."""

    __tablename__ = "rebuild_cases"
    __table_args__ = (
        CheckConstraint(one_of("state", RebuildState), name="state"),
        CheckConstraint(one_of("mode", RebuildMode), name="mode"),
        CheckConstraint("progress_pct BETWEEN 0 AND 100", name="progress"),
        Index("ix_rebuild_cases_scope_state", "jurisdiction_code", "state"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("disaster_events.id"), index=True)
    damaged_house_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("damaged_houses.id"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the household's group or village
    household: Mapped[str] = mapped_column(String(40))
    head_name: Mapped[str] = mapped_column(String(60))
    head_id_tail: Mapped[str | None] = mapped_column(String(4))
    head_phone: Mapped[str | None] = mapped_column(String(20))
    degree: Mapped[str] = mapped_column(String(10))  # collapsed / severe / general
    mode: Mapped[str] = mapped_column(String(8), default=RebuildMode.REBUILD.value)
    rooms: Mapped[int] = mapped_column(SmallInteger, default=1)
    nominated: Mapped[bool] = mapped_column(
        default=False
    )  # 村民小组提名 instead of the household's application
    state: Mapped[str] = mapped_column(String(16), default=RebuildState.APPLIED.value)
    grant_yuan: Mapped[float | None] = mapped_column(Float)  # approved
    paid_yuan: Mapped[float] = mapped_column(Float, default=0)
    progress_pct: Mapped[int] = mapped_column(SmallInteger, default=0)
    started_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # of a rejection
    note: Mapped[str | None] = mapped_column(Text)


class RebuildStep(IdMixin, Base):
    """A step of a case (append-only): who moved it, from and to which state, with what note."""

    __tablename__ = "rebuild_steps"
    __table_args__ = (Index("ix_rebuild_steps_case_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("rebuild_cases.id", ondelete="CASCADE"))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(BigId)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)  # grant, progress, payment of the step
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)


class RebuildPhoto(IdMixin, Audited, Base):
    """A photo of a case (damage, building progress, acceptance), stored by content hash."""

    __tablename__ = "rebuild_photos"
    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_rebuild_photos_case_sha256"),)

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rebuild_cases.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str | None] = mapped_column(String(16))  # the state it documents
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
