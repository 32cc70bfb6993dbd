"""Scores given by hand, where no record exists (or the record's source is not on this platform):
within the indicator's range (outside → 422), with a note and optionally an evidence file; who and
when are kept, and the audit listener records every change. Only the assessor's managers score
(``ASSESS_MANAGE`` over the scheme's place), and only units of the scheme."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.assessment import evidence, schemes
from yingji.assessment.codes import ScoreRule
from yingji.assessment.models import AssessmentHandScore, AssessmentScheme
from yingji.assessment.schemas import HandScoreIn
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_


def check_unit(session: Session, principal: Principal, scheme: AssessmentScheme, code: str) -> None:
    """The principal manages the scheme's place, and the unit is one the scheme assesses."""
    writable(principal, scheme.jurisdiction_code, Perm.ASSESS_MANAGE)
    writable(principal, code, Perm.ASSESS_MANAGE)
    if code not in schemes.units(session, scheme):
        raise ValidationFailed.on("jurisdiction_code", N_("This place is not assessed by this scheme."))


def give(
    session: Session,
    principal: Principal,
    scheme_id: int,
    data: HandScoreIn,
    *,
    file: tuple[bytes, str | None] | None = None,
    root: Path | None = None,
    max_bytes: int = 0,
) -> AssessmentHandScore:
    scheme = schemes.get(session, principal, scheme_id)
    check_unit(session, principal, scheme, data.jurisdiction_code)
    schemes.check_open(scheme)
    ind = schemes.indicator(scheme.definition, data.indicator)
    if ind is None:
        raise ValidationFailed.on("indicator", N_("No such indicator in this scheme."))
    if schemes.effective_rule(ind) != ScoreRule.HAND:
        raise ValidationFailed.on("indicator", N_("This indicator is computed from the platform's records."))
    if not 0 <= data.points <= ind["max"]:
        raise ValidationFailed(
            details=[
                {"field": "points", "message": N_("The score must lie between 0 and the indicator's points.")}
            ]
        )
    row = session.scalar(
        select(AssessmentHandScore).where(
            AssessmentHandScore.scheme_id == scheme.id,
            AssessmentHandScore.jurisdiction_code == data.jurisdiction_code,
            AssessmentHandScore.indicator == data.indicator,
        )
    )
    if row is None:
        row = AssessmentHandScore(
            scheme_id=scheme.id, jurisdiction_code=data.jurisdiction_code, indicator=data.indicator
        )
        session.add(row)
    row.points = round(data.points, 2)
    row.note = data.note
    row.by_user = principal.user_id
    row.by_name = principal.display_name
    row.at = clock.now()
    if file is not None and root is not None:
        content, name = file
        sha, mime, ext = evidence.keep(root, content, max_bytes)
        row.evidence_sha256, row.evidence_type, row.evidence_ext = sha, mime, ext
        row.evidence_name = (name or "")[:200] or None
    session.flush()
    return row


def of_scheme(session: Session, scheme_id: int, code: str | None = None) -> list[AssessmentHandScore]:
    q = select(AssessmentHandScore).where(AssessmentHandScore.scheme_id == scheme_id)
    if code:
        q = q.where(AssessmentHandScore.jurisdiction_code == code)
    return list(
        session.scalars(q.order_by(AssessmentHandScore.jurisdiction_code, AssessmentHandScore.indicator))
    )


def out(row: AssessmentHandScore) -> dict:
    return {
        "id": row.id,
        "scheme_id": row.scheme_id,
        "jurisdiction_code": row.jurisdiction_code,
        "indicator": row.indicator,
        "points": row.points,
        "note": row.note,
        "evidence_name": row.evidence_name
        or (f"evidence.{row.evidence_ext}" if row.evidence_sha256 else None),
        "evidence_url": (
            f"/api/v1/assessment/schemes/{row.scheme_id}/scores/{row.id}/evidence"
            if row.evidence_sha256
            else None
        ),
        "by_name": row.by_name,
        "at": row.at,
    }
