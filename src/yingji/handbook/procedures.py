"""Part four's rule-bound sections: the response procedures of the place's plans in force (read as
the plans' own 应急响应 chapter, ``plans.document.chapter``) and the reporting time limits of the
rule tables in force at the place (``rules/reporting_obligations.json`` with its local overrides)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.handbook.model import Block, Part, Table
from yingji.org.models import Unit
from yingji.plans import conditions, document
from yingji.plans.codes import IN_FORCE
from yingji.plans.models import Plan, PlanAction, PlanLevel
from yingji.rules.overrides import tables_for
from yingji.rules.tables import table

TO_ZH = {"town": "乡镇", "county": "县级", "city": "市级", "province": "省级", "national": "国家"}
CHANNEL_ZH = {
    "report": "报告",
    "phone": "电话报告",
    "written": "书面报告",
    "oral": "口头报告",
    "copy": "抄报",
}
# Plans of the place whose response procedure the handbook prints (enterprise plans are the
# enterprises' own).
PUBLIC_KINDS = ("overall", "special", "department", "joint", "catastrophe", "township", "village")


def plans_in_force(session: Session, code: str) -> list[dict]:
    """The place's own plans in force, each as ``plans.digital.part`` shapes it (levels with their
    actions), read with three queries whatever the number of plans."""
    plans = list(
        session.scalars(
            select(Plan)
            .where(
                Plan.jurisdiction_code == code,
                Plan.state.in_([s.value for s in IN_FORCE]),
                Plan.kind.in_(PUBLIC_KINDS),
            )
            .order_by(Plan.kind, Plan.title)
        )
    )
    ids = [p.id for p in plans]
    levels: dict[int, list[PlanLevel]] = {}
    actions: dict[tuple[int, int], list] = {}
    if ids:
        for lv in session.scalars(
            select(PlanLevel).where(PlanLevel.plan_id.in_(ids)).order_by(PlanLevel.level)
        ):
            levels.setdefault(lv.plan_id, []).append(lv)
        hq_ids = {p.hq_unit_id or p.lead_unit_id for p in plans} - {None}
        unit_names = dict(
            session.execute(
                select(Unit.id, Unit.name).where(
                    Unit.id.in_(
                        select(PlanAction.unit_id).where(
                            PlanAction.plan_id.in_(ids), PlanAction.unit_id.is_not(None)
                        )
                    )
                    | Unit.id.in_(hq_ids or {-1})
                )
            ).all()
        )
        for a in session.execute(
            select(
                PlanAction.plan_id,
                PlanAction.level,
                PlanAction.seq,
                PlanAction.role,
                PlanAction.unit_id,
                PlanAction.kind,
                PlanAction.title,
                PlanAction.detail,
                PlanAction.due_minutes,
                PlanAction.resources,
            )
            .where(PlanAction.plan_id.in_(ids))
            .order_by(PlanAction.plan_id, PlanAction.level, PlanAction.seq)
        ):
            actions.setdefault((a.plan_id, a.level), []).append(a)
    else:
        unit_names = {}
    out = []
    for p in plans:
        hq_name = unit_names.get(p.hq_unit_id or p.lead_unit_id or -1)
        out.append(
            {
                "title": p.title,
                "kind": p.kind,
                "doc_number": p.doc_number,
                "issued_on": p.issued_on,
                "levels": [
                    {
                        "level": lv.level,
                        "label": conditions.LEVEL_LABELS[lv.level],
                        "trigger_text": lv.trigger_text,
                        "conditions": lv.conditions or {},
                        "decided_by": lv.decided_by,
                        "actions": [
                            {
                                "seq": a.seq,
                                "role": a.role,
                                "unit_name": unit_names.get(a.unit_id) if a.unit_id else hq_name,
                                "kind": a.kind,
                                "title": a.title,
                                "detail": a.detail,
                                "due_minutes": a.due_minutes,
                                "resources": a.resources or [],
                            }
                            for a in actions.get((p.id, lv.level), [])
                        ],
                    }
                    for lv in levels.get(p.id, [])
                ],
            }
        )
    return out


def write(part: Part, plans: list[dict]) -> None:
    if not plans:
        part.p("本级尚无现行有效的应急预案。")
        return
    part.table(
        Table(
            ["序号", "预案名称", "类别", "文号", "印发日期", "响应分级"],
            [8, 52, 20, 24, 18, 14],
            [
                [
                    str(i),
                    p["title"],
                    document.KIND_NAMES.get(p["kind"], p["kind"]),
                    p["doc_number"] or "",
                    p["issued_on"].isoformat() if p["issued_on"] else "",
                    f"{len(p['levels'])}级" if p["levels"] else "未录入",
                ]
                for i, p in enumerate(plans, 1)
            ],
            wide=(1, 3),
        )
    )
    for p in plans:
        if not p["levels"]:
            continue
        part.h3(f"《{p['title']}》应急响应")
        for block in document.chapter(p)[1:]:  # the chapter's own h1 is our heading
            if block.kind == "h2":
                part.blocks.append(Block("h4", block.text))
            elif block.kind == "h3":
                part.blocks.append(Block("h5", block.text))
            else:
                part.p(block.text)


def _offsets(steps: dict) -> dict[str, int]:
    """Minutes from receipt to each step's limit (a step counts from the one named in ``after``)."""
    out: dict[str, int] = {}

    def offset(step_id: str, depth: int = 0) -> int:
        if step_id in out:
            return out[step_id]
        step = steps.get(step_id)
        if step is None or depth > 20:
            return 0
        after = step.get("after", "received")
        base = 0 if after == "received" else offset(after, depth + 1)
        out[step_id] = base + int(step.get("minutes", 0))
        return out[step_id]

    for step_id in steps:
        offset(step_id)
    return out


