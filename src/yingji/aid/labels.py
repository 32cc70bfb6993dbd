"""Labels of aid's codes and its rule data (rules/aid_rules.json): the survey deadline of the
winter–spring round, the rebuilding steps with their legal basis, the notice period (a setting),
need categories, family types and pay forms."""

from __future__ import annotations

import os
from datetime import date

from yingji.aid.codes import ProgrammeKind, ProgrammeState, RebuildMode, RebuildState, RecipientState
from yingji.core.i18n import N_, gettext
from yingji.rules import load

KIND_LABELS = {
    ProgrammeKind.EMERGENCY: N_("Emergency living aid"),
    ProgrammeKind.TRANSITIONAL: N_("Transitional living aid"),
    ProgrammeKind.WINTER_SPRING: N_("Winter–spring living aid"),
    ProgrammeKind.DROUGHT: N_("Drought living aid"),
}
STATE_LABELS = {
    ProgrammeState.SURVEY: N_("Needs survey"),
    ProgrammeState.LISTING: N_("Verifying recipients"),
    ProgrammeState.NOTICE: N_("Public notice"),
    ProgrammeState.APPROVED: N_("Plan approved"),
    ProgrammeState.DISTRIBUTING: N_("Distributing"),
    ProgrammeState.CLOSED: N_("Closed and filed"),
}
RECIPIENT_LABELS = {
    RecipientState.SURVEYED: N_("Surveyed"),
    RecipientState.LISTED: N_("On the list"),
    RecipientState.OBJECTED: N_("Objection pending"),
    RecipientState.REMOVED: N_("Removed"),
    RecipientState.APPROVED: N_("Approved"),
    RecipientState.PAID: N_("Received in full"),
}
REBUILD_LABELS = {
    RebuildState.APPLIED: N_("Applied"),
    RebuildState.VILLAGE_REVIEWED: N_("Village review"),
    RebuildState.NOTICE: N_("Public notice"),
    RebuildState.TOWN_CHECKED: N_("Town check"),
    RebuildState.COUNTY_APPROVED: N_("County approval"),
    RebuildState.BUILDING: N_("Building"),
    RebuildState.ACCEPTED: N_("Accepted"),
    RebuildState.FUNDED: N_("Funds paid"),
    RebuildState.REJECTED: N_("Rejected"),
    RebuildState.WITHDRAWN: N_("Withdrawn"),
}
MODE_LABELS = {RebuildMode.REBUILD: N_("Rebuild"), RebuildMode.REPAIR: N_("Repair")}
DEGREE_LABELS = {
    "collapsed": N_("Collapsed"),
    "severe": N_("Severely damaged"),
    "general": N_("Generally damaged"),
}
LEVEL_LABELS = {"village": N_("Village"), "town": N_("Town"), "county": N_("County")}
DISTRIBUTION_LABELS = {"cash": N_("Cash"), "goods": N_("Goods")}


def label(table: dict, code: str | None) -> str:
    """The translated label of a code ('' for none; the code itself if the table lacks it)."""
    if not code:
        return ""
    msgid = table.get(code)
    return gettext(msgid) if msgid else code


def rules() -> dict:
    return load("aid_rules.json")


def notice_days() -> int:
    """The public notice's length in days: a setting (the law names no length), default from the rules."""
    setting = rules()["settings"]["notice_days"]
    raw = os.environ.get(setting["env"], "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 90 else int(setting["default"])


def survey_due(season: str | None, today: date) -> date:
    """The winter–spring survey's deadline (条例 第二十一条: by the end of October) of the season's
    first year (``2026-2027`` → 2026-10-31), or of this year when no season is given."""
    rule = rules()["winter_spring_survey"]
    year = int(season[:4]) if season and season[:4].isdigit() else today.year
    return date(year, rule["month"], rule["day"])


def need_categories() -> dict[str, str]:
    return rules()["need_categories"]


def family_types() -> dict[str, str]:
    return rules()["family_types"]


def pay_forms() -> dict[str, str]:
    return rules()["pay_forms"]


def step_basis(state: str) -> dict | None:
    """The legal basis of a rebuilding step (law, article, words), if the rules give one."""
    return rules()["rebuild_steps"].get(state)
