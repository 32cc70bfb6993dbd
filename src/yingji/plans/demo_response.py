"""Demo response parts: every special, overall and township plan of the demo without levels gets
levels Ⅰ–Ⅳ (triggers tied to the grading table of its topic where the law gives one, else to the
incident's grade) and realistic actions — the HQ's (会商研判, 现场指挥部, 信息报送, 新闻发布) and each
member unit's by what the unit does (公安 管制警戒, 消防 搜救, 卫健 救治 …), fewer units and longer
limits at Ⅳ级, every member unit and shorter limits at Ⅰ级. Bulk inserts; one audit summary.
The plan rows themselves come from the registry's demo (``yingji.plans.demo``)."""

from __future__ import annotations

from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core.db import Actor, Database
from yingji.org.models import Unit
from yingji.plans import conditions
from yingji.plans.models import Plan, PlanAction, PlanLevel, PlanMember

KINDS = ("special", "overall", "township")
GRADES = ("I", "II", "III", "IV")
GRADE_WORDS = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
# The grading table of the law for a plan's event categories, where one exists.
RULE_OF_CATEGORY = {
    "natural.geological": "geological_damage",
    "accident.production": "production_safety",
}
# Time limits (minutes) per level: the HQ's first steps, the member units' arrival.
HQ_MINUTES = {1: 20, 2: 30, 3: 45, 4: 60}
MEMBER_MINUTES = {1: 60, 2: 90, 3: 120, 4: 180}

# What a member unit does, by a word of its name: (task, detail, resources).
UNIT_ACTIONS = [
    (
        "公安",
        "实施现场警戒和交通管制，维护治安秩序",
        "封控事发区域，疏导交通，保障救援通道畅通",
        [("警车", 2, "辆")],
    ),
    (
        "消防",
        "组织抢险救援和被困人员搜救",
        "按指挥部指令开展搜救、灭火和危险源处置",
        [("抢险救援车", 2, "辆"), ("生命探测仪", 1, "台")],
    ),
    ("卫生", "组织医疗救治和卫生防疫", "调派医疗队伍赶赴现场，做好伤员救治和转运", [("救护车", 2, "辆")]),
    (
        "交通",
        "抢通受损道路，保障应急运输",
        "组织抢修力量，优先保障救援车辆和物资运输",
        [("挖掘机", 2, "台"), ("装载机", 1, "台")],
    ),
    ("自然资源", "开展应急调查和监测预警", "查明灾害范围和成因，监测次生灾害隐患", [("无人机", 1, "架")]),
    ("气象", "提供现场气象保障服务", "加密天气监测，及时提供预报和预警信息", []),
    (
        "水务",
        "开展水情监测和水利工程调度",
        "做好雨情水情监测，指导水库、山塘安全度汛",
        [("排涝泵车", 1, "台")],
    ),
    ("住房", "组织房屋和市政设施安全鉴定", "排查受损房屋，必要时组织人员撤离", []),
    ("民政", "做好受灾群众基本生活救助", "配合开展临时安置和困难群众救助", [("棉被", 100, "床")]),
    (
        "应急管理",
        "统筹调配应急物资和救援力量",
        "调拨帐篷、折叠床等救灾物资，协调救援队伍",
        [("帐篷", 50, "顶"), ("折叠床", 100, "张")],
    ),
    ("林业", "组织扑火队伍和扑火物资", "调集专业扑火队，划定扑救区域", [("风力灭火机", 10, "台")]),
    ("供电", "抢修供电设施，保障应急电源", "优先保障指挥部、医院和安置点用电", [("应急发电车", 1, "辆")]),
    ("人民武装", "组织民兵参加抢险救援", "按程序协调民兵应急分队投入抢险", []),
    ("能源", "指导涉事企业开展救援", "组织专家研判，督促企业落实处置措施", []),
    ("地震", "开展震情监测和趋势研判", "加密监测，及时报告余震和震情趋势", []),
    ("市场监督", "保障市场供应和食品安全", "加强生活必需品价格和质量监管", []),
    ("农业", "组织农业生产救灾", "指导受灾农户抢收抢种，防范动物疫病", []),
    ("生态环境", "开展环境应急监测", "监测水体和大气污染，提出处置建议", [("应急监测车", 1, "辆")]),
    ("通信", "保障应急通信畅通", "组织运营企业抢修通信设施，开通应急通信", [("应急通信车", 1, "辆")]),
    ("工作组", "组织网格员巡查和群众转移避险", "按照转移预案组织受威胁群众转移到避险点", []),
]
DEFAULT_ACTION = ("按职责参与应急处置", "落实指挥部部署的工作任务，及时报告进展", [])


def _unit_action(name: str) -> tuple[str, str, list]:
    for word, title, detail, resources in UNIT_ACTIONS:
        if word in name:
            return title, detail, resources
    return DEFAULT_ACTION


