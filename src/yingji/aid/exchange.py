"""Excel sheets of aid, written by ``org.sheets`` (large ones as file jobs, ``files.kinds``):
受灾人员冬春生活政府救助人口一览表 (应急统表10, the form's ten fields in its order), the 需救助 /
已救助 statistics per town, the distribution ledger and the rebuilding cases with their steps."""

from __future__ import annotations

from sqlalchemy import func, select

from yingji.aid import labels, programmes, rebuild
from yingji.aid.codes import RecipientState
from yingji.aid.models import AidDistribution, AidRecipient, RebuildCase, RebuildStep
from yingji.auth.scope import in_scope
from yingji.core.clock import to_local
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import places
from yingji.org.sheets import Column
from yingji.supplies.models import Item

# 应急统表10 (RULES2 §10.4, S-18): per household, D03001–D03010 in the form's order.
FORM10 = [
    Column("D03001", "户主姓名（D03001）", "Head of household (D03001)", width=14),
    Column("D03002", "户主身份证号（D03002）", "Head's ID number (D03002)", width=22),
    Column("D03003", "户主联系方式（D03003）", "Head's phone (D03003)", width=16),
    Column("D03004", "家庭类型（D03004）", "Family type (D03004)", width=12),
    Column("D03005", "家庭人口（D03005）", "Family size (D03005)", width=10),
    Column("D03006", "家庭住址（D03006）", "Address (D03006)", width=30),
    Column("D03007", "需救助人口（D03007）", "People in need (D03007)", width=10),
    Column("D03008", "已发放救助款（元）（D03008）", "Aid paid, yuan (D03008)", width=14),
    Column("D03009", "已发放救助物资折款（元）（D03009）", "Goods given, yuan (D03009)", width=14),
    Column("D03010", "救助资金发放形式（D03010）", "How aid was paid (D03010)", width=14),
]
LIVE = (RecipientState.LISTED.value, RecipientState.APPROVED.value, RecipientState.PAID.value)


def _programme(session, principal, programme_id):
    return programmes.get(session, principal, int(programme_id))


def form10_rows(session, principal, programme_id):
    programme = _programme(session, principal, programme_id)
    families, forms = labels.family_types(), labels.pay_forms()
    q = (
        select(AidRecipient)
        .where(
            AidRecipient.programme_id == programme.id,
            AidRecipient.state.in_(LIVE),
            in_scope(AidRecipient.jurisdiction_code, principal),
        )
        .order_by(AidRecipient.jurisdiction_code, AidRecipient.id)
    )
    for r in session.scalars(q):
        yield {
            "D03001": r.head_name,
            # the number is never kept: its last four only (the form's other digits are masked)
            "D03002": ("*" * 14 + r.head_id_tail) if r.head_id_tail else "",
            "D03003": r.head_phone or "",
            "D03004": families.get(r.family_type or "", r.family_type or ""),
            "D03005": r.family_size,
            "D03006": r.address or "",
            "D03007": r.people_in_need,
            "D03008": round(r.paid_yuan or 0, 2),
            "D03009": round(r.goods_yuan or 0, 2),
            "D03010": forms.get(r.pay_form or "", r.pay_form or ""),
        }


def form10_count(session, principal, programme_id) -> int:
    programme = _programme(session, principal, programme_id)
    return session.scalar(
        select(func.count()).where(AidRecipient.programme_id == programme.id, AidRecipient.state.in_(LIVE))
    )


kinds.export(
    kinds.ExportKind(
        name="aid_form10",
        label=N_("Government aid recipients (应急统表10)"),
        entity="aid_recipients",
        title="应急统表10",
        columns=FORM10,
        rows=form10_rows,
        count=form10_count,
        filename=lambda p: f"受灾人员冬春生活政府救助人口一览表-{p['programme_id']}.xlsx",
    )
)


# -- 需救助 / 已救助 per town --------------------------------------------------------------------
def stats_columns() -> list[Column]:
    cols = [
        Column("name", "乡镇（街道）", "Town", width=18),
        Column("code", "区划代码", "Division code", width=14),
        Column("households", "需救助户数", "Households in need", width=10),
        Column("people_in_need", "需救助人口", "People in need", width=10),
    ]
    cols += [
        Column(f"need_{k}", f"其中：{zh}需求户数", f"of which {k}", width=10)
        for k, zh in labels.need_categories().items()
    ]
    cols += [
        Column("paid_households", "已救助户数", "Households helped", width=10),
        Column("paid_yuan", "已发放救助款（元）", "Aid paid (yuan)", width=14),
        Column("goods_yuan", "已发放救助物资折款（元）", "Goods given (yuan)", width=14),
    ]
    return cols


def stats_rows(session, principal, programme_id):
    programme = _programme(session, principal, programme_id)
    got = programmes.totals(session, principal, programme)
    needs: dict[str, dict[str, int]] = {}
    for code, need in session.execute(
        select(AidRecipient.jurisdiction_code, AidRecipient.needs).where(
            AidRecipient.programme_id == programme.id,
            AidRecipient.state != RecipientState.REMOVED.value,
            in_scope(AidRecipient.jurisdiction_code, principal),
        )
    ):
        town = needs.setdefault(code[:9], {})
        for k in need or {}:
            town[k] = town.get(k, 0) + 1
    for row in [*got["towns"], got["total"] | {"name": "合计"}]:
        code = row["code"]
        counts = needs.get(code, {}) if len(code) == 9 else _sum(needs)
        yield row | {f"need_{k}": counts.get(k, 0) for k in labels.need_categories()}


