"""Words of the drills domain: the labels of the code tables (message ids, shown in Chinese), the
Excel words that import and export them, and the 定期报送 periods."""

from __future__ import annotations

from datetime import date

from yingji.core.i18n import N_
from yingji.drills.codes import DrillForm, DrillPurpose, DrillScope, DrillState

FORM = {DrillForm.TABLETOP: N_("Tabletop drill"), DrillForm.LIVE: N_("Live drill")}
SCOPE = {DrillScope.SINGLE: N_("Single-function drill"), DrillScope.COMPREHENSIVE: N_("Comprehensive drill")}
PURPOSE = {
    DrillPurpose.TEST: N_("Testing"),
    DrillPurpose.DEMONSTRATION: N_("Demonstration"),
    DrillPurpose.RESEARCH: N_("Research"),
}
STATE = {
    DrillState.PLANNED: N_("In the drill plan"),
    DrillState.PREPARED: N_("Prepared"),
    DrillState.RUNNING: N_("Under way"),
    DrillState.ENDED: N_("Carried out"),
    DrillState.EVALUATED: N_("Evaluated"),
    DrillState.CANCELLED: N_("Called off"),
}
STATE_CLASS = {
    "planned": "badge",
    "prepared": "badge badge-blue",
    "running": "badge badge-orange",
    "ended": "badge badge-green",
    "evaluated": "badge badge-green",
    "cancelled": "badge badge-grey",
}
# Drills that took place: only these count for compliance and the upward report.
HELD = (DrillState.ENDED.value, DrillState.EVALUATED.value)

PARTICIPANT_KIND = {
    "unit": N_("Unit"),
    "team": N_("Rescue team"),
    "person": N_("Person"),
    "other": N_("Other participant"),
}
PARTICIPANT_ROLE = {
    "player": N_("Player"),
    "director": N_("Director"),
    "evaluator": N_("Evaluator"),
    "observer": N_("Observer"),
}
PROBLEM_AREA = {  # AQ/T 9009-2015: problems in 预案、组织、人员、机制、保障
    "plan": N_("Plan"),
    "organisation": N_("Organisation"),
    "personnel": N_("Personnel"),
    "mechanism": N_("Mechanism"),
    "support": N_("Support"),
}
RECORD_KIND = {"photo": N_("Photo"), "document": N_("Document record")}
PROGRAMME_STATE = {"draft": N_("Draft"), "approved": N_("Approved")}
# The six sections of the 评估报告 (突发事件应急预案管理办法 2013 第二十三条), in the order of the article.
SECTIONS = (
    ("execution", N_("How the drill was carried out")),
    ("plan_fitness", N_("Whether the plan is sound and workable")),
    ("command", N_("Command, coordination and joint response")),
    ("responders", N_("How the responders acted")),
    ("equipment", N_("Fitness of the equipment used")),
    ("suggestions", N_("Suggestions for the plan, preparedness, mechanisms and measures")),
)
SUBJECT = {
    "special_plan": N_("Special plan"),
    "department_plan": N_("Department plan"),
    "town": N_("Town or street"),
    "village": N_("Disaster-prone village"),
    "enterprise": N_("Enterprise"),
    "enterprise_high_risk": N_("High-risk enterprise"),
    "onsite_procedure": N_("On-site procedure"),
}

# Excel words (the sheet is in Chinese whatever the user's language, like every office's sheet)
FORM_ZH = {"tabletop": "桌面演练", "live": "实战演练"}
SCOPE_ZH = {"single": "单项演练", "comprehensive": "综合演练"}
PURPOSE_ZH = {"test": "检验性", "demonstration": "示范性", "research": "研究性"}
STATE_ZH = {
    "planned": "计划",
    "prepared": "已准备",
    "running": "进行中",
    "ended": "已实施",
    "evaluated": "已评估",
    "cancelled": "已取消",
}
SUBJECT_ZH = {
    "special_plan": "专项应急预案",
    "department_plan": "部门应急预案",
    "town": "乡镇（街道）",
    "village": "灾害易发村（社区）",
    "enterprise": "生产经营单位",
    "enterprise_high_risk": "高危行业和人员密集场所单位",
    "onsite_procedure": "现场处置方案",
}

PERIODS = ("year", "h1", "h2", "q1", "q2", "q3", "q4")
PERIOD_LABEL = {
    "year": N_("Whole year"),
    "h1": N_("First half"),
    "h2": N_("Second half"),
    "q1": N_("First quarter"),
    "q2": N_("Second quarter"),
    "q3": N_("Third quarter"),
    "q4": N_("Fourth quarter"),
}


def period_bounds(year: int, period: str) -> tuple[date, date]:
    """[first day, day after the last) of a reporting period of ``year``."""
    first_month, months = {
        "year": (1, 12),
        "h1": (1, 6),
        "h2": (7, 6),
        "q1": (1, 3),
        "q2": (4, 3),
        "q3": (7, 3),
        "q4": (10, 3),
    }[period]
    end_month = first_month + months
    end = date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)
    return date(year, first_month, 1), end
