"""Plan coverage read out: the API's shape, the county layer of the one map (coverage rate against
the goal), and the gaps as the Excel sheet an office files."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.i18n import current_locale
from yingji.geo.simplify import band_of, simplified
from yingji.org import codes as division_codes
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column
from yingji.plans import coverage
from yingji.plans.coverage import Cell, Result


def cell_out(result: Result, cell: Cell) -> dict:
    return {
        "total": cell.total,
        "covered": cell.covered,
        "rate": None if cell.rate is None else round(cell.rate, 4),
        "meets_goal": result.meets_goal(cell),
    }


def category_labels() -> dict[str, str]:
    zh = current_locale().startswith("zh")
    return {code: (z if zh else e) for code, z, e in coverage.top_categories()}


def to_out(result: Result, scope_name: str) -> dict:
    labels = category_labels()
    return {
        "scope_code": result.scope_code,
        "scope_name": scope_name,
        "goal": result.goal,
        "rules": [
            {
                "key": r.key,
                "label": r.label,
                "subject": r.subject,
                "kinds": list(r.kinds),
                "required": r.required,
                "responsible": r.responsible_label,
                "law": r.spec.get("law", ""),
                "confidence": r.spec.get("confidence", ""),
            }
            for r in result.rules
        ],
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "cells": {k: cell_out(result, c) for k, c in a.cells.items()},
                "overall": cell_out(result, a.overall),
            }
            for a in result.areas
        ],
        "totals": {k: cell_out(result, c) for k, c in result.totals.items()},
        "overall": cell_out(result, result.overall),
        "gaps": [g.__dict__ for g in result.gaps],
        "gaps_total": result.gaps_total,
        "category_labels": labels,
        "categories": [
            {
                "code": row["code"],
                "name": row["name"],
                "counts": row["counts"],
                "uncovered": [labels[c] for c, n in row["counts"].items() if n == 0 and c in labels],
            }
            for row in result.categories
        ],
    }


def scope_of(principal: Principal, within: str | None) -> str:
    return within or principal.jurisdiction_code


def scope_name(session: Session, code: str) -> str:
    if not code:
        return ""
    return session.scalar(select(Jurisdiction.name).where(Jurisdiction.code == code)) or code


# -- the map layer -----------------------------------------------------------------------------
def geojson(session: Session, result: Result, zoom: float | None) -> tuple[str, int]:
    """The counties of the result as a FeatureCollection, each with its coverage figures."""
    counties = {a.code: a for a in result.areas if len(a.code) == 6}
    if not counties:
        return '{"type":"FeatureCollection","features":[]}', 0
    band = band_of(zoom)
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.geometry).where(
            Jurisdiction.code.in_(sorted(counties)), Jurisdiction.geometry.is_not(None)
        )
    ).all()
    parts = []
    for code, geometry in rows:
        area = counties[code]
        cell = area.overall
        props = json.dumps(
            {
                "code": code,
                "name": area.name,
                "total": cell.total,
                "covered": cell.covered,
                "gaps": cell.total - cell.covered,
                "rate": None if cell.rate is None else round(cell.rate, 4),
                "meets_goal": result.meets_goal(cell),
                "goal": result.goal,
                "url": f"/plans/coverage?within={code}",
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        parts.append(
            f'{{"type":"Feature","geometry":{simplified(code, geometry, band)},"properties":{props}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}", len(parts)


# -- Excel: the gaps -----------------------------------------------------------------------------
GAP_COLUMNS = [
    Column("area", "所属县(市、区)", "Area", False, 16),
    Column("rule", "应有预案", "Plan required", False, 28),
    Column("name", "单位(地区)名称", "Unit or place", False, 30),
    Column("place_code", "区划代码", "Division code", False, 14),
    Column("place_name", "所在区划", "Division", False, 14),
    Column("responsible", "责任单位", "Responsible", False, 28),
    Column("law", "依据", "Basis", False, 40),
]
GAP_TITLE = "应急预案缺口清单"


def gap_rows(result: Result, area_names: dict[str, str]) -> Iterator[dict]:
    by_key = {r.key: r for r in result.rules}
    for g in result.gaps:
        rule = by_key[g.rule]
        yield {
            "area": area_names.get(g.area_code, g.area_code),
            "rule": rule.label,
            "name": g.name,
            "place_code": division_codes.division_code_12(g.place_code),
            "place_name": g.place_name,
            "responsible": g.responsible,
            "law": rule.spec.get("law", ""),
        }
