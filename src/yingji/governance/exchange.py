"""Excel of a plan in the layout of seed 002's attachment (序号 | 工作任务 | 相应的工作举措（含可供检验的
工作成果） | 责任股室 | 完成时限): the import reads tables as offices make them (a title above the
header, merged cells for a task over several measure rows, several units in one cell separated by
line breaks or 、, 长期坚持 / 2024年12月 / 12月上旬) and refuses the whole table, row by row, when a
row cannot be read; the export writes the same layout with the standing of every measure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.scope import Principal
from yingji.core.errors import ImportRejected
from yingji.core.i18n import N_
from yingji.governance import labels, plans, progress
from yingji.governance.codes import NoticeState, UnitRole
from yingji.governance.models import Measure, Notice, PlanTask, TaskPlan
from yingji.governance.schemas import PlanIn
from yingji.org import sheets

COLUMNS = [
    sheets.Column("seq", "序号", "No.", required=True, width=6),
    sheets.Column("task", "工作任务", "Task", required=True, width=24),
    sheets.Column("measure", "相应的工作举措（含可供检验的工作成果）", "Measures", required=True, width=70),
    sheets.Column("units", "责任股室", "Responsible units", required=True, width=16),
    sheets.Column("deadline", "完成时限", "Deadline", required=True, width=12),
]
EXPORT_COLUMNS = [
    *COLUMNS,
    sheets.Column("person", "责任人", "Person responsible", width=12),
    sheets.Column("liaison", "联络人", "Liaison", width=12),
    sheets.Column("state", "完成情况", "Status", width=12),
    sheets.Column("reports", "进展报送次数", "Reports", width=10),
    sheets.Column("last", "最近报送", "Last report", width=18),
    sheets.Column("notice", "督办", "Supervision", width=12),
]
# (1) （1） 1. 1、 1， ① at the start of a measure: its number as written.
LABEL = re.compile(r"^\s*(?:[（(](\d{1,3})[)）]|(\d{1,3})\s*[.、，,．]|([①-⑳]))\s*")


@dataclass
class _Task:
    seq: int
    title: str
    measures: list[dict] = field(default_factory=list)


def _error(row: int, column: str, value: str, message: str, **params) -> dict:
    return {"row": row, "column": column, "value": value[:80], "message": message, "params": params}


def parse(session: Session, plan: TaskPlan, data: bytes) -> tuple[list[_Task], list[dict]]:
    """The tasks and measures of a table, and every row's errors (nothing written)."""
    rows = sheets.read_merged(data, COLUMNS)
    tasks: dict[int, _Task] = {}
    errors: list[dict] = []
    current: _Task | None = None
    for rownum, r in rows:
        seq_text, title = r["seq"], re.sub(r"\s+", "", r["task"]) if r["task"] else ""
        if seq_text or title:
            m = re.fullmatch(r"[（(]?([0-9一二三四五六七八九十]{1,3})[)）.、]?", seq_text.strip())
            if not m or not title:
                errors.append(_error(rownum, "序号", seq_text, N_("A task needs its number and its title.")))
                current = None
                continue
            seq = _number(m.group(1))
            current = tasks.get(seq)
            if current is None:
                current = tasks[seq] = _Task(seq, r["task"].strip())
            elif current.title.replace(" ", "") != title and re.sub(r"\s+", "", current.title) != title:
                errors.append(
                    _error(rownum, "工作任务", r["task"], N_("The same number names two different tasks."))
                )
                continue
        if current is None:
            errors.append(_error(rownum, "工作任务", r["measure"], N_("This measure belongs to no task.")))
            continue
        text = r["measure"].strip()
        if not text:
            errors.append(
                _error(rownum, "相应的工作举措（含可供检验的工作成果）", "", N_("The measure is empty."))
            )
            continue
        try:
            kind, due = plans.parse_deadline(r["deadline"], plan.year)
        except plans.BadDeadline:
            errors.append(
                _error(
                    rownum,
                    "完成时限",
                    r["deadline"],
                    N_("Write the deadline as 长期坚持, 2024年12月, 12月上旬 or a date."),
                )
            )
            continue
        units, missing = plans.resolve_units(session, plan, r["units"])
        if missing or not units:
            if missing:
                errors.append(
                    _error(
                        rownum, "责任股室", r["units"], N_("Unknown unit: {names}"), names="、".join(missing)
                    )
                )
            else:
                errors.append(
                    _error(rownum, "责任股室", r["units"], N_("Name at least one responsible unit."))
                )
            continue
        label_m = LABEL.match(text)
        label = label_m.group(0).strip() if label_m else None
        if current.measures and current.measures[-1]["text"] == text:
            continue  # the same measure twice (a merged measure cell over rows of units)
        current.measures.append(
            {
                "label": label,
                "text": text,
                "kind": kind,
                "due": due,
                "deadline": r["deadline"].strip(),
                "units": units,
                "wording": re.sub(r"\s+", "", r["units"]),
            }
        )
    if not rows:
        errors.append(_error(2, "序号", "", N_("The table has no rows.")))
    return sorted(tasks.values(), key=lambda t: t.seq), errors


CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + CN_DIGITS.get(text[1:], 0)
    if "十" in text:
        a, _, b = text.partition("十")
        return CN_DIGITS[a] * 10 + CN_DIGITS.get(b, 0)
    return CN_DIGITS[text]


def import_plan(
    session: Session, principal: Principal, data: PlanIn, content: bytes
) -> tuple[TaskPlan, dict]:
    """A new plan from a table: all of it, or nothing (ImportRejected with every row's errors)."""
    with session.begin_nested() as nested:
        plan = plans.create(session, principal, data)
        tasks, errors = parse(session, plan, content)
        if errors:
            nested.rollback()
            raise ImportRejected(details=errors, count=len(errors))
        counts = {"tasks": 0, "measures": 0}
        for t in tasks:
            task = PlanTask(
                plan_id=plan.id, seq=t.seq, title=t.title, jurisdiction_code=plan.jurisdiction_code
            )
            session.add(task)
            session.flush()
            counts["tasks"] += 1
            for i, m in enumerate(t.measures, start=1):
                row = Measure(
                    plan_id=plan.id,
                    task_id=task.id,
                    seq=i,
                    label=m["label"],
                    text=m["text"],
                    deadline_kind=m["kind"].value,
                    due_on=m["due"],
                    deadline_text=m["deadline"],
                    period=plan.report_period,
                    jurisdiction_code=plan.jurisdiction_code,
                )
                session.add(row)
                session.flush()
                plans.assign(session, plan, row, [(u, UnitRole.LEAD.value) for u in m["units"]], m["wording"])
                counts["measures"] += 1
    counts["units"] = len(plans.plan_units(session, plan.id))
    audit.record(
        session, "import", "gov_plans", plan.id, jurisdiction_code=plan.jurisdiction_code, after=counts
    )
    return plan, counts


def export(session: Session, plan: TaskPlan, locale: str = "zh_CN") -> bytes:
    measures = plans.measures_of(session, plan.id)
    tasks = {t.id: t for t in plans.tasks_of(session, plan.id)}
    units = plans.units_of_measures(session, [m.id for m in measures])
    names = plans.unit_names(session, {u.unit_id for rows in units.values() for u in rows})
    folks = plans.people(
        session, {p for rows in units.values() for u in rows for p in (u.person_id, u.liaison_id)}
    )
    standing = progress.standings(session, plan, measures)
    counts = progress.last_reports(session, [m.id for m in measures])
    notices: dict[int, str] = {}
    for n in session.scalars(
        select(Notice).where(
            Notice.plan_id == plan.id, Notice.state.in_((NoticeState.OPEN.value, NoticeState.ANSWERED.value))
        )
    ):
        worst = notices.get(n.measure_id)
        order = ["blue", "orange", "red"]
        if worst is None or order.index(n.level) > order.index(worst):
            notices[n.measure_id] = n.level

    def rows():
        last_task = None
        for m in measures:
            t = tasks[m.task_id]
            us = units[m.id]
            wording = us[0].wording if us and all(u.wording == us[0].wording for u in us) else None
            if wording and plans.resolve_units(session, plan, wording)[1]:
                wording = None  # as the document wrote it, but not readable back (names run together)
            n, last = counts.get(m.id, (0, None))
            yield {
                "seq": t.seq if t.id != last_task else "",
                "task": t.title if t.id != last_task else "",
                "measure": m.text,
                "units": wording or "、".join(names.get(u.unit_id, "") for u in us),
                "deadline": m.deadline_text or (m.due_on.isoformat() if m.due_on else ""),
                "person": "、".join(folks[u.person_id].name for u in us if u.person_id in folks),
                "liaison": "、".join(folks[u.liaison_id].name for u in us if u.liaison_id in folks),
                "state": labels.label(labels.FLAG, standing[m.id].flag),
                "reports": n,
                "last": last,
                "notice": labels.label(labels.LEVEL, notices.get(m.id)),
            }
            last_task = t.id

    return sheets.write(plan.title[:31], EXPORT_COLUMNS, rows(), locale)
