"""The figures in force (``damage_values``) and their history (``damage_revisions``).

An accepted report's figures replace the figures in force of their places, one revision row for
every change. A cumulative figure never goes down silently: the report must carry an explanation
(or the verification a note), which the revision keeps; the 实时 value may fall (people go home).
Verification (核查评估, ``damage.verify``) changes one figure in force with a required note."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.damage import indicators
from yingji.damage.codes import ReportKind
from yingji.damage.models import DamageFigure, DamageRevision, DamageValue, DisasterEvent
from yingji.damage.schemas import VerifyIn

CUMULATIVE_BELOW_CURRENT = N_(
    "The cumulative value of {name} ({cumulative}) is below its current value ({current})."
)
DROP_NEEDS_NOTE = N_(
    "{name} at {place} would go down from {old} to {new}: give an explanation or a verification note."
)


def _in_force(
    session: Session, event_id: int, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], DamageValue]:
    if not keys:
        return {}
    codes = sorted({k[0] for k in keys})
    stmt = select(DamageValue).where(
        DamageValue.event_id == event_id, DamageValue.jurisdiction_code.in_(codes)
    )
    return {(v.jurisdiction_code, v.indicator): v for v in session.scalars(stmt)}


def check_drops(
    session: Session, event: DisasterEvent, figures: list[DamageFigure], explanation: str | None
) -> None:
    """Refuse a cumulative figure below the one in force unless the report explains it."""
    if (explanation or "").strip():
        return
    current = _in_force(session, event.id, {(f.jurisdiction_code, f.indicator) for f in figures})
    problems = []
    for f in figures:
        v = current.get((f.jurisdiction_code, f.indicator))
        if (
            v is not None
            and v.cumulative is not None
            and f.cumulative is not None
            and f.cumulative < v.cumulative
        ):
            ind = indicators.indicators()[f.indicator]
            problems.append(
                {
                    "field": "explanation",
                    "message": DROP_NEEDS_NOTE,
                    "params": {
                        "name": ind.zh,
                        "place": f.jurisdiction_code,
                        "old": f"{v.cumulative:g}",
                        "new": f"{f.cumulative:g}",
                    },
                }
            )
    if problems:
        raise ValidationFailed(details=problems)


def _set(
    session, event_id, code, indicator, cumulative, current, *, value, report_id, note, user_id, verification
):
    old_c = value.cumulative if value else None
    old_r = value.current if value else None
    if value is not None and old_c == cumulative and old_r == current and not verification:
        return
    if value is None:
        value = DamageValue(event_id=event_id, jurisdiction_code=code, indicator=indicator)
        session.add(value)
    value.cumulative, value.current = cumulative, current
    value.report_id = report_id
    value.verified = verification or value.verified
    value.updated_at = clock.now()
    session.add(
        DamageRevision(
            event_id=event_id,
            jurisdiction_code=code,
            indicator=indicator,
            old_cumulative=old_c,
            new_cumulative=cumulative,
            old_current=old_r,
            new_current=current,
            report_id=report_id,
            verification=verification,
            note=note,
            user_id=user_id,
            at=clock.now(),
        )
    )


def apply(
    session: Session, principal: Principal, event: DisasterEvent, report, figures: list[DamageFigure]
) -> None:
    """Make an accepted report's figures the figures in force (drops re-checked: the figures in force
    may have moved since it was sent). A 核报's figures count as verified."""
    check_drops(session, event, figures, report.explanation)
    current = _in_force(session, event.id, {(f.jurisdiction_code, f.indicator) for f in figures})
    for f in figures:
        old = current.get((f.jurisdiction_code, f.indicator))
        cumulative = f.cumulative if f.cumulative is not None else (old.cumulative if old else None)
        cur = f.current if f.current is not None else (old.current if old else None)
        if cumulative is not None and cur is not None and cur > cumulative:
            cur = cumulative if f.current is None else cur
        _set(
            session,
            event.id,
            f.jurisdiction_code,
            f.indicator,
            cumulative,
            cur,
            value=old,
            report_id=report.id,
            note=report.explanation,
            user_id=principal.user_id,
            verification=report.kind == ReportKind.FINAL,
        )
    session.flush()


def verify(session: Session, principal: Principal, event: DisasterEvent, data: VerifyIn) -> DamageValue:
    """核查评估: change one figure in force with a note (the note is required; history kept)."""
    writable(principal, data.jurisdiction_code, Perm.DAMAGE_VERIFY)
    code = data.jurisdiction_code
    if not code.startswith(event.jurisdiction_code) or len(code) > 12:
        raise ValidationFailed.on("jurisdiction_code", N_("This place lies outside the disaster process."))
    ind = indicators.indicators().get(data.indicator)
    if ind is None:
        raise ValidationFailed(
            details=[
                {
                    "field": "indicator",
                    "message": "Unknown indicator: {code}.",
                    "params": {"code": data.indicator},
                }
            ]
        )
    if data.current is not None and not ind.has_current:
        raise ValidationFailed(
            details=[
                {"field": "current", "message": "{name} has no current value.", "params": {"name": ind.zh}}
            ]
        )
    if data.cumulative is not None and data.current is not None and data.cumulative < data.current:
        raise ValidationFailed(
            details=[
                {
                    "field": "cumulative",
                    "message": CUMULATIVE_BELOW_CURRENT,
                    "params": {
                        "name": ind.zh,
                        "cumulative": f"{data.cumulative:g}",
                        "current": f"{data.current:g}",
                    },
                }
            ]
        )
    value = session.scalar(
        select(DamageValue)
        .where(
            DamageValue.event_id == event.id,
            DamageValue.jurisdiction_code == code,
            DamageValue.indicator == data.indicator,
        )
        .with_for_update()
    )
    cur = (
        data.current
        if data.current is not None or not ind.has_current
        else (value.current if value else None)
    )
    if data.cumulative is not None and cur is not None and cur > data.cumulative:
        cur = data.current
    _set(
        session,
        event.id,
        code,
        data.indicator,
        data.cumulative,
        cur,
        value=value,
        report_id=None,
        note=data.note,
        user_id=principal.user_id,
        verification=True,
    )
    session.flush()
    from yingji.damage import rollup

    rollup.regrade(session, event)
    return session.scalar(
        select(DamageValue).where(
            DamageValue.event_id == event.id,
            DamageValue.jurisdiction_code == code,
            DamageValue.indicator == data.indicator,
        )
    )


def history(
    session: Session,
    event_id: int,
    *,
    code: str | None = None,
    indicator: str | None = None,
    within: str | None = None,
    limit: int = 500,
) -> list[DamageRevision]:
    stmt = select(DamageRevision).where(DamageRevision.event_id == event_id)
    if code:
        stmt = stmt.where(DamageRevision.jurisdiction_code == code)
    if indicator:
        stmt = stmt.where(DamageRevision.indicator == indicator)
    if within:
        from yingji.org import codes as division_codes

        low, high = division_codes.subtree_bounds(within)
        stmt = stmt.where(DamageRevision.jurisdiction_code >= low, DamageRevision.jurisdiction_code < high)
    return list(
        session.scalars(stmt.order_by(DamageRevision.at.desc(), DamageRevision.id.desc()).limit(limit))
    )
