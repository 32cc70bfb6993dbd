"""Roll-up village → town → county → city of the figures in force, and the relief response grade.

One grouped query over ``damage_values`` of the event: sums by (town prefix, code length, indicator),
so each town's own figures and the sum of its villages arrive side by side. Supersession (a choice
the statistical system implies, since the town is the statistical unit): per indicator and per
value (累计 / 实时), a place's **own** figure supersedes the sum of the places below it — a town's
reported figure replaces the sum of its villages, a county's the sum of its towns. Where a place has
no figure of its own, the sum below counts. The relief grade is the existing relief table
(``rules/relief_response.json``, kind ``natural_disaster_relief``, with the place's overrides)
applied through ``rules.grading.grade`` to the event's rolled-up cumulative figures."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.damage import indicators, schedule
from yingji.damage.models import DamageValue, DisasterEvent
from yingji.events.publish import publish
from yingji.notify.inbox import notify_level
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.rules import grading, overrides

RELIEF_KIND = "natural_disaster_relief"
Cell = dict  # {"cumulative": float|None, "current": float|None, "own": bool}


def _add(a, b):
    if a is None:
        return b
    return a if b is None else a + b


def _grouped(session: Session, event_id: int) -> dict[tuple[str, int], dict[str, list]]:
    """(prefix of up to 9 digits, code length) → indicator → [Σ cumulative, Σ current]."""
    prefix = func.substr(DamageValue.jurisdiction_code, 1, 9)
    length = func.length(DamageValue.jurisdiction_code)
    stmt = (
        select(
            prefix,
            length,
            DamageValue.indicator,
            func.sum(DamageValue.cumulative),
            func.sum(DamageValue.current),
        )
        .where(DamageValue.event_id == event_id)
        .group_by(prefix, length, DamageValue.indicator)
    )
    out: dict[tuple[str, int], dict[str, list]] = defaultdict(dict)
    for p, n, ind, cum, cur in session.execute(stmt):
        out[(p, int(n))][ind] = [cum, cur]
    return out


def _merge(own: dict[str, list] | None, below: dict[str, Cell]) -> dict[str, Cell]:
    """Per indicator and value: the own figure if given, else the sum below."""
    out: dict[str, Cell] = {}
    for ind in set(own or {}) | set(below):
        o = (own or {}).get(ind, [None, None])
        b = below.get(ind, {"cumulative": None, "current": None})
        out[ind] = {
            "cumulative": o[0] if o[0] is not None else b["cumulative"],
            "current": o[1] if o[1] is not None else b["current"],
            "own": o[0] is not None or o[1] is not None,
        }
    return out


def _sum(cells: list[dict[str, Cell]]) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    for c in cells:
        for ind, v in c.items():
            t = out.setdefault(ind, {"cumulative": None, "current": None, "own": False})
            t["cumulative"], t["current"] = (
                _add(t["cumulative"], v["cumulative"]),
                _add(t["current"], v["current"]),
            )
    return out


def tree(session: Session, event_id: int) -> dict[str, dict[str, Cell]]:
    """Effective figures of every place that has any (villages as reported; towns, counties, the
    city rolled up with supersession). Unsummed indicators are never added up."""
    grouped = _grouped(session, event_id)
    summed = {c for c, i in indicators.indicators().items() if i.summed}
    towns: dict[str, dict[str, Cell]] = {}
    for p, n in grouped:
        if n in (9, 12) and p not in towns:
            villages = grouped.get((p, 12), {})
            below = {k: {"cumulative": v[0], "current": v[1]} for k, v in villages.items() if k in summed}
            towns[p] = _merge(grouped.get((p, 9)), below)
    out: dict[str, dict[str, Cell]] = dict(towns)
    counties: dict[str, list] = defaultdict(list)
    for t, cells in towns.items():
        counties[t[:6]].append(cells)
    for p, n in grouped:
        if n == 6:
            counties.setdefault(p, [])
    for c, parts in counties.items():
        out[c] = _merge(grouped.get((c, 6)), _sum(parts))
    cities: dict[str, list] = defaultdict(list)
    for c in counties:
        cities[c[:4]].append(out[c])
    for p, n in grouped:
        if n == 4:
            cities.setdefault(p, [])
    for c, parts in cities.items():
        out[c] = _merge(grouped.get((c, 4)), _sum(parts))
    return out


def village_values(session: Session, event_id: int, town: str) -> dict[str, dict[str, Cell]]:
    low, high = division_codes.subtree_bounds(town)
    stmt = select(DamageValue).where(
        DamageValue.event_id == event_id,
        DamageValue.jurisdiction_code >= low,
        DamageValue.jurisdiction_code < high,
        func.length(DamageValue.jurisdiction_code) == 12,
    )
    out: dict[str, dict[str, Cell]] = defaultdict(dict)
    for v in session.scalars(stmt):
        out[v.jurisdiction_code][v.indicator] = {
            "cumulative": v.cumulative,
            "current": v.current,
            "own": True,
        }
    return out


def table(session: Session, principal, event: DisasterEvent, place: str | None = None) -> dict:
    """Rows for the children of ``place`` (default: the event's place) and the place's total."""
    place = place or event.jurisdiction_code
    effective = tree(session, event.id)
    level = division_codes.level_of(place)
    if level == "town":
        rows_by = village_values(session, event.id, place)
    else:
        n = {"city": 6, "county": 9}.get(level, 9)
        rows_by = {c: v for c, v in effective.items() if len(c) == n and c.startswith(place)}
    codes = sorted(c for c in rows_by if principal.covers(c) or principal.covers(place))
    names = places.names(session, [*codes, place])
    total = effective.get(place) or {}
    result = grade_of(session, event, effective)
    return {
        "event_id": event.id,
        "place": place,
        "rows": [{"code": c, "name": names.get(c, c), "values": rows_by[c]} for c in codes],
        "total": {"code": place, "name": names.get(place, place), "values": total},
        "grade": result,
    }


def grade_of(session: Session, event: DisasterEvent, effective: dict | None = None) -> dict:
    effective = effective if effective is not None else tree(session, event.id)
    totals = effective.get(event.jurisdiction_code) or {}
    measures = indicators.relief_measures({k: v["cumulative"] for k, v in totals.items()})
    tables = overrides.tables_for(session, event.jurisdiction_code)
    result = grading.grade(RELIEF_KIND, measures, tables=tables)
    rules = indicators.reporting_rules(session, event.jurisdiction_code)
    major = schedule.is_major(rules, measures["deaths"] + measures["missing"])
    return {
        "grade": result.grade,
        "label": result.label,
        "basis": list(result.basis),
        "measures": measures,
        "major": (rules.get("major") or {}).get("zh") if major else None,
    }


def regrade(session: Session, event: DisasterEvent) -> dict:
    """Re-evaluate the relief grade from the rolled-up figures; store it and push when it moves."""
    session.flush()
    result = grade_of(session, event)
    if result["grade"] != event.relief_grade:
        old = event.relief_grade
        event.relief_grade = result["grade"]
        event.relief_grade_at = clock.now()
        session.flush()
        publish(
            session,
            "damage.changed",
            event.jurisdiction_code,
            {"event_id": event.id, "what": "relief_grade", "old": old, "grade": result["grade"]},
        )
    if result["major"]:
        # ≥ 10 dead and missing: the county reports to the province and the ministry at once; tell
        # the province's reporters (once per process: the notification key).
        notify_level(
            session,
            event.jurisdiction_code[:2],
            subject=f"重大灾情: {event.name}",
            body=result["major"],
            link=f"/damage/{event.id}",
            category="damage",
            severity="warning",
            key=f"damage-major:{event.id}",
            perm=Perm.DAMAGE_REPORT,
        )
    return result
