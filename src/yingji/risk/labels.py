"""Labels (message ids) of the codes dual prevention stores; the rule tables label their own codes."""

from __future__ import annotations

from yingji.core.i18n import N_, current_locale, gettext
from yingji.risk import tables

DANGER_STATUS = {
    "found": N_("Found (not yet registered)"),  # 排查发现
    "registered": N_("Registered"),  # 已登记
    "graded": N_("Graded"),  # 已分级
    "rectifying": N_("Being rectified"),  # 整改中
    "reviewing": N_("Awaiting acceptance"),  # 待复查验收
    "accepted": N_("Accepted"),  # 验收通过
    "closed": N_("Closed (written off)"),  # 已销号
    "dismissed": N_("Not a hidden danger"),  # 不予登记
}
GRADES = {"general": N_("General hidden danger"), "major": N_("Major hidden danger")}
SOURCES = {
    "inspection": N_("Enforcement inspection"),  # 执法检查
    "grid": N_("Grid worker"),  # 网格员排查
    "enterprise": N_("Enterprise self-check"),  # 企业自查
    "public": N_("Public tip-off"),  # 公众举报
}
ACTIONS = {
    "report": N_("Found and reported"),
    "register": N_("Register"),
    "dismiss": N_("Dismiss"),
    "grade": N_("Grade"),
    "rectify": N_("Order rectification"),
    "report_done": N_("Report rectification done"),
    "reject": N_("Reject: rectify again"),
    "accept": N_("Accept"),
    "close": N_("Write off"),
    "extend": N_("Extend the deadline"),
    "supervise": N_("List for supervision"),
    "reminded": N_("Deadline reminder"),
    "overdue": N_("Overdue: level above told"),
    "listed": N_("Overdue: listed for supervision"),
    "photo": N_("Photo added"),
    "meeting": N_("Discussed at a village meeting"),
}
ENTERPRISE_STATUS = {
    "active": N_("In operation"),
    "suspended": N_("Suspended for rectification"),  # 停产整顿
    "closed": N_("Closed down"),
}
INSPECTION_KINDS = {
    "planned": N_("Planned inspection"),
    "random": N_("Random check"),
    "special": N_("Special inspection"),
    "complaint": N_("Tip-off check"),
    "review": N_("Follow-up check"),
    "grid": N_("Grid patrol"),
}
ORDERS = {
    "immediate": N_("Ordered to remove at once"),  # 责令立即排除
    "rectify": N_("Ordered to rectify by a deadline"),  # 责令限期整改
    "stop_use": N_("Ordered to stop using facilities"),  # 责令停止使用相关设施、设备
    "suspend": N_("Ordered to suspend production"),  # 责令暂时停产停业
    "seal": N_("Sealed or seized"),  # 查封、扣押
    "warning": N_("Administrative warning"),  # 警告
    "fine": N_("Fine"),  # 罚款
}
METHODS = {"LEC": N_("LEC (D = L × E × C)"), "LS": N_("Risk matrix (R = L × S)")}


def label(table: dict[str, str], code: str | None) -> str:
    """The translated label of ``code`` in a message-id table (the code itself when unknown)."""
    if code is None:
        return ""
    msgid = table.get(code)
    return gettext(msgid) if msgid else code


def translated(table: dict[str, str]) -> dict[str, str]:
    """A code → message-id table in the current language."""
    return {code: gettext(msgid) for code, msgid in table.items()}


def class_labels(classification: dict) -> dict[str, str]:
    """Enforcement class → label, from the classification in force."""
    key = "en" if current_locale() == "en" else "zh"
    return {c: spec.get(key) or spec.get("zh") or c for c, spec in classification["classes"].items()}


def template_globals() -> dict:
    """What the dual-prevention templates look labels up in."""
    return {
        "status": translated(DANGER_STATUS),
        "grades": translated(GRADES),
        "sources": translated(SOURCES),
        "actions": translated(ACTIONS),
        "enterprise_status": translated(ENTERPRISE_STATUS),
        "inspection_kinds": translated(INSPECTION_KINDS),
        "orders": translated(ORDERS),
        "methods": translated(METHODS),
        "industries": tables.industries(),
        "scales": tables.scales(),
        "place_kinds": tables.place_kinds(),
        "categories": tables.categories(),
        "levels": tables.level_labels(),
        "control_levels": tables.control_levels(),
        "bands": tables.band_labels(),
        # an assessment's "LEC:A" / "LS:standard" (the setting that produced its level) in words
        "banding": {f"LEC:{k}": v for k, v in tables.mapping_labels().items()}
        | {f"LS:{k}": v for k, v in tables.banding_labels().items()},
        "colour": {r["level"]: r["colour"] for r in tables.level_rows()},
    }
