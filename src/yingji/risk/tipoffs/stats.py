"""Tip-off statistics (举报统计): by kind, month and place, the verified share, rewards paid — one
grouped query each — their Excel sheet, and the concealments the assessment's one-vote veto reads."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.i18n import translate
from yingji.org.codes import subtree_bounds
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column, write
from yingji.risk.tipoffs.codes import CONCEALMENT_KINDS, KIND_LABELS, RewardState, TipoffState, Verdict
from yingji.risk.tipoffs.handling import require_reader
from yingji.risk.tipoffs.models import Tipoff

CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12, 12: 15}
CHECKED = (TipoffState.SUBSTANTIATED.value, TipoffState.UNFOUNDED.value, TipoffState.CLOSED.value)


def _year(stmt, year: int | None):
    return stmt.where(Tipoff.received_month.like(f"{year:04d}-%")) if year else stmt


def _measures():
    substantiated = func.sum(
        case((Tipoff.verdict.in_((Verdict.TRUE.value, Verdict.PARTLY.value)), 1), else_=0)
    )
    checked = func.sum(case((Tipoff.verdict.is_not(None), 1), else_=0))
    paid = func.sum(case((Tipoff.reward_state == RewardState.PAID.value, 1), else_=0))
    paid_cny = func.coalesce(func.sum(Tipoff.paid_cny), 0)
    return (func.count(Tipoff.id), checked, substantiated, paid, paid_cny)


def _row(key, label, n, checked, true, paid, paid_cny) -> dict:
    checked, true = int(checked or 0), int(true or 0)
    return {
        "key": key,
        "label": label,
        "count": int(n),
        "checked": checked,
        "substantiated": true,
        "verified_share": round(true / checked, 3) if checked else None,
        "rewards_paid": int(paid or 0),
        "paid_cny": int(paid_cny or 0),
    }


def summary(session: Session, principal: Principal, year: int | None = None, locale: str = "zh_CN") -> dict:
    """Totals, and rows by kind, by month and by the next level of places under the principal's."""
    require_reader(principal)
    scope = in_scope(Tipoff.jurisdiction_code, principal)
    total = session.execute(_year(select(*_measures()).where(scope), year)).one()
    by_kind = session.execute(
        _year(select(Tipoff.kind, *_measures()).where(scope), year)
        .group_by(Tipoff.kind)
        .order_by(Tipoff.kind)
    ).all()
    by_month = session.execute(
        _year(select(Tipoff.received_month, *_measures()).where(scope), year)
        .group_by(Tipoff.received_month)
        .order_by(Tipoff.received_month)
    ).all()
    n = CHILD_LENGTH.get(len(principal.jurisdiction_code), 15)
    place = func.substr(Tipoff.jurisdiction_code, 1, n)
    by_place = session.execute(
        _year(select(place, *_measures()).where(scope), year).group_by(place).order_by(place)
    ).all()
    names = (
        dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(
                    Jurisdiction.code.in_({r[0] for r in by_place})
                )
            ).all()
        )
        if by_place
        else {}
    )
    return {
        "year": year,
        "total": _row("total", translate("Total", locale), *total),
        "by_kind": [_row(k, translate(KIND_LABELS.get(k, k), locale), *m) for k, *m in by_kind],
        "by_month": [_row(m0, m0, *m) for m0, *m in by_month],
        "by_place": [_row(c, names.get(c, c), *m) for c, *m in by_place],
    }


COLUMNS = [
    Column("group", "分组", "Group", False, 10),
    Column("label", "项目", "Item", False, 24),
    Column("count", "举报数", "Tip-offs", False, 10),
    Column("checked", "已核查", "Checked", False, 10),
    Column("substantiated", "属实(含部分属实)", "Substantiated", False, 14),
    Column("verified_share", "属实率", "Verified share", False, 10),
    Column("rewards_paid", "已奖励件数", "Rewards paid", False, 12),
    Column("paid_cny", "奖励金额(元)", "Paid (yuan)", False, 14),
]


def sheet(session: Session, principal: Principal, year: int | None, locale: str = "zh_CN") -> bytes:
    data = summary(session, principal, year, locale)
    groups = {"by_kind": "按类别", "by_month": "按月份", "by_place": "按地区"}

    def rows():
        for key, title in groups.items():
            for r in data[key]:
                share = f"{r['verified_share']:.1%}" if r["verified_share"] is not None else ""
                yield {"group": title, **r, "verified_share": share}
        t = data["total"]
        yield {
            "group": "合计",
            **t,
            "verified_share": f"{t['verified_share']:.1%}" if t["verified_share"] is not None else "",
        }

    return write("举报统计", COLUMNS, rows(), locale)


def concealments(session: Session, jurisdiction_codes: list[str], year: int) -> dict[str, list[int]]:
    """For each code, the ids of substantiated (属实 / 部分属实) 事故瞒报 and 谎报 tip-offs received in
    ``year`` anywhere in its subtree: the facts the assessment's one-vote veto (一票否决) reads.
    No principal: the caller (the assessment) has already decided who may see the result."""
    out: dict[str, list[int]] = {code: [] for code in jurisdiction_codes}
    if not jurisdiction_codes:
        return out
    rows = session.execute(
        select(Tipoff.id, Tipoff.jurisdiction_code)
        .where(
            Tipoff.kind.in_([k.value for k in CONCEALMENT_KINDS]),
            Tipoff.verdict.in_((Verdict.TRUE.value, Verdict.PARTLY.value)),
            Tipoff.received_month.like(f"{year:04d}-%"),
        )
        .order_by(Tipoff.id)
    ).all()
    bounds = {code: subtree_bounds(code) for code in jurisdiction_codes}
    for tipoff_id, code in rows:
        for wanted, (low, high) in bounds.items():
            if low <= code < high:
                out[wanted].append(tipoff_id)
    return out