def _sum(needs: dict) -> dict:
    out: dict[str, int] = {}
    for town in needs.values():
        for k, n in town.items():
            out[k] = out.get(k, 0) + n
    return out


kinds.export(
    kinds.ExportKind(
        name="aid_stats",
        label=N_("Aid needed and given per town"),
        entity="aid_programmes",
        title="需救助及已救助情况",
        columns=stats_columns(),
        rows=stats_rows,
        count=lambda session, principal, programme_id: 100,
        filename=lambda p: f"冬春生活需救助及已救助情况统计表-{p['programme_id']}.xlsx",
    )
)


# -- the distribution ledger ------------------------------------------------------------------
LEDGER = [
    Column("at", "发放时间", "Handed out at", width=18),
    Column("village", "村（社区）", "Village", width=16),
    Column("head_name", "户主姓名", "Head of household", width=12),
    Column("kind", "发放类别", "Kind", width=8),
    Column("amount_yuan", "金额或折款（元）", "Amount or value (yuan)", width=12),
    Column("item", "物资", "Goods", width=16),
    Column("quantity", "数量", "Quantity", width=8),
    Column("stock_document_id", "出库单号", "Stock document", width=10),
    Column("receiver_name", "领取人", "Received by", width=12),
    Column("note", "备注", "Note", width=24),
]


def ledger_rows(session, principal, programme_id):
    programme = _programme(session, principal, programme_id)
    rows = session.execute(
        select(AidDistribution, AidRecipient.head_name, Item.name)
        .join(AidRecipient, AidRecipient.id == AidDistribution.recipient_id)
        .outerjoin(Item, Item.id == AidDistribution.item_id)
        .where(
            AidDistribution.programme_id == programme.id,
            in_scope(AidDistribution.jurisdiction_code, principal),
        )
        .order_by(AidDistribution.at, AidDistribution.id)
    ).all()
    names = places.names(session, {d.jurisdiction_code[:12] for d, _h, _i in rows})
    for d, head, item in rows:
        yield {
            "at": to_local(d.at).strftime("%Y-%m-%d %H:%M"),
            "village": names.get(d.jurisdiction_code[:12], d.jurisdiction_code),
            "head_name": head,
            "kind": labels.label(labels.DISTRIBUTION_LABELS, d.kind),
            "amount_yuan": d.amount_yuan,
            "item": item or "",
            "quantity": d.quantity or "",
            "stock_document_id": d.stock_document_id or "",
            "receiver_name": d.receiver_name or "",
            "note": d.note or "",
        }


kinds.export(
    kinds.ExportKind(
        name="aid_ledger",
        label=N_("Aid distribution ledger"),
        entity="aid_distributions",
        title="发放台账",
        columns=LEDGER,
        rows=ledger_rows,
        count=lambda session, principal, programme_id: session.scalar(
            select(func.count()).where(AidDistribution.programme_id == int(programme_id))
        ),
        filename=lambda p: f"救助款物发放台账-{p['programme_id']}.xlsx",
    )
)


# -- rebuilding cases -------------------------------------------------------------------------
CASES = [
    Column("code", "编号", "Case", width=18),
    Column("village", "村（社区）", "Village", width=16),
    Column("head_name", "户主姓名", "Head of household", width=12),
    Column("degree", "损坏程度", "Damage", width=10),
    Column("mode", "方式", "Mode", width=10),
    Column("rooms", "间数", "Rooms", width=6),
    Column("state", "当前环节", "Step", width=10),
    Column("grant_yuan", "补助金额（元）", "Grant (yuan)", width=12),
    Column("paid_yuan", "已拨付（元）", "Paid (yuan)", width=12),
    Column("progress_pct", "进度（%）", "Progress (%)", width=8),
    Column("steps", "办理过程", "Steps", width=60),
]


def cases_rows(session, principal, within=None):
    cases = rebuild.search(session, principal, within=within)
    steps: dict[int, list[str]] = {}
    ids = [c.id for c in cases]
    for i in range(0, len(ids), 500):
        for s in session.scalars(
            select(RebuildStep).where(RebuildStep.case_id.in_(ids[i : i + 500])).order_by(RebuildStep.id)
        ):
            when = to_local(s.at).strftime("%Y-%m-%d")
            text = f"{when} {labels.label(labels.REBUILD_LABELS, s.to_state)}"
            steps.setdefault(s.case_id, []).append(text + (f"（{s.note}）" if s.note else ""))
    names = places.names(session, {c.jurisdiction_code[:12] for c in cases})
    for c in cases:
        yield {
            "code": c.code,
            "village": names.get(c.jurisdiction_code[:12], c.jurisdiction_code),
            "head_name": c.head_name,
            "degree": labels.label(labels.DEGREE_LABELS, c.degree),
            "mode": labels.label(labels.MODE_LABELS, c.mode),
            "rooms": c.rooms,
            "state": labels.label(labels.REBUILD_LABELS, c.state),
            "grant_yuan": c.grant_yuan if c.grant_yuan is not None else "",
            "paid_yuan": c.paid_yuan,
            "progress_pct": c.progress_pct,
            "steps": "；".join(steps.get(c.id, [])),
        }


kinds.export(
    kinds.ExportKind(
        name="aid_rebuild",
        label=N_("House rebuilding cases"),
        entity="rebuild_cases",
        title="倒损住房恢复重建",
        columns=CASES,
        rows=cases_rows,
        count=lambda session, principal, within=None: session.scalar(
            select(func.count()).where(in_scope(RebuildCase.jurisdiction_code, principal))
        ),
        filename=lambda p: "倒损住房恢复重建台账.xlsx",
    )
)
