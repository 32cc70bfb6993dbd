"""Incident statistics: by category, grade, place and month, against the same period a year before
(the "双降" figures: counts and deaths down by X%). Set-based: one GROUP BY per dimension covering
both periods, scoped by the jurisdiction range, merged duplicates left out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.clock import LOCAL_TZ, to_local
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_, current_locale, gettext
from yingji.drills import marks
from yingji.incidents.models import Incident
from yingji.org import places
from yingji.org.codes import LEVEL_LENGTH
from yingji.org.models import Jurisdiction

GRADE_LABELS = {
    "I": N_("Extraordinarily grave (I)"),  # 特别重大
    "II": N_("Grave (II)"),  # 重大
    "III": N_("Relatively grave (III)"),  # 较大
    "IV": N_("Ordinary (IV)"),  # 一般
    None: N_("Not graded"),
}
MEASURES = ("count", "deaths", "missing", "injuries", "direct_loss_cny", "serious_or_above")


@dataclass
class Period:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    first_day: date
    last_day: date


@dataclass
class Figures:
    current: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    previous: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def change(self, measure: str) -> float | None:
        """Per cent change against last year (None when last year had none)."""
        before, now = self.previous[measure], self.current[measure]
        return None if before == 0 else round((now - before) * 100.0 / before, 2)


@dataclass
class Row:
    key: str | None
    label: str
    figures: Figures


@dataclass
class Report:
    place_code: str
    place_name: str
    current: Period
    previous: Period
    totals: Figures
    by_category: list[Row]
    by_grade: list[Row]
    by_place: list[Row]
    by_month: list[Row]
    category: str | None

    @property
    def double_decline(self) -> bool:
        """双降: both the number of incidents and the deaths fell against the same period last year."""
        t = self.totals
        return t.current["count"] < t.previous["count"] and t.current["deaths"] < t.previous["deaths"]


@cache
def _categories() -> dict[str, dict]:
    path = files("yingji") / "rules" / "event_categories.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict] = {}
    for top in data.get("categories", []):
        out[top["code"]] = top
        for sub in top.get("subcategories", []):
            out[sub["code"]] = sub
    return out


def category_label(code: str | None) -> str:
    entry = _categories().get(code or "")
    if entry is None:
        return code or gettext("Unknown")
    return entry.get("zh" if current_locale() == "zh_CN" else "en") or code


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def periods(first_day: date | None = None, last_day: date | None = None) -> tuple[Period, Period]:
    """This period (default: the year so far, Beijing time) and the same days a year before."""
    today = to_local(clock.now()).date()
    first_day = first_day or date(today.year, 1, 1)
    last_day = last_day or today
    if last_day < first_day or (last_day - first_day).days > 366:
        raise ValidationFailed(
            details=[{"field": "period", "message": "The period must be one year at most."}]
        )

    def make(a: date, b: date) -> Period:
        return Period(_local_midnight(a), _local_midnight(b + timedelta(days=1)), a, b)

    return make(first_day, last_day), make(_year_back(first_day), _year_back(last_day))


def _months(period: Period) -> list[tuple[date, datetime]]:
    """(first day, start instant) of every local month the period touches; the first is the period start."""
    out, day = [], period.first_day.replace(day=1)
    while day <= period.last_day:
        out.append((day, max(_local_midnight(day), period.start)))
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def report(
    session: Session,
    principal: Principal,
    *,
    within: str | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    category: str | None = None,
) -> Report:
    """The statistics of the principal's jurisdiction (or a place inside it)."""
    code = within or principal.jurisdiction_code
    place = places.get(session, principal, code) if code else None
    cur, prev = periods(first_day, last_day)
    conditions = [
        in_scope(Incident.jurisdiction_code, principal),
        Incident.merged_into_id.is_(None),
        marks.real_incident(),  # drills are not incidents
        or_(
            and_(Incident.occurred_at >= cur.start, Incident.occurred_at < cur.end),
            and_(Incident.occurred_at >= prev.start, Incident.occurred_at < prev.end),
        ),
    ]
    if code:
        low, high = places.within(session, principal, code)
        conditions += [Incident.jurisdiction_code >= low, Incident.jurisdiction_code < high]
    if category:
        conditions.append(or_(Incident.category == category, Incident.category.startswith(category + ".")))
    which = case((Incident.occurred_at >= cur.start, literal("cur")), else_=literal("prev"))
    values = [
        Incident.deaths.label("deaths"),
        Incident.missing.label("missing"),
        (Incident.injuries + Incident.serious_injuries).label("injuries"),
        Incident.direct_loss_cny.label("loss"),
        case((Incident.grade.in_(("I", "II", "III")), 1), else_=0).label("serious"),
    ]

    def grouped(dimension) -> dict[object, Figures]:
        # Group in an outer query over plain columns: PostgreSQL does not see two renderings of the same
        # expression with bound parameters as equal in GROUP BY.
        rows = select(which.label("p"), dimension.label("k"), *values).where(*conditions).subquery()
        sums = [
            func.coalesce(func.sum(rows.c[n]), 0)
            for n in ("deaths", "missing", "injuries", "loss", "serious")
        ]
        stmt = select(rows.c.p, rows.c.k, func.count(), *sums).group_by(rows.c.p, rows.c.k)
        out: dict[object, Figures] = {}
        for p, key, *numbers in session.execute(stmt):
            target = out.setdefault(key, Figures())
            (target.current if p == "cur" else target.previous).update(
                zip(MEASURES, map(int, numbers), strict=True)
            )
        return out

    by_cat = grouped(Incident.category)
    grades = grouped(Incident.grade)
    totals = Figures()
    for figures in by_cat.values():
        for m in MEASURES:
            totals.current[m] += figures.current[m]
            totals.previous[m] += figures.previous[m]
    return Report(
        place_code=place.code if place else "",
        place_name=place.name if place else gettext("All"),
        current=cur,
        previous=prev,
        totals=totals,
        by_category=_category_rows(by_cat),
        by_grade=[Row(g, gettext(label), grades.get(g, Figures())) for g, label in GRADE_LABELS.items()],
        by_place=_place_rows(session, grouped, code or ""),
        by_month=_month_rows(grouped, cur, prev),
        category=category,
    )


