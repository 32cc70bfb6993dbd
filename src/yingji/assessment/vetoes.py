"""The one-vote veto (一票否决): evaluated before any score. Automatic vetoes come from the records —
an incident of the scheme's categories at or above its grade in the year in the unit's place (Guizhou
2020), a late or missed report (迟报 / 漏报) of an event at or above its grade (seed 001) — each with
that incident as its cause. A veto recorded by hand needs its cause: an incident or a tip-off of the
unit's place, or a document (evidence file); without one it is refused (422). A veto zeroes the unit's
year and forces 不合格 (seed 001: 一次性扣完年度应急管理全部分数); it is withdrawn only with a reason,
audited, and a withdrawn automatic veto is not found again."""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from yingji.assessment import evidence, labels, schemes, sources
from yingji.assessment.codes import GRADES_DOWN, VETO_MOVES, CauseKind, VetoState
from yingji.assessment.models import AssessmentScheme, AssessmentVeto
from yingji.assessment.schemas import VetoIn, WithdrawIn
from yingji.assessment.scoring import check_unit
from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents.codes import DeadlineState
from yingji.incidents.models import Incident, ReportingDeadline
from yingji.org.codes import subtree_bounds
from yingji.risk.danger_models import Danger

# The tip-off domain's substantiated 事故瞒报 / 谎报 reports (issue 14 item 5), when it is installed:
# fn(session, unit codes, year) -> {code: [tip-off id, …]}.
TIPOFF_CONCEALMENTS = ("yingji.risk.tipoffs.stats", "concealments")


class AlreadyWithdrawn(Conflict):
    code = "veto_withdrawn"
    message = "This veto was already withdrawn."


def _grades(min_grade: str | None) -> tuple[str, ...]:
    grade = min_grade or "II"
    return GRADES_DOWN[: GRADES_DOWN.index(grade) + 1]


def _year_bounds(year: int):
    win = sources.Window(year, sources.date(year, 1, 1), sources.date(year, 12, 31))
    return win.start_utc, win.end_utc


def _describe(incident: Incident) -> str:
    return f"{incident.number} {incident.title}（{incident.grade or ''}级）"


def found(session: Session, scheme: AssessmentScheme) -> list[dict]:
    """The veto conditions the records show: one entry per (unit, item, incident)."""
    low, high = subtree_bounds(scheme.jurisdiction_code)
    start, end = _year_bounds(scheme.year)
    length = 6 if scheme.unit_level == "county" else 9
    out: list[dict] = []
    for item in scheme.definition.get("veto", []):
        auto = item.get("auto")
        if auto == "accident_grade":
            prefixes = item.get("categories") or ["accident."]
            rows = session.scalars(
                select(Incident).where(
                    Incident.jurisdiction_code >= low,
                    Incident.jurisdiction_code < high,
                    Incident.occurred_at >= start,
                    Incident.occurred_at < end,
                    Incident.grade.in_(_grades(item.get("min_grade"))),
                    Incident.merged_into_id.is_(None),
                    Incident.drill_id.is_(None),
                    or_(*[Incident.category.startswith(p) for p in prefixes]),
                )
            )
            for inc in rows:
                out.append(
                    _entry(item, inc.jurisdiction_code[:length], CauseKind.INCIDENT, inc.id, _describe(inc))
                )
        elif auto == "late_report":
            rows = session.execute(
                select(Incident, ReportingDeadline.state)
                .join(ReportingDeadline, ReportingDeadline.incident_id == Incident.id)
                .where(
                    ReportingDeadline.jurisdiction_code >= low,
                    ReportingDeadline.jurisdiction_code < high,
                    ReportingDeadline.state.in_((DeadlineState.LATE, DeadlineState.MISSED)),
                    ReportingDeadline.due_at >= start,
                    ReportingDeadline.due_at < end,
                    Incident.drill_id.is_(None),
                    or_(
                        ReportingDeadline.grade.in_(_grades(item.get("min_grade"))),
                        and_(
                            ReportingDeadline.grade.is_(None),
                            Incident.grade.in_(_grades(item.get("min_grade"))),
                        ),
                    ),
                )
            ).all()
            seen = set()
            for inc, state in rows:
                if inc.id in seen:
                    continue
                seen.add(inc.id)
                word = "迟报" if state == DeadlineState.LATE else "漏报"
                out.append(
                    _entry(
                        item,
                        inc.jurisdiction_code[:length],
                        CauseKind.INCIDENT,
                        inc.id,
                        f"{word}：{_describe(inc)}",
                    )
                )
        elif auto == "tipoff_concealment":
            fn = _tipoff_hook()
            if fn is None:
                continue
            units = schemes.units(session, scheme)
            for unit, ids in fn(session, units, scheme.year).items():
                for tipoff_id in ids:
                    text = _tipoff_text(session, tipoff_id) or str(tipoff_id)
                    out.append(_entry(item, unit, CauseKind.TIPOFF, tipoff_id, f"瞒报举报属实：{text}"))
    return out


