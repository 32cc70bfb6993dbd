"""Results: for every unit of a scheme at once, vetoes first (a veto zeroes the year and forces the
lowest band), then each indicator — from its source's counts (one query or computation for all units)
minus its deductions per occurrence, stopping at the floor (0), or the hand score — weighted and added;
ranked (ties share a rank), banded (``以上含本数``: a total equal to a band's minimum is in that band),
each with the explanation of every point. Computed only while the results are open."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.assessment import labels, schemes, scoring, sources, vetoes
from yingji.assessment.codes import ResultsState, ScoreRule, VetoState
from yingji.assessment.models import AssessmentResult, AssessmentScheme
from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.org import places


def band_of(definition: dict, total: float, vetoed: bool) -> str:
    bands = definition["bands"]
    if vetoed:
        return bands[-1]["code"]
    return next((b["code"] for b in bands if total >= b["min"] - 1e-9), bands[-1]["code"])


def _computed(ind: dict, counts: dict, floor: float) -> dict:
    """Deductions per occurrence (points for each one counted) or per share (points times the share
    counted of the source's base), the item stopping at the floor."""
    base_name = sources.SOURCES[ind["source"]].base
    lines = []
    lost = 0.0
    for rule in ind["deductions"]:
        n = int(counts.get(rule["on"], 0))
        line = {"on": rule["on"], "zh": rule["zh"], "en": rule.get("en"), "count": n, "each": rule["points"]}
        if rule.get("per") == "share":
            base = int(counts.get(base_name, 0)) if base_name else 0
            points = round(rule["points"] * n / base, 2) if base else 0.0
            line |= {"per": "share", "base": base}
        else:
            points = round(n * rule["points"], 2)
        line["points"] = points
        lost += points
        lines.append(line)
    score = max(floor, ind["max"] - lost)
    return {
        "score": round(score, 2),
        "counts": counts,
        "deductions": lines,
        "capped": ind["max"] - lost < floor,
    }


def compute(session: Session, principal: Principal, scheme_id: int, today=None) -> list[AssessmentResult]:
    scheme = schemes.get(session, principal, scheme_id)
    writable(principal, scheme.jurisdiction_code, Perm.ASSESS_MANAGE)
    schemes.check_open(scheme)
    rows = build(session, scheme, today)
    audit.record(
        session,
        "compute",
        "assessment_schemes",
        scheme.id,
        jurisdiction_code=scheme.jurisdiction_code,
        after={"units": len(rows), "vetoed": sum(r.vetoed for r in rows)},
    )
    return rows


def build(session: Session, scheme: AssessmentScheme, today=None) -> list[AssessmentResult]:
    """Write the results of every unit (the service's checks are the caller's)."""
    units = schemes.units(session, scheme)
    vetoes.sync_automatic(session, scheme)
    definition = scheme.definition
    floor = float(definition.get("floor_per_item", 0))
    win = sources.window(scheme.year, today)
    per_source: dict[str, dict] = {}
    if units:
        for _area, ind in schemes.indicators(definition):
            if schemes.effective_rule(ind) == ScoreRule.COMPUTED and ind["source"] not in per_source:
                per_source[ind["source"]] = sources.counts(
                    session, ind["source"], scheme.jurisdiction_code, units, win
                )
    hand = {(h.jurisdiction_code, h.indicator): h for h in scoring.of_scheme(session, scheme.id)}
    active: dict[str, list] = {}
    for v in vetoes.of_scheme(session, scheme.id):
        if v.state == VetoState.ACTIVE:
            active.setdefault(v.jurisdiction_code, []).append(v)
    veto_items = {v["key"]: v for v in definition.get("veto", [])}
    made = []
    for code in units:
        lines, raw, pending = [], 0.0, 0
        for area, ind in schemes.indicators(definition):
            rule = schemes.effective_rule(ind)
            line = {
                "area": area["key"],
                "area_zh": area["zh"],
                "area_en": area.get("en"),
                "key": ind["key"],
                "zh": ind["zh"],
                "en": ind.get("en"),
                "max": ind["max"],
                "weight": ind.get("weight", 1),
                "rule": rule,
                "source": ind.get("source"),
                "source_missing": ind["rule"] == ScoreRule.COMPUTED and rule == ScoreRule.HAND,
            }
            if rule == ScoreRule.COMPUTED:
                line |= _computed(ind, per_source[ind["source"]].get(code, {}), floor)
            else:
                h = hand.get((code, ind["key"]))
                line |= {"score": h.points if h else 0.0, "scored": h is not None, "deductions": []}
                if h:
                    line["hand"] = {
                        "note": h.note,
                        "by": h.by_name,
                        "at": h.at.isoformat(),
                        "evidence": bool(h.evidence_sha256),
                    }
                else:
                    pending += 1
            line["weighted"] = round(line["score"] * line["weight"], 2)
            raw += line["weighted"]
            lines.append(line)
        mine = active.get(code, [])
        vetoed = bool(mine)
        raw = round(raw, 2)
        total = 0.0 if vetoed else raw
        explanation = {
            "indicators": lines,
            "vetoes": [
                {
                    "id": v.id,
                    "item": v.item,
                    "item_zh": (veto_items.get(v.item) or {}).get("zh", v.item),
                    "cause_kind": v.cause_kind,
                    "cause_ref": v.cause_ref,
                    "cause_text": v.cause_text,
                    "automatic": v.automatic,
                }
                for v in mine
            ],
            "window": {"first": win.first.isoformat(), "last": win.last.isoformat()},
        }
        made.append(
            {
                "code": code,
                "total": total,
                "raw": raw,
                "band": band_of(definition, total, vetoed),
                "vetoed": vetoed,
                "pending": pending,
                "explanation": explanation,
            }
        )
    made.sort(key=lambda r: (-r["total"], r["code"]))
    session.execute(delete(AssessmentResult).where(AssessmentResult.scheme_id == scheme.id))
    now = clock.now()
    rows, rank, last = [], 0, None
    for i, r in enumerate(made, start=1):
        if r["total"] != last:
            rank, last = i, r["total"]
        row = AssessmentResult(
            scheme_id=scheme.id,
            jurisdiction_code=r["code"],
            total=r["total"],
            raw_total=r["raw"],
            band=r["band"],
            rank=rank,
            vetoed=r["vetoed"],
            pending=r["pending"],
            explanation=r["explanation"],
            computed_at=now,
        )
        session.add(row)
        rows.append(row)
    scheme.computed_at = now
    session.flush()
    return rows


def visible_results(
    session: Session, principal: Principal, scheme: AssessmentScheme
) -> list[AssessmentResult]:
    """The assessor's side sees every unit; a unit below sees its own result once published."""
    q = select(AssessmentResult).where(AssessmentResult.scheme_id == scheme.id)
    if not schemes.assessor_side(principal, scheme):
        if scheme.results_state != ResultsState.PUBLISHED:
            return []
        length = 6 if scheme.unit_level == "county" else 9
        q = q.where(AssessmentResult.jurisdiction_code == principal.jurisdiction_code[:length])
    return list(session.scalars(q.order_by(AssessmentResult.rank, AssessmentResult.jurisdiction_code)))


def outs(session: Session, scheme: AssessmentScheme, rows: list[AssessmentResult]) -> list[dict]:
    names = places.names(session, [r.jurisdiction_code for r in rows])
    bands = {b["code"]: b for b in scheme.definition["bands"]}
    return [
        {
            "jurisdiction_code": r.jurisdiction_code,
            "jurisdiction_name": names.get(r.jurisdiction_code),
            "rank": r.rank,
            "total": r.total,
            "raw_total": r.raw_total,
            "band": r.band,
            "band_label": labels.text(bands.get(r.band)) or r.band,
            "vetoed": r.vetoed,
            "pending": r.pending,
            "explanation": r.explanation,
        }
        for r in rows
    ]
