"""The upward report of drills (定期报送): what a place's drills were in a period — held and planned,
by form, scope and purpose, 双盲 drills, people taking part, plans exercised, problems found and
followed up, revision triggers raised, frequency compliance at the period's end, and the list of
drills held. As a page, as JSON and as a DOCX in the official layout (the situation report's)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.i18n import gettext
from yingji.drills import compliance, labels, registry
from yingji.drills.codes import DrillForm, DrillPurpose, DrillScope, DrillState, ProblemState
from yingji.drills.models import Drill, DrillPlan, DrillProblem
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.response.sitrep_docx import render
from yingji.response.sitrep_layout import OfficialDocument, Section

DOCX_LISTED = 300
MAX_LISTED = 1000  # drills listed in the answer (the counts cover them all); the Excel export has all


def _in_period(start: date, end: date):
    """Drills whose day (start, else planned day) falls in [start, end) (local days)."""
    low = datetime.combine(start, time.min, tzinfo=clock.LOCAL_TZ).astimezone(UTC)
    high = datetime.combine(end, time.min, tzinfo=clock.LOCAL_TZ).astimezone(UTC)
    return or_(
        (Drill.starts_at >= low) & (Drill.starts_at < high),
        Drill.starts_at.is_(None) & (Drill.planned_on >= start) & (Drill.planned_on < end),
    )


def build(session: Session, principal: Principal, within: str | None, year: int, period: str) -> dict:
    code = within or principal.jurisdiction_code
    if within:
        places.within(session, principal, within)
    start, end = labels.period_bounds(year, period)
    low, high = division_codes.subtree_bounds(code) if code else ("", "\uffff")
    where = [Drill.jurisdiction_code >= low, Drill.jurisdiction_code < high, _in_period(start, end)]
    drills = list(
        session.scalars(select(Drill).where(*where).order_by(Drill.starts_at, Drill.planned_on, Drill.id))
    )
    held = [d for d in drills if d.state in labels.HELD]
    held_ids = [d.id for d in held]
    ctx = registry.context(session, held)

    def counts(attr, enum, words):
        return [
            {
                "key": e.value,
                "label": gettext(words[e]),
                "count": sum(getattr(d, attr) == e.value for d in held),
            }
            for e in enum
        ]

    problems = (0, 0)
    if held_ids:
        done = func.sum(case((DrillProblem.state == ProblemState.DONE, 1), else_=0))
        problems = session.execute(
            select(func.count(), done).where(DrillProblem.drill_id.in_(held_ids))
        ).one()
    triggers = (
        session.scalar(
            select(func.count()).where(
                DrillProblem.drill_id.in_(held_ids), DrillProblem.trigger_id.is_not(None)
            )
        )
        if held_ids
        else 0
    )
    plans = (
        session.scalar(
            select(func.count(func.distinct(DrillPlan.plan_id))).where(DrillPlan.drill_id.in_(held_ids))
        )
        if held_ids
        else 0
    )
    as_of = min(end - timedelta(days=1), registry.today())
    rows = compliance.compute(session, code, as_of)
    place = session.get(Jurisdiction, code) if code else None
    return {
        "scope_code": division_codes.division_code_12(code) if code else "",
        "scope_name": place.name if place else "",
        "year": year,
        "period": period,
        "period_label": gettext(labels.PERIOD_LABEL[period]),
        "start": start,
        "end": end - timedelta(days=1),
        "held": len(held),
        "planned": sum(d.state not in (*labels.HELD, DrillState.CANCELLED.value) for d in drills),
        "double_blind": sum(d.double_blind for d in held),
        "headcount": sum(ctx["headcounts"].values()),
        "plans_exercised": int(plans or 0),
        "by_form": counts("form", DrillForm, labels.FORM),
        "by_scope": counts("scope", DrillScope, labels.SCOPE),
        "by_purpose": counts("purpose", DrillPurpose, labels.PURPOSE),
        "problems": int(problems[0] or 0),
        "problems_done": int(problems[1] or 0),
        "triggers": int(triggers or 0),
        "compliance": compliance.summary(rows),
        "drills_total": len(held),
        "drills": [registry.to_out(d, principal, ctx) for d in held[:MAX_LISTED]],
    }


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _day_of(drill: dict) -> str:
    if drill["starts_at"] is not None:
        return _cn_date(clock.to_local(drill["starts_at"]).date())
    return _cn_date(drill["planned_on"]) if drill["planned_on"] else ""


def document(report: dict) -> OfficialDocument:
    """The report as an official document (Chinese, whatever the reader's language)."""
    name = report["scope_name"] or "全域"
    period = {"year": "全年", "h1": "上半年", "h2": "下半年", "q1": "第一季度", "q2": "第二季度"}.get(
        report["period"], {"q3": "第三季度", "q4": "第四季度"}.get(report["period"], "")
    )
    forms = "、".join(f"{labels.FORM_ZH[c['key']]}{c['count']}次" for c in report["by_form"])
    scopes = "、".join(f"{labels.SCOPE_ZH[c['key']]}{c['count']}次" for c in report["by_scope"])
    purposes = "、".join(f"{labels.PURPOSE_ZH[c['key']]}{c['count']}次" for c in report["by_purpose"])
    overview = (
        f"{_cn_date(report['start'])}至{_cn_date(report['end'])}，{name}共组织开展应急演练{report['held']}次"
        f"（其中“双盲”演练{report['double_blind']}次），参演{report['headcount']}人次，检验应急预案"
        f"{report['plans_exercised']}部；另有{report['planned']}次演练按年度演练计划尚待实施。"
    )
    left = report["problems"] - report["problems_done"]
    problems = (
        f"演练评估共发现问题{report['problems']}个，已整改{report['problems_done']}个，"
        f"尚未整改{left}个；据此提出预案修订建议{report['triggers']}条。"
    )
    comply = [
        f"{labels_zh(c['subject'])}：应演练{c['total']}个，按期{c['compliant']}个，逾期{c['overdue']}个"
        f"（按期率{c['rate'] * 100:.1f}%，要求至少每{c['months']}个月1次）。"
        for c in report["compliance"]
    ] or ["本期无应开展演练的对象。"]
    listing = [
        f"{i}. {_day_of(d)} {d['jurisdiction_name'] or ''} {d['title']}（{labels.FORM_ZH[d['form']]}、"
        f"{labels.SCOPE_ZH[d['scope']]}{'、双盲' if d['double_blind'] else ''}，参演{d['headcount']}人）"
        for i, d in enumerate(report["drills"][:DOCX_LISTED], 1)
    ] or ["本期未开展演练。"]
    if report["drills_total"] > DOCX_LISTED:
        listing.append(f"（另有{report['drills_total'] - DOCX_LISTED}次演练，详见应急演练导出表。）")
    sections = [
        Section("一、总体情况", [overview]),
        Section("二、演练形式和类型", [f"按组织形式：{forms}；按内容：{scopes}；按目的：{purposes}。"]),
        Section("三、评估发现的问题及整改", [problems]),
        Section("四、演练频次落实情况", comply),
        Section("五、演练清单", listing),
    ]
    return OfficialDocument(
        masthead=f"{name}应急管理",
        doc_number=f"{report['year']}年{period}应急演练情况报送",
        signer=None,
        title=f"{name}{report['year']}年{period}应急演练开展情况报告",
        sections=sections,
        signature=name,
        date=_cn_date(registry.today()),
        incident_number=f"drills-{report['scope_code']}-{report['year']}-{report['period']}",
    )


def labels_zh(subject: str) -> str:
    return labels.SUBJECT_ZH[subject]


def docx(report: dict) -> bytes:
    return render(document(report))
