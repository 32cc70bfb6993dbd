"""Incident statistics on a known set of incidents in a fresh database: counts and deaths by category,
grade, place and month against the same period last year (双降), scoped, and as Excel."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from yingji.auth.roles import PERMISSIONS, Role
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.core.errors import NotFound, ValidationFailed
from yingji.incidents.models import Incident
from yingji.org.models import Jurisdiction
from yingji.response import stats, stats_excel

PLACES = [
    ("52", "贵州省", "province", None),
    ("5206", "铜仁市", "city", "52"),
    ("520602", "碧江区", "county", "5206"),
    ("520603", "万山区", "county", "5206"),
    ("520602001", "灯塔街道", "town", "520602"),
    ("520602002", "环北街道", "town", "520602"),
    ("520603001", "仁山街道", "town", "520603"),
]
# (place, Beijing time of occurrence, category, grade, deaths); 2026 is "this year" up to 30 June.
INCIDENTS = [
    ("520602001", "2025-01-10 10:00", "accident.production", "IV", 1),
    ("520602001", "2025-03-05 23:30", "accident.production", "III", 3),
    ("520602002", "2025-06-30 23:59", "natural.geological", "IV", 0),
    ("520603001", "2025-05-01 08:00", "accident.road_traffic", "IV", 2),
    ("520602001", "2025-07-01 00:00", "accident.production", "IV", 5),  # after the compared days
    ("520602001", "2026-01-31 23:59", "accident.production", "IV", 1),  # January, Beijing time
    ("520602002", "2026-03-05 12:00", "natural.geological", "IV", 0),
    ("520603001", "2026-06-30 22:00", "accident.road_traffic", None, 1),
    ("520603001", "2026-07-01 00:30", "accident.road_traffic", "IV", 9),  # outside the period
]


def _utc(text: str) -> datetime:
    from yingji.core.clock import LOCAL_TZ

    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture(scope="module")
def stats_db(databases):
    db = databases.make("stats")
    with db.writing(Actor.system("tests")) as s:
        s.add_all(Jurisdiction(code=c, name=n, level=lvl, parent_code=p) for c, n, lvl, p in PLACES)
        s.flush()
        for code, when, category, grade, deaths in INCIDENTS:
            t = _utc(when)
            s.add(
                Incident(
                    number=f"S-{uuid.uuid4().hex[:10]}",
                    title="统计样本",
                    category=category,
                    grade=grade,
                    jurisdiction_code=code,
                    occurred_at=t,
                    received_at=t,
                    status="closed",
                    deaths=deaths,
                    injuries=1,
                    direct_loss_cny=1000,
                )
            )
        s.flush()
        merged_into = s.query(Incident.id).first()[0]
        t = _utc("2026-02-01 10:00")
        s.add(  # a duplicate merged into another incident is not counted
            Incident(
                number="S-merged",
                title="重复",
                category="accident.production",
                jurisdiction_code="520602001",
                occurred_at=t,
                received_at=t,
                deaths=7,
                merged_into_id=merged_into,
            )
        )
    return db


def _principal(code: str, role: Role = Role.COMMANDER) -> Principal:
    return Principal(None, "t", "t", role, code, PERMISSIONS[role])


def _report(db, code="5206", **kw) -> stats.Report:
    with db.reading() as s:
        return stats.report(s, _principal(code), first_day=date(2026, 1, 1), last_day=date(2026, 6, 30), **kw)


def test_totals_and_double_decline(stats_db):
    r = _report(stats_db)
    assert (r.totals.current["count"], r.totals.previous["count"]) == (3, 4)
    assert (r.totals.current["deaths"], r.totals.previous["deaths"]) == (2, 6)
    assert r.totals.change("count") == -25.0
    assert r.totals.change("deaths") == pytest.approx(-66.67)
    assert r.double_decline
    assert r.totals.current["serious_or_above"] == 0 and r.totals.previous["serious_or_above"] == 1
    assert r.totals.current["direct_loss_cny"] == 3000


def test_by_category_grade_place_and_month(stats_db):
    r = _report(stats_db)
    cats = {row.key: (row.figures.current["count"], row.figures.previous["count"]) for row in r.by_category}
    assert cats["accident"] == (2, 3) and cats["natural"] == (1, 1)
    assert cats["accident.production"] == (1, 2) and cats["accident.road_traffic"] == (1, 1)
    grades = {row.key: (row.figures.current["count"], row.figures.previous["count"]) for row in r.by_grade}
    assert grades == {"I": (0, 0), "II": (0, 0), "III": (0, 1), "IV": (2, 3), None: (1, 0)}
    place = {row.key: (row.figures.current["count"], row.figures.previous["count"]) for row in r.by_place}
    assert place == {"520602": (2, 3), "520603": (1, 1)}
    months = {row.key: (row.figures.current["count"], row.figures.previous["count"]) for row in r.by_month}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert months["2026-01"] == (1, 1) and months["2026-03"] == (1, 1) and months["2026-06"] == (1, 1)
    assert months["2026-05"] == (0, 1)


def test_a_county_sees_its_towns_and_a_category_filter(stats_db):
    r = _report(stats_db, code="520602", category="accident")
    assert (r.totals.current["count"], r.totals.previous["count"]) == (1, 2)
    assert {row.key for row in r.by_place} == {"520602001"}
    assert (r.totals.current["deaths"], r.totals.previous["deaths"]) == (1, 4) and r.double_decline


def test_scope_and_bad_periods(stats_db):
    with stats_db.reading() as s:
        with pytest.raises(NotFound):
            stats.report(s, _principal("520603"), within="520602")
        with pytest.raises(ValidationFailed):
            stats.report(s, _principal("5206"), first_day=date(2026, 5, 1), last_day=date(2026, 1, 1))
        county = stats.report(s, _principal("520603"), first_day=date(2026, 1, 1), last_day=date(2026, 6, 30))
    assert county.totals.current["count"] == 1


def test_excel_export_carries_the_figures(stats_db):
    book = load_workbook(io.BytesIO(stats_excel.workbook(_report(stats_db))))
    summary = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows()}
    assert 3 in summary.values() and 4 in summary.values() and -25.0 in summary.values()
    assert len(book.worksheets) == 5
    by_place = book.worksheets[3]
    assert [c.value for c in by_place[2]][:4] == ["碧江区", 2, 3, pytest.approx(-33.33)]
