"""The handbook's content, assembled once and written by both renderers (PDF and DOCX): a cover,
then four parts made of headings, paragraphs and tables.

Every list is read with a handful of set-based queries over the place's subtree (one grouped query
for all stock, one for all team leaders, one for all equipment …): a whole city (3,100 stores,
3,200 teams, 66,000 members) is read in about as many queries as a town. Phones are masked here,
once, for a principal without CONTACT_PHONE, so neither renderer can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import PERMISSIONS, ROLE_LABELS_MSGID, Perm
from yingji.auth.scope import Principal, mask_phone
from yingji.core import clock
from yingji.core.i18n import translate
from yingji.duty import oncall
from yingji.forces import codes as force_codes
from yingji.forces.models import Team, TeamEquipment, TeamMember
from yingji.handbook import procedures
from yingji.org.codes import LEVEL_LENGTH, level_of, subtree_bounds
from yingji.org.models import (
    GridAssignment,
    Jurisdiction,
    Person,
    Position,
    Responsibility,
    Unit,
    UnitMembership,
)
from yingji.supplies import rules as supply_rules
from yingji.supplies.models import Balance, Item, Warehouse, WarehouseKeeper

ZH = "zh_CN"
PARTS = ("指挥体系清单", "应急队伍清单", "装备物资清单", "操作手册")
NUMERALS = "一二三四五六七八九十"
LEVEL_ZH = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "town": "乡级",
    "village": "村级",
    "group": "组级",
}
# The bodies of a place's command system, in the order the list prints them.
BODY_KINDS = (
    "command_hq",
    "hq_office",
    "special_hq",
    "emergency_committee",
    "committee_office",
    "working_group",
    "service_station",
)
HQ_KINDS = ("command_hq", "special_hq", "emergency_committee", "service_station")
CHILD_HQ_KINDS = ("command_hq", "emergency_committee", "committee_office", "service_station")
KIND_ZH = {
    "command_hq": "总指挥部",
    "hq_office": "指挥部办公室",
    "special_hq": "专项指挥部",
    "emergency_committee": "应急管理委员会",
    "committee_office": "应急管理办公室",
    "working_group": "专项工作组",
    "service_station": "应急服务站",
}
UNIT_ROLE_ZH = {"lead": "牵头单位", "member": "成员单位"}


@dataclass
class Table:
    columns: list[str]
    widths: list[float]  # relative widths
    rows: list[list[str]]
    # columns (by index) set in the smaller size and left-aligned: long texts such as duties
    wide: tuple[int, ...] = ()


@dataclass
class Block:
    kind: str  # h2 (a chapter in a part, in the table of contents), h3, p, table
    text: str = ""
    table: Table | None = None


@dataclass
class Part:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def h2(self, text: str) -> None:
        self.blocks.append(Block("h2", text))

    def h3(self, text: str) -> None:
        self.blocks.append(Block("h3", text))

    def p(self, text: str) -> None:
        self.blocks.append(Block("p", text))

    def table(self, table: Table, empty: str = "（无）") -> None:
        if table.rows:
            self.blocks.append(Block("table", table=table))
        else:
            self.p(empty)


@dataclass
class Handbook:
    code: str
    place_name: str
    level: str
    title: str
    data_at: datetime  # when the data were read (the document's "data as of")
    masked: bool  # phones masked (the reader may not see numbers)
    parts: list[Part]
    summary: dict[str, int]

    @property
    def data_date(self) -> str:
        local = clock.to_local(self.data_at)
        return f"{local.year}年{local.month}月{local.day}日"


def _phone(principal: Principal, *numbers: str | None) -> str:
    return " / ".join(mask_phone(n, principal) or "" for n in numbers if n)


def _subtree(column, code: str):
    low, high = subtree_bounds(code)
    return (column >= low) & (column < high)


def title_of(place_name: str) -> str:
    return f"{place_name}应急管理“三清单一手册”"


# -- part one: the command system --------------------------------------------------------------
def _command(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[0])
    bodies = list(
        session.execute(
            select(Unit.id, Unit.name, Unit.kind, Unit.topic, Unit.duty_phone, Unit.address)
            .where(Unit.jurisdiction_code == place.code, Unit.kind.in_(BODY_KINDS))
            .order_by(Unit.sort, Unit.id)
        )
    )
    bodies.sort(key=lambda b: BODY_KINDS.index(b.kind))
    ids = [b.id for b in bodies]
    posts: dict[int, list] = {}
    memberships: dict[int, list] = {}
    duties: dict[int, list] = {}
    member_posts: dict[int, list] = {}
    if ids:
        for row in session.execute(
            select(
                Position.unit_id,
                Position.title,
                Person.name,
                Person.title.label("ptitle"),
                Person.mobile,
                Person.office_phone,
            )
            .join(Person, Person.id == Position.person_id)
            .where(Position.unit_id.in_(ids))
            .order_by(Position.unit_id, Position.sort, Position.id)
        ):
            posts.setdefault(row.unit_id, []).append(row)
        for row in session.execute(
            select(UnitMembership.hq_id, UnitMembership.role, Unit.id, Unit.name, Unit.duty_phone)
            .join(Unit, Unit.id == UnitMembership.member_id)
            .where(UnitMembership.hq_id.in_(ids))
            .order_by(UnitMembership.hq_id, UnitMembership.role, Unit.sort, Unit.id)
        ):
            memberships.setdefault(row.hq_id, []).append(row)
    member_ids = sorted({m.id for rows in memberships.values() for m in rows})
    wanted = ids + member_ids
    if wanted:
        for chunk in _chunks(wanted):
            for row in session.execute(
                select(Responsibility.unit_id, Responsibility.text, Responsibility.topics)
                .where(Responsibility.unit_id.in_(chunk))
                .order_by(Responsibility.unit_id, Responsibility.seq)
            ):
                duties.setdefault(row.unit_id, []).append(row)
    if member_ids:
        for chunk in _chunks(member_ids):
            for row in session.execute(
                select(Position.unit_id, Position.title, Position.role, Person.name, Person.mobile)
                .join(Person, Person.id == Position.person_id)
                .where(Position.unit_id.in_(chunk), Position.role.in_(("chief", "liaison")))
                .order_by(Position.unit_id, Position.sort)
            ):
                member_posts.setdefault(row.unit_id, []).append(row)
    summary["bodies"] = len(bodies)
    summary["member_units"] = len(member_ids)
    if not bodies:
        part.p(f"{place.name}尚未在平台登记应急指挥机构。")
        return part
    overview = Table(
        ["序号", "机构", "类别", "主要负责人", "值班电话"],
        [6, 40, 16, 22, 20],
        [
            [
                str(i),
                b.name,
                KIND_ZH.get(b.kind, b.kind),
                "、".join(f"{p.name}（{p.title}）" for p in posts.get(b.id, [])[:2]),
                _phone(principal, b.duty_phone),
            ]
            for i, b in enumerate(bodies, 1)
        ],
        wide=(1, 3),
    )
    part.h2("一、指挥机构一览")
    part.table(overview)
    n = 1
    for b in bodies:
        n += 1
        part.h2(f"{_numeral(n)}、{b.name}")
        if b.duty_phone or b.address:
            bits = []
            if b.duty_phone:
                bits.append(f"值班电话：{_phone(principal, b.duty_phone)}")
            if b.address:
                bits.append(f"地址：{b.address}")
            part.p("；".join(bits))
        rows = posts.get(b.id, [])
        part.h3("（一）组成人员")
        part.table(
            Table(
                ["职务", "姓名", "单位职务", "联系电话"],
                [20, 16, 40, 28],
                [
                    [r.title, r.name, r.ptitle or "", _phone(principal, r.mobile, r.office_phone)]
                    for r in rows
                ],
                wide=(2,),
            )
        )
        lines = duties.get(b.id, [])
        if lines:
            part.h3("（二）主要职责")
            for k, line in enumerate(lines, 1):
                part.p(f"{k}. {line.text}")
        members = memberships.get(b.id, [])
        if members:
            part.h3(f"（{'三' if lines else '二'}）成员单位及职责")
            table_rows = []
            for m in members:
                heads = member_posts.get(m.id, [])
                chief = next((h for h in heads if h.role == "chief"), None)
                liaison = next((h for h in heads if h.role == "liaison"), None)
                mine = [d.text for d in duties.get(m.id, []) if not b.topic or b.topic in (d.topics or "")]
                table_rows.append(
                    [
                        m.name,
                        UNIT_ROLE_ZH.get(m.role, m.role),
                        "；".join(mine) or "按本单位职能做好相关工作",
                        f"{chief.name} {_phone(principal, chief.mobile)}" if chief else "",
                        f"{liaison.name} {_phone(principal, liaison.mobile)}" if liaison else "",
                    ]
                )
            part.table(
                Table(
                    ["单位", "角色", "职责", "负责人", "联络员"],
                    [24, 10, 52, 20, 20],
                    table_rows,
                    wide=(0, 2, 3, 4),
                )
            )
    return part


# -- part two: rescue teams ------------------------------------------------------------------------
def _teams(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[1])
    where = _subtree(Team.jurisdiction_code, place.code) & Team.active
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
        .where(_subtree(TeamMember.jurisdiction_code, place.code), TeamMember.role == "leader")
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
                _phone(principal, leader[1] if leader else None, t.duty_phone),
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
def _stores(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
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
            .where(_subtree(Warehouse.jurisdiction_code, place.code), Warehouse.active)
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
        .where(_subtree(Balance.jurisdiction_code, place.code), Balance.qty > 0)
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
        .where(_subtree(WarehouseKeeper.jurisdiction_code, place.code), WarehouseKeeper.role == "keeper")
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
                f"{keeper[0]} {_phone(principal, keeper[1])}" if keeper else "",
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
            .where(_subtree(TeamEquipment.jurisdiction_code, place.code), TeamEquipment.state != "retired")
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


# -- part four: the operations handbook ----------------------------------------------------------
def _operations(session: Session, principal: Principal, place: Jurisdiction, summary: dict) -> Part:
    part = Part(PARTS[3])
    part.h2("一、应急响应程序")
    plans = procedures.plans_in_force(session, place.code)
    summary["plans"] = len(plans)
    procedures.write(part, plans)
    part.h2("二、信息报告时限")
    procedures.reporting_limits(part, session, place.code)
    part.h2("三、预警发布链条")
    _warning_chain(part, session, principal, place)
    part.h2("四、重要联系方式")
    _contacts(part, session, principal, place)
    return part


def _warning_chain(part: Part, session: Session, principal: Principal, place: Jurisdiction) -> None:
    from yingji.rules import load

    levels = load("warning_levels.json")["levels"]
    part.p(
        "预警信息按级别审批发布：预警级别由高到低分为一级（红色）、二级（橙色）、三级（黄色）、四级（蓝色）。"
        "需审批的级别，由起草人以外的领导审批后发布。"
    )
    part.table(
        Table(
            ["预警级别", "是否需领导审批"],
            [50, 50],
            [
                [
                    v["zh"],
                    "是（审批人不得为起草人）"
                    if v.get("requires_approval")
                    else "否，具有发布权限者可直接发布",
                ]
                for v in levels.values()
            ],
        )
    )

    def holders(perm: Perm) -> list[str]:
        roles = [r for r, perms in PERMISSIONS.items() if perm in perms and r.value != "admin"]
        return [r.value for r in roles]

    steps = [("起草", Perm.WARNING_DRAFT), ("审批", Perm.WARNING_APPROVE), ("发布", Perm.WARNING_PUBLISH)]
    roles_all = sorted({r for _, perm in steps for r in holders(perm)})
    users = list(
        session.execute(
            select(User.display_name, User.role)
            .where(User.jurisdiction_code == place.code, User.active, User.role.in_(roles_all))
            .order_by(User.role, User.display_name)
        )
    )
    rows = []
    for label, perm in steps:
        role_names = [translate(ROLE_LABELS_MSGID[r], ZH) for r in PERMISSIONS if r.value in holders(perm)]
        people = [u.display_name for u in users if u.role in holders(perm)]
        rows.append([label, "、".join(role_names), "、".join(people) or "（本级未设账号）"])
    part.h3("（一）起草、审批、发布")
    part.table(Table(["环节", "岗位", f"{place.name}账号"], [14, 50, 40], rows, wide=(1, 2)))
    part.h3("（二）接收与传递")
    counts = dict(
        session.execute(
            select(GridAssignment.role, func.count())
            .where(_subtree(GridAssignment.jurisdiction_code, place.code))
            .group_by(GridAssignment.role)
        ).all()
    )
    part.p(
        "预警信息发布后，由指挥机构成员单位、各级应急管理办公室逐级传递至网格，"
        f"本辖区网格长{counts.get('leader', 0)}人次、网格员{counts.get('worker', 0)}人次"
        "负责入户告知和确认签收，对老弱病残等群体逐户通知到人。"
    )


def _contacts(part: Part, session: Session, principal: Principal, place: Jurisdiction) -> None:
    units = list(
        session.execute(
            select(Unit.name, Unit.kind, Unit.duty_phone)
            .where(Unit.jurisdiction_code == place.code, Unit.duty_phone.is_not(None))
            .order_by(Unit.sort, Unit.id)
        )
    )
    part.h3("（一）本级值班电话")
    part.table(
        Table(["单位", "值班电话"], [60, 40], [[u.name, _phone(principal, u.duty_phone)] for u in units])
    )
    part.h3("（二）当前值班人员")
    on = oncall.on_duty(session, jurisdiction_code=place.code)
    rows = []
    for d in on:
        leader = d.leader
        rows.append(
            [
                d.unit_name,
                f"{leader.name} {_phone(principal, leader.mobile)}" if leader else "（空缺）",
                "、".join(f"{o.name} {_phone(principal, o.mobile)}" for o in d.officers) or "（空缺）",
                _phone(principal, d.duty_phone),
            ]
        )
    part.table(
        Table(["值班单位", "带班领导", "值班员", "值班电话"], [30, 26, 40, 20], rows, wide=(0, 1, 2)),
        empty="（本级尚未编排值班表）",
    )
    child = _child_length(place.code)
    if child:
        rows = [
            [r.place, r.name, _phone(principal, r.duty_phone)]
            for r in session.execute(
                select(Jurisdiction.name.label("place"), Unit.name, Unit.duty_phone)
                .join(Jurisdiction, Jurisdiction.code == Unit.jurisdiction_code)
                .where(
                    _subtree(Unit.jurisdiction_code, place.code),
                    func.length(Unit.jurisdiction_code) == child,
                    Unit.kind.in_(CHILD_HQ_KINDS),
                    Unit.duty_phone.is_not(None),
                )
                .order_by(Unit.jurisdiction_code, Unit.sort, Unit.id)
            )
        ]
        part.h3("（三）下级应急值班电话")
        part.table(Table(["地区", "单位", "值班电话"], [24, 50, 26], rows, wide=(1,)))


def _child_length(code: str) -> int | None:
    order = list(LEVEL_LENGTH.values())
    i = order.index(len(code))
    return order[i + 1] if i + 1 < len(order) and order[i + 1] <= 12 else None


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{NUMERALS[tens - 1] if tens > 1 else ''}十{NUMERALS[ones - 1] if ones else ''}"


def _chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def assemble(session: Session, principal: Principal, place: Jurisdiction) -> Handbook:
    """The whole handbook of ``place`` as ``principal`` may read it (phones masked unless allowed)."""
    summary: dict[str, int] = {}
    data_at = clock.now()
    parts = [
        _command(session, principal, place, summary),
        _teams(session, principal, place, summary),
        _stores(session, principal, place, summary),
        _operations(session, principal, place, summary),
    ]
    return Handbook(
        code=place.code,
        place_name=place.name,
        level=place.level,
        title=title_of(place.name),
        data_at=data_at,
        masked=not principal.can(Perm.CONTACT_PHONE),
        parts=parts,
        summary=summary,
    )
