"""Labels of assessment's codes, and the zh/en text of a scheme's own items by the page's locale."""

from __future__ import annotations

from yingji.assessment.codes import CauseKind, ResultsState, ScoreRule, VetoState
from yingji.core.i18n import N_, current_locale, gettext

RESULTS_LABELS = {
    ResultsState.OPEN: N_("Open (computed, may change)"),
    ResultsState.FROZEN: N_("Frozen for checking"),
    ResultsState.PUBLISHED: N_("Published"),
}
MOVE_LABELS = {
    ResultsState.OPEN: N_("Reopen"),
    ResultsState.FROZEN: N_("Freeze"),
    ResultsState.PUBLISHED: N_("Publish"),
}
RULE_LABELS = {
    ScoreRule.COMPUTED: N_("From the platform's records"),
    ScoreRule.HAND: N_("By hand, with evidence"),
}
CAUSE_LABELS = {
    CauseKind.INCIDENT: N_("Incident"),
    CauseKind.TIPOFF: N_("Tip-off"),
    CauseKind.DOCUMENT: N_("Document on file"),
}
VETO_STATE_LABELS = {VetoState.ACTIVE: N_("In force"), VetoState.WITHDRAWN: N_("Withdrawn")}
LEVEL_LABELS = {"county": N_("Counties"), "town": N_("Towns")}


def label(table: dict, code) -> str:
    msg = table.get(code)
    return gettext(msg) if msg else str(code)


def text(item: dict | None) -> str:
    """A scheme item's own name: Chinese, or its English on an English page when it has one."""
    if not item:
        return ""
    if current_locale().startswith("en") and item.get("en"):
        return item["en"]
    return item.get("zh") or item.get("key") or ""
