"""Assessment tables.

- ``assessment_schemes``: a year's scheme of an assessing body (the city for its counties, a county for
  its towns): the definition (areas → indicators, bands, veto items) as JSON copied from
  ``rules/assessment_schemes.json`` and edited there; versioned once assessments are under way.
- ``assessment_hand_scores``: a score given by hand to a unit for one indicator, with note and evidence.
- ``assessment_vetoes``: a one-vote veto of a unit in a scheme, always with its cause (an incident, a
  tip-off or a document); automatic ones are found from the records; withdrawn only with a reason.
- ``assessment_results``: a unit's computed result (total, band, rank) and the explanation of every point.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
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

from yingji.assessment.codes import CauseKind, ResultsState, SchemeState, VetoState
from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType, UTCDateTime


class AssessmentScheme(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "assessment_schemes"
    __table_args__ = (
        CheckConstraint(one_of("state", SchemeState), name="state"),
        CheckConstraint(one_of("results_state", ResultsState), name="results_state"),
        CheckConstraint("unit_level IN ('county', 'town')", name="unit_level"),
        UniqueConstraint("jurisdiction_code", "year", "version", name="uq_assessment_schemes_year_version"),
        Index("ix_assessment_schemes_scope_year", "jurisdiction_code", "year", "state"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))  # assessor
    year: Mapped[int] = mapped_column(SmallInteger)
    version: Mapped[int] = mapped_column(SmallInteger, default=1)
    title: Mapped[str] = mapped_column(String(200))
    unit_level: Mapped[str] = mapped_column(String(8))  # the units assessed
    state: Mapped[str] = mapped_column(String(12), default=SchemeState.ACTIVE.value)
    results_state: Mapped[str] = mapped_column(String(10), default=ResultsState.OPEN.value)
    definition: Mapped[dict] = mapped_column(JSONType)
    based_on_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("assessment_schemes.id"))
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class AssessmentHandScore(IdMixin, Audited, Base):
    __tablename__ = "assessment_hand_scores"
    __table_args__ = (
        UniqueConstraint("scheme_id", "jurisdiction_code", "indicator", name="uq_assessment_hand_scores_key"),
    )

    scheme_id: Mapped[int] = mapped_column(BigId, ForeignKey("assessment_schemes.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the unit assessed
    indicator: Mapped[str] = mapped_column(String(40))
    points: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_type: Mapped[str | None] = mapped_column(String(100))
    evidence_ext: Mapped[str | None] = mapped_column(String(8))
    evidence_name: Mapped[str | None] = mapped_column(String(200))
    by_user: Mapped[int | None] = mapped_column(BigId)
    by_name: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class AssessmentVeto(IdMixin, Audited, Base):
    __tablename__ = "assessment_vetoes"
    __table_args__ = (
        CheckConstraint(one_of("state", VetoState), name="state"),
        CheckConstraint(one_of("cause_kind", CauseKind), name="cause_kind"),
        UniqueConstraint(
            "scheme_id",
            "jurisdiction_code",
            "item",
            "cause_kind",
            "cause_ref",
            name="uq_assessment_vetoes_cause",
        ),
        Index("ix_assessment_vetoes_scheme_state", "scheme_id", "state"),
    )

    scheme_id: Mapped[int] = mapped_column(BigId, ForeignKey("assessment_schemes.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the unit vetoed
    item: Mapped[str] = mapped_column(String(40))  # the scheme's veto item key
    cause_kind: Mapped[str] = mapped_column(String(10))
    cause_ref: Mapped[str] = mapped_column(String(64))  # incident id, tip-off (danger) id, document hash
    cause_text: Mapped[str] = mapped_column(Text)  # what the cause says (incident number and title …)
    automatic: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(10), default=VetoState.ACTIVE.value)
    note: Mapped[str | None] = mapped_column(Text)
    evidence_type: Mapped[str | None] = mapped_column(String(100))
    evidence_ext: Mapped[str | None] = mapped_column(String(8))
    by_user: Mapped[int | None] = mapped_column(BigId)
    by_name: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssessmentResult(IdMixin, Base):
    """Derived rows, rewritten on each computation while the results are open (not audited row by row:
    the computation is audited as one act)."""

    __tablename__ = "assessment_results"
    __table_args__ = (
        UniqueConstraint("scheme_id", "jurisdiction_code", name="uq_assessment_results_unit"),
        Index("ix_assessment_results_scheme_rank", "scheme_id", "rank"),
    )

    scheme_id: Mapped[int] = mapped_column(BigId, ForeignKey("assessment_schemes.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    total: Mapped[float] = mapped_column(Float)
    raw_total: Mapped[float] = mapped_column(Float)  # before a veto
    band: Mapped[str] = mapped_column(String(12))
    rank: Mapped[int] = mapped_column(Integer)
    vetoed: Mapped[bool] = mapped_column(default=False)
    pending: Mapped[int] = mapped_column(SmallInteger, default=0)  # hand indicators not yet scored
    explanation: Mapped[dict] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