def _duration(minutes: int) -> str:
    return "立即" if minutes == 0 else f"接报后{document.duration(minutes)}内"


def reporting_limits(part: Part, session: Session, code: str) -> None:
    """The time limits of incident and disaster reports in force at ``code`` (its rule overrides
    applied), one table per obligation, each limit with its legal source."""
    tables = tables_for(session, code)
    obligations = table(tables, "reporting_obligations")
    common = obligations.get("common_steps", {})
    for n, (key, spec) in enumerate(obligations["obligations"].items()):
        steps = {**common, **spec["steps"]}
        offsets = _offsets(steps)
        rows = [
            [
                TO_ZH.get(step.get("to", ""), step.get("to", "")),
                _duration(offsets[sid]),
                CHANNEL_ZH.get(step.get("channel", "report"), ""),
                step.get("zh", sid),
                f"{step.get('law', '')}{step.get('article', '')}",
            ]
            for sid, step in sorted(steps.items(), key=lambda kv: offsets[kv[0]])
            if not step.get("disabled")
        ]
        part.h3(f"（{document.NUMERALS[n]}）{spec.get('zh', key)}")
        part.table(
            Table(["报送对象", "时限", "方式", "要求", "依据"], [14, 24, 14, 60, 40], rows, wide=(3, 4))
        )
    disaster = table(tables, "disaster_reporting")
    limits = disaster.get("limits", {})
    if limits:
        part.h3(f"（{document.NUMERALS[len(obligations['obligations'])]}）自然灾害灾情统计报送")
        rows = [
            [
                TO_ZH.get(v.get("level", ""), v.get("level", "")),
                document.duration(v.get("minutes")) or "—",
                v.get("zh", k),
                f"{v.get('law', '')}{v.get('article', '')}",
            ]
            for k, v in limits.items()
            if isinstance(v, dict) and not v.get("disabled")
        ]
        part.table(Table(["报送层级", "时限", "要求", "依据"], [14, 18, 70, 40], rows, wide=(2, 3)))