def _tipoff_hook():
    module, name = TIPOFF_CONCEALMENTS
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _tipoff_model():
    """The tip-off table: its own (``risk.tipoffs``) where installed, else the dangers a tip-off opened."""
    try:
        return importlib.import_module("yingji.risk.tipoffs.models").Tipoff
    except (ImportError, AttributeError):
        return Danger


def _tipoff_text(session: Session, tipoff_id: int) -> str | None:
    row = session.get(_tipoff_model(), tipoff_id)
    return f"{row.public_ref} {row.title}" if row is not None else None


def _entry(item: dict, unit: str, kind: CauseKind, ref, text: str) -> dict:
    return {
        "item": item["key"],
        "unit": unit,
        "cause_kind": kind.value,
        "cause_ref": str(ref),
        "cause_text": text,
    }


def sync_automatic(session: Session, scheme: AssessmentScheme) -> int:
    """Record the vetoes the records show that are not recorded yet (withdrawn ones stay withdrawn)."""
    have = {
        (v.jurisdiction_code, v.item, v.cause_kind, v.cause_ref)
        for v in session.scalars(select(AssessmentVeto).where(AssessmentVeto.scheme_id == scheme.id))
    }
    units = set(schemes.units(session, scheme))
    added = 0
    for e in found(session, scheme):
        key = (e["unit"], e["item"], e["cause_kind"], e["cause_ref"])
        if key in have or e["unit"] not in units:
            continue
        have.add(key)
        session.add(
            AssessmentVeto(
                scheme_id=scheme.id,
                jurisdiction_code=e["unit"],
                item=e["item"],
                cause_kind=e["cause_kind"],
                cause_ref=e["cause_ref"],
                cause_text=e["cause_text"][:2000],
                automatic=True,
                state=VetoState.ACTIVE.value,
                by_name="system",
                at=clock.now(),
            )
        )
        added += 1
    session.flush()
    return added


def _cause(session: Session, data: VetoIn, file) -> tuple[str, str]:
    """(cause_ref, cause_text) of a veto recorded by hand; no cause (or one outside the unit) → 422."""
    missing = ValidationFailed.on(
        "cause", N_("A veto needs its recorded cause: an incident, a tip-off or a document.")
    )
    if data.cause_kind is None:
        raise missing
    if data.cause_kind == CauseKind.DOCUMENT:
        if file is None:
            raise missing
        return "", (data.note or "")
    if not data.cause_ref or not data.cause_ref.isdigit():
        raise missing
    low, high = subtree_bounds(data.jurisdiction_code)
    if data.cause_kind == CauseKind.INCIDENT:
        inc = session.get(Incident, int(data.cause_ref))
        if inc is None or not (low <= inc.jurisdiction_code < high):
            raise ValidationFailed.on("cause_ref", N_("No such incident in this unit's place."))
        return str(inc.id), _describe(inc)
    tip = session.get(_tipoff_model(), int(data.cause_ref))
    if tip is None or tip.public_ref is None or not (low <= tip.jurisdiction_code < high):
        raise ValidationFailed.on("cause_ref", N_("No such tip-off in this unit's place."))
    return str(tip.id), f"{tip.public_ref} {tip.title}"


