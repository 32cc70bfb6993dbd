"""Dynamic clearing (隐患动态清零): per town and month, the hidden dangers found, rectified, still
open, overdue, and the rectification rate; a town is cleared when nothing it found is left open.
One grouped query over the month column (the local month a danger was found in)."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column, write
from yingji.risk.danger_models import OPEN_STATUSES, RECTIFIED_STATUSES, Danger, DangerStatus
from yingji.risk.dangers import today

COLUMNS = [
    Column("town_code", "乡镇(街道)代码", "Town code", False, 14),
    Column("town", "乡镇(街道)", "Town", False, 16),
    Column("month", "月份", "Month", False, 9),
    Column("found", "排查发现", "Found", False, 10),
    Column("rectified", "已整改(验收/销号)", "Rectified", False, 14),
    Column("open", "未整改", "Open", False, 9),
    Column("overdue", "逾期未整改", "Overdue", False, 11),
    Column("ever_overdue", "曾逾期", "Ever overdue", False, 9),
    Column("major", "重大隐患", "Major", False, 9),
    Column("dismissed", "不予登记", "Dismissed", False, 9),
    Column("rate", "整改率", "Rate", False, 9),
]


def months_back(count: int = 12) -> list[str]:
    """The last ``count`` local months, oldest first, ending with this month."""
    now = clock.to_local(clock.now())
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _one(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def table(
    session: Session, principal: Principal, *, months: list[str], within: str | None = None
) -> list[dict]:
    """Rows per town and month (newest month first, then town code), rate = rectified / registered."""
    town = func.substr(Danger.jurisdiction_code, 1, 9)
    stmt = (
        select(
            town,
            Danger.found_month,
            func.count(),
            _one(Danger.status.in_(RECTIFIED_STATUSES)),
            _one(Danger.status.in_(OPEN_STATUSES)),
            _one((Danger.status == DangerStatus.RECTIFYING) & (Danger.deadline < today())),
            _one(Danger.overdue_at.is_not(None)),
            _one(Danger.grade == "major"),
            _one(Danger.status == DangerStatus.DISMISSED),
        )
        .where(in_scope(Danger.jurisdiction_code, principal), Danger.found_month.in_(months))
        .group_by(town, Danger.found_month)
    )
    stmt = places.narrow(session, principal, stmt, Danger.jurisdiction_code, within)
    raw = session.execute(stmt).all()
    codes = {r[0] for r in raw}
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
        ).all()
    )
    rows = []
    for code, month, found, rectified, open_, overdue, ever, major, dismissed in raw:
        counted = found - dismissed
        rows.append(
            {
                "town_code": code,
                "town": names.get(code, code),
                "month": month,
                "found": found,
                "rectified": int(rectified or 0),
                "open": int(open_ or 0),
                "overdue": int(overdue or 0),
                "ever_overdue": int(ever or 0),
                "major": int(major or 0),
                "dismissed": int(dismissed or 0),
                "rate": round(int(rectified or 0) / counted, 4) if counted else None,
            }
        )
    rows.sort(key=lambda r: (r["month"], r["town_code"]), reverse=True)
    return rows


def by_town(rows: list[dict]) -> list[dict]:
    """The months added up per town, with ``cleared`` when nothing is left open."""
    towns: dict[str, dict] = {}
    for r in rows:
        t = towns.setdefault(
            r["town_code"],
            {"town_code": r["town_code"], "town": r["town"], "month": ""}
            | dict.fromkeys(
                ("found", "rectified", "open", "overdue", "ever_overdue", "major", "dismissed"), 0
            ),
        )
        for key in ("found", "rectified", "open", "overdue", "ever_overdue", "major", "dismissed"):
            t[key] += r[key]
    for t in towns.values():
        counted = t["found"] - t["dismissed"]
        t["rate"] = round(t["rectified"] / counted, 4) if counted else None
        t["cleared"] = t["open"] == 0
    return sorted(towns.values(), key=lambda t: t["town_code"])


def workbook(rows: list[dict], locale: str) -> bytes:
    """The statistics as .xlsx (rate as a percentage)."""
    shown = [r | {"rate": "" if r["rate"] is None else f"{r['rate'] * 100:.1f}%"} for r in rows]
    return write("隐患动态清零", COLUMNS, shown, locale)
