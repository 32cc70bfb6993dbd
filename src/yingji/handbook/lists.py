"""Parts two and three of the handbook: the rescue-teams list and the equipment and supplies list, each
read with a few set-based queries over the place's subtree (one grouped query for all stock, one for
all team leaders, one for all equipment), so a whole city costs about what a town does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.i18n import translate
from yingji.forces import codes as force_codes
from yingji.forces.models import Team, TeamEquipment, TeamMember
from yingji.handbook.model import (
    LEVEL_ZH,
    PARTS,
    ZH,
    Part,
    Table,
    phone,
    subtree,
)
from yingji.org.codes import level_of
from yingji.org.models import (
    Jurisdiction,
    Person,
)
from yingji.supplies import rules as supply_rules
from yingji.supplies.models import Balance, Item, Warehouse, WarehouseKeeper


# -- part two: rescue teams ------------------------------------------------------------------------
def teams(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[1])
    where = subtree(Team.jurisdiction_code, place.code) & Team.active
    teams = list(
        session.execute(
            select(
                Team.id,
                Team.name,
                Team.kind,
                Team.jurisdiction_code,
                Team.member_count,
                Team.duty_phone,
                Team.address,
                Team.capability_grade,
                Jurisdiction.name.label("place"),
            )
            .join(Jurisdiction, Jurisdiction.code == Team.jurisdiction_code)
            .where(where)
            .order_by(func.length(Team.jurisdiction_code), Team.jurisdiction_code, Team.kind, Team.name)
        )
    )
    leaders: dict[int, tuple[str, str | None]] = {}
    for team_id, name, mobile in session.execute(
        select(TeamMember.team_id, TeamMember.name, TeamMember.mobile)
        .where(subtree(TeamMember.jurisdiction_code, place.code), TeamMember.role == "leader")
        .order_by(TeamMember.team_id, TeamMember.id)
    ):
        leaders.setdefault(team_id, (name, mobile))
    summary["teams"] = len(teams)
    summary["team_members"] = sum(t.member_count or 0 for t in teams)
    by_kind: dict[str, list[int]] = {}
    for t in teams:
        acc = by_kind.setdefault(t.kind, [0, 0])
        acc[0] += 1
        acc[1] += t.member_count or 0
    part.h2("一、队伍总体情况")
    part.p(f"{place.name}共有应急救援队伍{len(teams)}支、队员{summary['team_members']}人。")
    part.table(
        Table(
            ["队伍类别", "队伍数（支）", "队员数（人）"],
            [50, 25, 25],
            [
                [_kind_zh(k), str(v[0]), str(v[1])]
                for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1][1])
            ],
        )
    )
    part.h2("二、队伍名录")
    rows = []
    for i, t in enumerate(teams, 1):
        leader = leaders.get(t.id)
        grade = force_codes.GRADES.get(t.capability_grade or "")
        level = LEVEL_ZH.get(level_of(t.jurisdiction_code), "")
        rows.append(
            [
                str(i),
                t.name,
                _kind_zh(t.kind),
                level + (f"·{translate(grade, ZH)}" if grade else ""),
                str(t.member_count or 0),
                leader[0] if leader else "",
                phone(principal, leader[1] if leader else None, t.duty_phone),
                t.address or t.place,
            ]
        )
    part.table(
        Table(
            ["序号", "队伍名称", "类别", "级别", "人数", "队长", "联系电话", "驻地"],
            [9, 40, 22, 12, 9, 13, 26, 32],
            rows,
            wide=(1, 2, 6, 7),
        )
    )
    return part


def _kind_zh(kind: str) -> str:
    spec = force_codes.TEAM_KINDS.get(kind)
    return translate(spec.label, ZH) if spec else kind


# -- part three: stores and equipment ------------------------------------------------------------
def stores(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[2])
    categories = supply_rules.categories()
    stores = list(
        session.execute(
            select(
                Warehouse.id,
                Warehouse.name,
                Warehouse.level,
                Warehouse.address,
                Warehouse.jurisdiction_code,
                Jurisdiction.name.label("place"),
            )
            .join(Jurisdiction, Jurisdiction.code == Warehouse.jurisdiction_code)
            .where(subtree(Warehouse.jurisdiction_code, place.code), Warehouse.active)
            .order_by(func.length(Warehouse.jurisdiction_code), Warehouse.jurisdiction_code, Warehouse.name)
        )
    )
    stock: dict[int, dict[str, int]] = {}
    totals: dict[str, list[int]] = {}
    for wid, category, qty, kinds in session.execute(
        select(
            Balance.warehouse_id,
            Item.category,
            func.sum(Balance.qty),
            func.count(func.distinct(Balance.item_id)),
        )
        .join(Item, Item.id == Balance.item_id)
        .where(subtree(Balance.jurisdiction_code, place.code), Balance.qty > 0)
        .group_by(Balance.warehouse_id, Item.category)
    ):
        stock.setdefault(wid, {})[category] = int(qty)
        acc = totals.setdefault(category, [0, 0, 0])
        acc[0] += int(qty)
        acc[1] += 1
        acc[2] = max(acc[2], int(kinds))
    keepers: dict[int, tuple[str, str | None]] = {}
    for wid, name, mobile in session.execute(
        select(WarehouseKeeper.warehouse_id, Person.name, Person.mobile)
        .join(Person, Person.id == WarehouseKeeper.person_id)
        .where(subtree(WarehouseKeeper.jurisdiction_code, place.code), WarehouseKeeper.role == "keeper")
    ):
        keepers.setdefault(wid, (name, mobile))
    summary["stores"] = len(stores)
    summary["categories"] = len(totals)
    order = list(categories)
    part.h2("一、物资储备总体情况")
    part.p(f"{place.name}共有应急物资储备库（点）{len(stores)}个，储备物资{len(totals)}类。")
    part.table(
        Table(
            ["物资类别", "储备库（点）数", "数量合计"],
            [50, 25, 25],
            [
                [_category_zh(categories, c), str(totals[c][1]), str(totals[c][0])]
                for c in sorted(totals, key=lambda c: order.index(c) if c in order else 999)
            ],
        )
    )
    part.h2("二、储备库（点）名录")
    rows = []
    for i, s in enumerate(stores, 1):
        held = stock.get(s.id, {})
        text = "；".join(
            f"{_category_zh(categories, c)}{held[c]}"
            for c in sorted(held, key=lambda c: order.index(c) if c in order else 999)
        )
        keeper = keepers.get(s.id)
        rows.append(
            [
                str(i),
                s.name,
                LEVEL_ZH.get(s.level, s.level),
                text or "（暂无库存）",
                f"{keeper[0]} {phone(principal, keeper[1])}" if keeper else "",
                s.address or s.place,
            ]
        )
    part.table(
        Table(
            ["序号", "储备库（点）", "级别", "物资类别及数量", "保管员", "地址"],
            [9, 36, 10, 62, 24, 30],
            rows,
            wide=(1, 3, 4, 5),
        )
    )
    part.h2("三、队伍装备")
    equipment = list(
        session.execute(
            select(
                TeamEquipment.category,
                TeamEquipment.name,
                func.sum(TeamEquipment.quantity),
                func.count(func.distinct(TeamEquipment.team_id)),
            )
            .where(subtree(TeamEquipment.jurisdiction_code, place.code), TeamEquipment.state != "retired")
            .group_by(TeamEquipment.category, TeamEquipment.name)
            .order_by(TeamEquipment.category.desc(), func.sum(TeamEquipment.quantity).desc())
        )
    )
    summary["equipment_kinds"] = len(equipment)
    part.table(
        Table(
            ["类别", "装备名称", "数量", "配备队伍数"],
            [20, 50, 15, 20],
            [
                [translate(force_codes.EQUIPMENT_CATEGORIES.get(c, c), ZH), n, str(int(q)), str(t)]
                for c, n, q, t in equipment
            ],
        )
    )
    return part


def _category_zh(categories: dict, code: str) -> str:
    cat = categories.get(code)
    return cat.zh if cat else code
