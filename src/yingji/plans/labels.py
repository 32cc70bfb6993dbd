"""Readable names of the plan registry's codes (message ids, Chinese in the catalog) and the
lifecycle rules of ``rules/plan_lifecycle.json`` (clocks, signatories, filing routes, revision
triggers) as read once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from yingji.core.i18n import N_, current_locale
from yingji.plans.codes import PlanKind, PlanState

KIND_LABELS = {
    PlanKind.OVERALL: N_("Overall plan"),
    PlanKind.SPECIAL: N_("Special plan"),
    PlanKind.DEPARTMENT: N_("Department plan"),
    PlanKind.JOINT: N_("Joint plan"),
    PlanKind.CATASTROPHE: N_("Catastrophe plan"),
    PlanKind.MAJOR_EVENT: N_("Major-event plan"),
    PlanKind.TOWNSHIP: N_("Township (street) plan"),
    PlanKind.VILLAGE: N_("Village (community) plan"),
    PlanKind.UNIT: N_("Unit plan"),
    PlanKind.ENTERPRISE_COMPREHENSIVE: N_("Enterprise comprehensive plan"),
    PlanKind.ENTERPRISE_SPECIAL: N_("Enterprise special plan"),
    PlanKind.ONSITE_PROCEDURE: N_("On-site procedure"),
}
# The words an office writes in a plan list (Excel import), Chinese first.
KIND_WORDS = {
    "总体应急预案": PlanKind.OVERALL,
    "总体预案": PlanKind.OVERALL,
    "专项应急预案": PlanKind.SPECIAL,
    "专项预案": PlanKind.SPECIAL,
    "部门应急预案": PlanKind.DEPARTMENT,
    "部门预案": PlanKind.DEPARTMENT,
    "联合应急预案": PlanKind.JOINT,
    "巨灾应急预案": PlanKind.CATASTROPHE,
    "重大活动应急预案": PlanKind.MAJOR_EVENT,
    "乡镇(街道)应急预案": PlanKind.TOWNSHIP,
    "乡镇应急预案": PlanKind.TOWNSHIP,
    "村(社区)应急预案": PlanKind.VILLAGE,
    "村级应急预案": PlanKind.VILLAGE,
    "单位应急预案": PlanKind.UNIT,
    "企业综合应急预案": PlanKind.ENTERPRISE_COMPREHENSIVE,
    "综合应急预案": PlanKind.ENTERPRISE_COMPREHENSIVE,
    "企业专项应急预案": PlanKind.ENTERPRISE_SPECIAL,
    "现场处置方案": PlanKind.ONSITE_PROCEDURE,
}
EXCEL_KIND = {
    PlanKind.OVERALL: "总体应急预案",
    PlanKind.SPECIAL: "专项应急预案",
    PlanKind.DEPARTMENT: "部门应急预案",
    PlanKind.JOINT: "联合应急预案",
    PlanKind.CATASTROPHE: "巨灾应急预案",
    PlanKind.MAJOR_EVENT: "重大活动应急预案",
    PlanKind.TOWNSHIP: "乡镇(街道)应急预案",
    PlanKind.VILLAGE: "村(社区)应急预案",
    PlanKind.UNIT: "单位应急预案",
    PlanKind.ENTERPRISE_COMPREHENSIVE: "企业综合应急预案",
    PlanKind.ENTERPRISE_SPECIAL: "企业专项应急预案",
    PlanKind.ONSITE_PROCEDURE: "现场处置方案",
}
STATE_LABELS = {
    PlanState.DRAFTING: N_("Drafting"),
    PlanState.REVIEW: N_("Consultation and review"),
    PlanState.APPROVAL: N_("Awaiting approval"),
    PlanState.ISSUED: N_("Plan issued"),
    PlanState.PUBLISHED: N_("Plan published"),
    PlanState.FILED: N_("Filed"),
    PlanState.EVALUATING: N_("Being evaluated"),
    PlanState.REVISING: N_("Being revised"),
    PlanState.REPEALED: N_("Repealed"),
}
EXCEL_STATE = {
    PlanState.DRAFTING: "编制",
    PlanState.REVIEW: "征求意见",
    PlanState.APPROVAL: "审批",
    PlanState.ISSUED: "印发",
    PlanState.PUBLISHED: "公布",
    PlanState.FILED: "备案",
    PlanState.EVALUATING: "评估",
    PlanState.REVISING: "修订",
    PlanState.REPEALED: "废止",
}
STATE_WORDS = {v: k for k, v in EXCEL_STATE.items()} | {"已印发": PlanState.ISSUED, "已备案": PlanState.FILED}
CLOCK_LABELS = {
    "filing": N_("Filing"),
    "publish": N_("Publication"),
    "evaluation": N_("Evaluation"),
}
CLOCK_STATE_LABELS = {
    "open": N_("Running"),
    "waiting": N_("Waiting for the holiday notice"),
    "met": N_("Clock met"),
    "missed": N_("Clock overdue"),
    "cancelled": N_("Clock cancelled"),
}
FILING_STATE_LABELS = {
    "submitted": N_("Awaiting the receiving body"),
    "accepted": N_("Filing registered"),
    "returned": N_("Returned"),
}
REVIEW_OPINIONS = {
    "agree": N_("Agrees"),
    "revise": N_("Agrees with changes"),
    "disagree": N_("Disagrees"),
}
REVIEWER_KINDS = {
    "department": N_("Department"),
    "expert": N_("Expert"),
    "public": N_("Public"),
    "unit": N_("Unit"),
}
DOCUMENT_KINDS = {
    "text": N_("Issued text"),
    "explanation": N_("Drafting explanation"),
    "other": N_("Other material"),
}
ACTION_LABELS = {
    "create": N_("Plan registered"),
    "update": N_("Changed"),
    "submit": N_("Sent for consultation and review"),
    "review": N_("Review comment recorded"),
    "to_approval": N_("Sent for approval"),
    "return": N_("Returned for changes"),
    "issue": N_("Approved and issued"),
    "publish": N_("Published"),
    "file": N_("Sent for filing"),
    "filing_accepted": N_("Filing accepted"),
    "filing_returned": N_("Filing returned"),
    "evaluate": N_("Evaluation started"),
    "evaluated": N_("Evaluation concluded"),
    "revise": N_("Revision started"),
    "repeal": N_("Repealed"),
    "document": N_("Document uploaded"),
    "trigger": N_("Revision trigger recorded"),
    "trigger_dismissed": N_("Revision trigger dismissed"),
}


@cache
def rules() -> dict:
    """The lifecycle rules (versioned data with sources)."""
    text = (files("yingji.rules") / "plan_lifecycle.json").read_text(encoding="utf-8")
    return json.loads(text)


def _word(entry: dict) -> str:
    return entry["zh"] if current_locale().startswith("zh") else entry["en"]


def signatory_label(role: str) -> str:
    entry = rules()["signatories"]["roles"].get(role)
    return _word(entry) if entry else role


def body_label(body: str) -> str:
    entry = rules()["filing_routes"]["bodies"].get(body)
    return _word(entry) if entry else body


def trigger_label(reason: str) -> str:
    entry = rules()["revision_triggers"]["reasons"].get(reason)
    return _word(entry) if entry else reason


def signatories_of(kind: str) -> list[str]:
    return list(rules()["signatories"]["by_kind"][kind])


def route_of(kind: str) -> dict:
    return rules()["filing_routes"]["by_kind"][kind]


def trigger_reasons() -> list[str]:
    return list(rules()["revision_triggers"]["reasons"])


RECEIVER_NAMES = {  # how the receiving body is written on a filing (Chinese: documents are Chinese)
    "government": "{place}人民政府",
    "department": "{place}对口牵头部门",
    "emergency_bureau": "{place}应急管理局",
    "supervisor": "{place}负有安全生产监督管理职责的部门",
}


def receiver_name(place: str, body: str) -> str:
    """The receiving body's name: 碧江区人民政府, 锦江街道办事处, 某镇人民政府 …"""
    if body == "township":
        return f"{place}办事处" if place.endswith("街道") else f"{place}人民政府"
    return RECEIVER_NAMES.get(body, "{place}" + body).format(place=place)
