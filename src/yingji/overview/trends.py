"""The overview's trends: incidents of the last 30 days by day and category, and by place one level
below, each beside the same 30 days a year before (同比). Two grouped queries; days are bucketed in
SQL by comparing with local midnights, so both databases agree without date functions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, case, cast, func, literal, literal_column, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.sql import unindexed
from yingji.drills import marks
from yingji.incidents.models import Incident
from yingji.org.codes import LEVEL_LENGTH
from yingji.org.models import Jurisdiction
from yingji.overview.schemas import SeriesOut, TrendsOut
from yingji.overview.situation import link, today_start
from yingji.response.stats import _year_back, category_label

DAYS = 30
CATEGORY_ORDER = ("natural", "accident", "health", "social")


def _midnights(today: datetime) -> tuple[list[datetime], list[datetime]]:
    """DAYS + 1 local midnights ending tomorrow, this year and a year before."""
    start = today - timedelta(days=DAYS - 1)
    cur = [start + timedelta(days=i) for i in range(DAYS + 1)]
    prev = []
    for m in cur:
        d = _year_back(m.date())
        prev.append(m.replace(year=d.year, month=d.month, day=d.day))
    return cur, prev


def _day_index(session: Session):
    """(column, start) → whole days from ``start`` to the column's instant, in SQL of either database."""
    if session.get_bind().dialect.name == "postgresql":
        return lambda col, start: func.floor(
            func.extract("epoch", col - clock.to_utc(start).replace(tzinfo=None)) / 86400
        )
    # SQLite keeps UTC instants as text; julianday() reads them.
    return lambda col, start: cast(
        func.julianday(col) - func.julianday(clock.to_utc(start).strftime("%Y-%m-%d %H:%M:%S.%f")), Integer
    )


def trends(session: Session, p: Principal, within: str | None) -> TrendsOut:
    today = today_start()
    cur, prev = _midnights(today)
    # A city or a province holds most incidents: read the two 30-day windows from the time index
    # (ix_incidents_occurred_cover), not the scope's range, which is (nearly) the whole table.
    wide = len(p.jurisdiction_code) <= LEVEL_LENGTH["city"]
    scope = unindexed(Incident.jurisdiction_code) if wide else Incident.jurisdiction_code
    base = [
        in_scope(scope, p),
        Incident.merged_into_id.is_(None),
        marks.real_incident(),
        or_(
            and_(Incident.occurred_at >= cur[0], Incident.occurred_at < cur[-1]),
            and_(Incident.occurred_at >= prev[0], Incident.occurred_at < prev[-1]),
        ),
    ]
    # Bucket: 100 + day index this year, day index last year — by arithmetic on the instant (a
    # 60-branch CASE per row cost more than reading the rows). Beijing has no daylight saving.
    day = _day_index(session)
    whens = case(
        (Incident.occurred_at >= cur[0], literal(100) + day(Incident.occurred_at, cur[0])),
        else_=day(Incident.occurred_at, prev[0]),
    )
    own = len(p.jurisdiction_code)
    length = next((n for n in sorted(LEVEL_LENGTH.values()) if n > own), own)
    prefix = func.substr(Incident.jurisdiction_code, 1, literal_column(str(int(length))))
    sub = select(whens.label("b"), Incident.category.label("c"), prefix.label("k")).where(*base).subquery()
    by_day: dict[str, list[int]] = {c: [0] * DAYS for c in CATEGORY_ORDER}
    last_year = [0] * DAYS
    places: dict[str, list[int]] = {}
    for bucket, category, key, n in session.execute(
        select(sub.c.b, sub.c.c, sub.c.k, func.count()).group_by(sub.c.b, sub.c.c, sub.c.k)
    ):
        bucket = None if bucket is None else int(bucket)
        if bucket is None or bucket < 0 or (bucket >= DAYS and bucket < 100) or bucket >= 100 + DAYS:
            continue
        this_year = bucket >= 100
        if this_year:
            by_day.setdefault(str(category).split(".")[0], [0] * DAYS)[bucket - 100] += n
        else:
            last_year[bucket] += n
        places.setdefault(str(key), [0, 0])[0 if this_year else 1] += n
    children = (
        dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(
                    Jurisdiction.parent_code == p.jurisdiction_code
                )
            ).all()
        )
        if p.jurisdiction_code
        else {}
    )
    names = children | {
        c: n
        for c, n in session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(
                Jurisdiction.code.in_([k for k in places if k not in children])
            )
        )
    }
    order = sorted(names, key=lambda c: (-places.get(c, [0, 0])[0], c))
    total = sum(sum(v) for v in by_day.values())
    before = sum(last_year)
    return TrendsOut(
        days=[m.strftime("%m-%d") for m in cur[:-1]],
        by_category=[
            SeriesOut(name=category_label(c), data=by_day[c])
            for c in by_day
            if any(by_day[c]) or c in CATEGORY_ORDER
        ],
        last_year=last_year,
        total=total,
        total_last_year=before,
        change=round((total - before) * 100.0 / before, 1) if before else None,
        places=[names[c] for c in order],
        place_codes=order,
        place_current=[places.get(c, [0, 0])[0] for c in order],
        place_last_year=[places.get(c, [0, 0])[1] for c in order],
        link=link("/stats/incidents", within, start=cur[0].date().isoformat(), end=today.date().isoformat()),
    )