def record(
    session: Session,
    principal: Principal,
    scheme_id: int,
    data: VetoIn,
    *,
    file: tuple[bytes, str | None] | None = None,
    root: Path | None = None,
    max_bytes: int = 0,
) -> AssessmentVeto:
    scheme = schemes.get(session, principal, scheme_id)
    check_unit(session, principal, scheme, data.jurisdiction_code)
    schemes.check_open(scheme)
    if not any(v["key"] == data.item for v in scheme.definition.get("veto", [])):
        raise ValidationFailed.on("item", N_("No such veto item in this scheme."))
    ref, text = _cause(session, data, file)
    mime = ext = None
    if data.cause_kind == CauseKind.DOCUMENT:
        content, name = file
        sha, mime, ext = evidence.keep(root, content, max_bytes)
        ref, text = sha, (data.note or name or "")[:2000]
    dup = session.scalar(
        select(AssessmentVeto).where(
            AssessmentVeto.scheme_id == scheme.id,
            AssessmentVeto.jurisdiction_code == data.jurisdiction_code,
            AssessmentVeto.item == data.item,
            AssessmentVeto.cause_kind == data.cause_kind.value,
            AssessmentVeto.cause_ref == ref,
        )
    )
    if dup is not None:
        return dup
    veto = AssessmentVeto(
        scheme_id=scheme.id,
        jurisdiction_code=data.jurisdiction_code,
        item=data.item,
        cause_kind=data.cause_kind.value,
        cause_ref=ref,
        cause_text=text or "—",
        automatic=False,
        state=VetoState.ACTIVE.value,
        note=data.note,
        evidence_type=mime,
        evidence_ext=ext,
        by_user=principal.user_id,
        by_name=principal.display_name,
        at=clock.now(),
    )
    session.add(veto)
    session.flush()
    return veto


def get(session: Session, principal: Principal, scheme_id: int, veto_id: int) -> AssessmentVeto:
    schemes.get(session, principal, scheme_id)
    veto = session.get(AssessmentVeto, veto_id)
    if veto is None or veto.scheme_id != scheme_id:
        raise NotFound()
    return veto


def withdraw(session: Session, principal: Principal, scheme_id: int, veto_id: int, data: WithdrawIn):
    scheme = schemes.get(session, principal, scheme_id)
    writable(principal, scheme.jurisdiction_code, Perm.ASSESS_MANAGE)
    schemes.check_open(scheme)
    veto = get(session, principal, scheme_id, veto_id)
    if VetoState.WITHDRAWN not in VETO_MOVES[VetoState(veto.state)]:
        raise AlreadyWithdrawn()
    veto.state = VetoState.WITHDRAWN.value
    veto.withdrawn_reason = data.reason
    veto.withdrawn_by = principal.display_name
    veto.withdrawn_at = clock.now()
    session.flush()
    audit.record(
        session,
        "withdraw",
        "assessment_vetoes",
        veto.id,
        jurisdiction_code=veto.jurisdiction_code,
        before={"state": VetoState.ACTIVE.value},
        after={"state": VetoState.WITHDRAWN.value},
        note=data.reason,
    )
    return veto


def of_scheme(session: Session, scheme_id: int, code: str | None = None) -> list[AssessmentVeto]:
    q = select(AssessmentVeto).where(AssessmentVeto.scheme_id == scheme_id)
    if code:
        q = q.where(AssessmentVeto.jurisdiction_code == code)
    return list(session.scalars(q.order_by(AssessmentVeto.jurisdiction_code, AssessmentVeto.id)))


def outs(session: Session, scheme: AssessmentScheme, rows: list[AssessmentVeto]) -> list[dict]:
    from yingji.org import places

    names = places.names(session, [v.jurisdiction_code for v in rows])
    items = {v["key"]: v for v in scheme.definition.get("veto", [])}
    out = []
    for v in rows:
        url = None
        if v.cause_kind == CauseKind.INCIDENT:
            url = f"/incidents/{v.cause_ref}"
        elif v.cause_kind == CauseKind.DOCUMENT:
            url = f"/api/v1/assessment/schemes/{v.scheme_id}/vetoes/{v.id}/evidence"
        out.append(
            {
                "id": v.id,
                "scheme_id": v.scheme_id,
                "jurisdiction_code": v.jurisdiction_code,
                "jurisdiction_name": names.get(v.jurisdiction_code),
                "item": v.item,
                "item_label": labels.text(items.get(v.item)) or v.item,
                "cause_kind": v.cause_kind,
                "cause_kind_label": labels.label(labels.CAUSE_LABELS, v.cause_kind),
                "cause_ref": v.cause_ref,
                "cause_text": v.cause_text,
                "cause_url": url,
                "automatic": v.automatic,
                "state": v.state,
                "note": v.note,
                "by_name": v.by_name,
                "at": v.at,
                "withdrawn_reason": v.withdrawn_reason,
                "withdrawn_by": v.withdrawn_by,
                "withdrawn_at": v.withdrawn_at,
            }
        )
    return out


def evidence_of(root: Path, veto: AssessmentVeto) -> Path:
    if veto.cause_kind != CauseKind.DOCUMENT:
        raise NotFound()
    return evidence.path_of(root, veto.cause_ref, veto.evidence_ext)