def _category_rows(by_cat: dict[object, Figures]) -> list[Row]:
    """Rolled up to the four categories, each followed by its subcategories."""
    tops: dict[str, Figures] = {}
    for sub, figures in by_cat.items():
        top = tops.setdefault(str(sub).split(".")[0], Figures())
        for m in MEASURES:
            top.current[m] += figures.current[m]
            top.previous[m] += figures.previous[m]
    rows = []
    for top in sorted(tops):
        rows.append(Row(top, category_label(top), tops[top]))
        rows += [
            Row(str(sub), "　" + category_label(str(sub)), f)
            for sub, f in sorted(by_cat.items(), key=lambda kv: str(kv[0]))
            if str(sub).split(".")[0] == top and str(sub) != top
        ]
    return rows


def _place_rows(session: Session, grouped, code: str) -> list[Row]:
    """One row per division one level below the place."""
    levels = sorted(LEVEL_LENGTH.values())
    length = next((n for n in levels if n > len(code)), None)
    if length is None:
        return []
    data = grouped(func.substr(Incident.jurisdiction_code, 1, length))
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_([str(k) for k in data]))
        ).all()
    )
    return [
        Row(str(k), names.get(str(k), str(k)), f)
        for k, f in sorted(data.items(), key=lambda kv: (-kv[1].current["count"], str(kv[0])))
    ]


def _month_rows(grouped, cur: Period, prev: Period) -> list[Row]:
    """Month by month; last year's same month beside each."""
    months_cur, months_prev = _months(cur), _months(prev)
    bounds = [(i, start) for i, (_, start) in enumerate(months_prev)] + [
        (100 + i, start) for i, (_, start) in enumerate(months_cur)
    ]
    whens = [(Incident.occurred_at >= start, literal(i)) for i, start in reversed(bounds)]
    data = grouped(case(*whens, else_=literal(-1)))
    rows = []
    for i, (day, _) in enumerate(months_cur):
        f = Figures(current=data.get(100 + i, Figures()).current, previous=data.get(i, Figures()).previous)
        rows.append(
            Row(
                day.strftime("%Y-%m"),
                f"{day.month}月" if current_locale() == "zh_CN" else day.strftime("%b"),
                f,
            )
        )
    return rows


def top_categories() -> list[tuple[str, str]]:
    """(code, label) of the four event categories, for the filter."""
    return [(code, category_label(code)) for code, entry in _categories().items() if "." not in code]
