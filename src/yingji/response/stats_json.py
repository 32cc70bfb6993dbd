"""Incident statistics as JSON: for the API and for the charts of the statistics page."""

from __future__ import annotations

from typing import Any

from yingji.response.stats import Figures, Report, Row


def figures(f: Figures) -> dict[str, Any]:
    return {
        "current": f.current,
        "previous": f.previous,
        "change_pct": {k: f.change(k) for k in f.current},
    }


def rows(items: list[Row]) -> list[dict[str, Any]]:
    return [{"key": r.key, "label": r.label.strip(), **figures(r.figures)} for r in items]


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report; ``double_decline`` is the 双降 flag (counts and deaths both down)."""
    return {
        "place": {"code": report.place_code, "name": report.place_name},
        "period": {"start": report.current.first_day.isoformat(), "end": report.current.last_day.isoformat()},
        "previous_period": {
            "start": report.previous.first_day.isoformat(),
            "end": report.previous.last_day.isoformat(),
        },
        "category": report.category,
        "totals": figures(report.totals),
        "double_decline": report.double_decline,
        "by_category": rows(report.by_category),
        "by_grade": rows(report.by_grade),
        "by_place": rows(report.by_place),
        "by_month": rows(report.by_month),
    }
