"""The hidden-danger ledger (隐患台账) as an Excel sheet: the rows of the ledger page's filters, with
each step's date, in the official column order. Reporters' names and numbers are not exported."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.clock import to_local
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import names as place_names
from yingji.org.exchange import common
from yingji.org.sheets import Column
from yingji.risk import dangers, labels, tables

MAX_ROWS = 100_000
COLUMNS = [
    Column("number", "隐患编号", "Number", False, 16),
    Column("place", "所在地", "Place", False, 18),
    Column("title", "隐患内容", "Hidden danger", False, 30),
    Column("category", "类别", "Category", False, 12),
    Column("source", "来源", "Source", False, 10),
    Column("grade", "等级", "Grade", False, 12),
    Column("status", "状态", "Status", False, 12),
    Column("found", "发现日期", "Found", False, 12),
    Column("responsible_party", "整改责任单位", "Responsible", False, 20),
    Column("measures", "整改措施", "Measures", False, 30),
    Column("funds_cny", "整改资金(元)", "Funds (CNY)", False, 12),
    Column("deadline", "整改期限", "Deadline", False, 12),
    Column("reviewed", "复查验收日期", "Accepted", False, 12),
    Column("closed", "销号日期", "Written off", False, 12),
    Column("overdue", "逾期", "Overdue", False, 6),
    Column("listed", "挂牌督办", "Listed", False, 8),
]


def _day(value) -> str:
    return f"{to_local(value):%Y-%m-%d}" if value else ""


def _query(session: Session, principal: Principal, filters: dict):
    require(principal, Perm.EXPORT)
    return dangers.ledger_query(session, principal, **filters).limit(MAX_ROWS)


def count(session: Session, principal: Principal, **filters) -> int:
    """How many rows the ledger under ``filters`` has (at most 100,000)."""
    return common.count_of(session, _query(session, principal, filters))


def rows(session: Session, principal: Principal, **filters) -> Iterator[dict]:
    """The ledger's rows under the same filters as its page (at most 100,000), read in batches from
    a server-side cursor, places as their path (县 · 镇 · 村)."""
    stmt = _query(session, principal, filters).execution_options(yield_per=1000)
    return _rows(session, session.scalars(stmt).partitions())


def _rows(session: Session, batches) -> Iterator[dict]:
    status, grades = labels.translated(labels.DANGER_STATUS), labels.translated(labels.GRADES)
    sources, categories = labels.translated(labels.SOURCES), tables.categories()
    ix = place_names.index(session)  # 县 · 镇 · 村 from the in-memory index
    for batch in batches:
        for d in batch:
            yield {
                "number": d.number,
                "place": ix.short_path(d.jurisdiction_code),
                "title": d.title,
                "category": categories.get(d.category, d.category),
                "source": sources.get(d.source, d.source),
                "grade": grades.get(d.grade, ""),
                "status": status.get(d.status, d.status),
                "found": _day(d.found_at),
                "responsible_party": d.responsible_party,
                "measures": d.measures,
                "funds_cny": d.funds_cny,
                "deadline": d.deadline.isoformat() if d.deadline else "",
                "reviewed": _day(d.accepted_at),
                "closed": _day(d.closed_at),
                "overdue": "是" if dangers.is_overdue(d) or d.overdue_at else "",
                "listed": "是" if d.listed else "",
            }


kinds.export(
    kinds.ExportKind(
        name="risk_dangers",
        label=N_("Hidden-danger ledger"),
        entity="risk_dangers",
        title="隐患台账",
        columns=COLUMNS,
        rows=rows,
        count=count,
        filename=lambda p: "dangers.xlsx",
    )
)