def levels_for(plan: dict) -> list[dict]:
    """Level rows of a plan: tied to the grading table of its category where there is one."""
    kind = next((RULE_OF_CATEGORY[c] for c in plan["event_categories"] or [] if c in RULE_OF_CATEGORY), None)
    tied = conditions.from_rules(kind) if kind else {}
    rows = []
    for n, grade in enumerate(GRADES, start=1):
        decided = "总指挥" if n <= 2 else "指挥长" if plan["kind"] != "township" else "乡镇应急管理委员会主任"
        if n in tied:
            text, cond = tied[n]["trigger_text"], tied[n]["conditions"]
            cond = {**cond, "grades": [grade]}
        else:
            label = conditions.LEVEL_LABELS[n]
            word = GRADE_WORDS[grade]
            text = f"发生{word}突发事件（{grade}级），或事态可能发展为该等级时，启动{label}响应。"
            cond = {"grades": [grade], "figures": []}
        rows.append(
            {
                "plan_id": plan["id"],
                "level": n,
                "trigger_text": text,
                "conditions": cond,
                "decided_by": decided,
                "jurisdiction_code": plan["jurisdiction_code"],
            }
        )
    return rows


def actions_for(plan: dict, members: list[tuple[int, str, str]]) -> list[dict]:
    """Action rows of a plan's four levels. ``members``: (unit_id, name, role), the lead first."""
    rows = []
    has_hq = plan["hq_unit_id"] is not None or plan["lead_unit_id"] is not None
    for n in (1, 2, 3, 4):
        hq_rows = []
        if has_hq:
            hq_rows = [
                (
                    "task",
                    "组织会商研判，提出处置意见",
                    "召集成员单位和专家分析研判事态发展",
                    HQ_MINUTES[n],
                    [],
                ),
                (
                    "notice",
                    "通知各成员单位进入应急状态",
                    f"启动{conditions.LEVEL_LABELS[n]}响应，各成员单位按职责到位",
                    None,
                    [],
                ),
                ("check", "按规定时限向上级报告响应启动情况", None, HQ_MINUTES[n], []),
            ]
            if n <= 3:
                hq_rows.append(
                    (
                        "task",
                        "派出工作组赶赴现场，成立现场指挥部",
                        "现场指挥部设综合协调、抢险救援、医疗救治等工作组",
                        HQ_MINUTES[n] * 2,
                        [("指挥车", 1, "辆")],
                    )
                )
            if n <= 2:
                hq_rows.append(("check", "组织新闻发布，回应社会关切", None, None, []))
        chosen = members[:1] if n == 4 else members[: max(1, (len(members) + 1) // 2)] if n == 3 else members
        seq = 0
        for kind, title, detail, due, res in hq_rows:
            seq += 1
            rows.append(_action(plan, n, seq, "hq", None, kind, title, detail, due, res))
        for unit_id, name, _role in chosen:
            title, detail, res = _unit_action(name)
            seq += 1
            rows.append(
                _action(plan, n, seq, "member", unit_id, "task", title, detail, MEMBER_MINUTES[n], res)
            )
    return rows


def _action(plan, level, seq, role, unit_id, kind, title, detail, due, resources) -> dict:
    return {
        "plan_id": plan["id"],
        "level": level,
        "seq": seq,
        "role": role,
        "unit_id": unit_id,
        "kind": kind,
        "title": title,
        "detail": detail,
        "due_minutes": due,
        "priority": "urgent" if level == 1 else "high" if level == 2 else "normal",
        "resources": [{"item": i, "quantity": q, "unit": u} for i, q, u in resources],
        "jurisdiction_code": plan["jurisdiction_code"],
    }


def build(db: Database, data, options, progress) -> None:
    """Levels and actions for every special / overall / township plan of the demo that has none."""
    with db.reading() as session:
        plans = [
            dict(r._mapping)
            for r in session.execute(
                select(
                    Plan.id,
                    Plan.kind,
                    Plan.title,
                    Plan.jurisdiction_code,
                    Plan.event_categories,
                    Plan.hq_unit_id,
                    Plan.lead_unit_id,
                )
                .where(
                    Plan.kind.in_(KINDS),
                    Plan.jurisdiction_code.startswith(data.top),
                    Plan.id.not_in(select(PlanLevel.plan_id)),
                )
                .order_by(Plan.id)
            )
        ]
        members: dict[int, list[tuple[int, str, str]]] = {}
        for plan_id, unit_id, name, role in session.execute(
            select(PlanMember.plan_id, PlanMember.unit_id, Unit.name, PlanMember.role)
            .join(Unit, Unit.id == PlanMember.unit_id)
            .where(PlanMember.plan_id.in_([p["id"] for p in plans]))
            .order_by(PlanMember.plan_id, PlanMember.role, PlanMember.sort, PlanMember.id)
        ):
            members.setdefault(plan_id, []).append((unit_id, name, role))
    levels, actions = [], []
    for plan in plans:
        levels += levels_for(plan)
        actions += actions_for(plan, members.get(plan["id"], []))
    actor = Actor.system("demo")
    with db.writing(actor) as session:
        for i in range(0, len(levels), 5000):
            session.execute(insert(PlanLevel), levels[i : i + 5000])
        for i in range(0, len(actions), 5000):
            session.execute(insert(PlanAction), actions[i : i + 5000])
        audit.record(
            session,
            "demo.build",
            "plan_actions",
            data.top,
            after={"plans": len(plans), "levels": len(levels), "actions": len(actions)},
            note="demo response parts of plans",
        )
    if progress:
        progress("plan response parts", len(plans), len(plans))
