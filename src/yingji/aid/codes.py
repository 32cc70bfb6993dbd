"""Code tables of aid (RULES2 §10.6–10.7): programme kinds and states, recipients' states, the
rebuilding case's steps (自然灾害救助条例 第二十条), each transition table beside its enum."""

from __future__ import annotations

from enum import StrEnum


class ProgrammeKind(StrEnum):
    EMERGENCY = "emergency"  # 应急生活救助 (during the disaster)
    TRANSITIONAL = "transitional"  # 过渡期生活救助
    WINTER_SPRING = "winter_spring"  # 冬春生活救助 (需求调查 by the end of October, 条例 第二十一条)
    DROUGHT = "drought"  # 因旱生活救助


class ProgrammeState(StrEnum):
    SURVEY = "survey"  # 需求调查
    LISTING = "listing"  # 救助对象 being verified
    NOTICE = "notice"  # 公示 of the list
    APPROVED = "approved"  # plan approved by the government
    DISTRIBUTING = "distributing"  # 发放
    CLOSED = "closed"  # done, filed with the level above


PROGRAMME_MOVES: dict[ProgrammeState, frozenset[ProgrammeState]] = {
    ProgrammeState.SURVEY: frozenset({ProgrammeState.LISTING}),
    ProgrammeState.LISTING: frozenset({ProgrammeState.SURVEY, ProgrammeState.NOTICE}),
    ProgrammeState.NOTICE: frozenset({ProgrammeState.LISTING, ProgrammeState.APPROVED}),
    ProgrammeState.APPROVED: frozenset({ProgrammeState.DISTRIBUTING}),
    ProgrammeState.DISTRIBUTING: frozenset({ProgrammeState.CLOSED}),
    ProgrammeState.CLOSED: frozenset(),
}


class RecipientState(StrEnum):
    SURVEYED = "surveyed"  # needs recorded
    LISTED = "listed"  # verified as a recipient (救助对象)
    OBJECTED = "objected"  # an objection during the notice, being checked
    REMOVED = "removed"  # taken off the list, with the reason
    APPROVED = "approved"
    PAID = "paid"  # received everything planned


class RebuildState(StrEnum):
    APPLIED = "applied"  # 户申请 (or 村民小组 nominated)
    VILLAGE_REVIEWED = "village_reviewed"  # 村(居)委会 民主评议
    NOTICE = "notice"  # 公示 in the natural village
    TOWN_CHECKED = "town_checked"  # 乡镇 审核
    COUNTY_APPROVED = "county_approved"  # 县级 审批
    BUILDING = "building"  # 开工 / 施工
    ACCEPTED = "accepted"  # 竣工验收
    FUNDED = "funded"  # 资金拨付 complete
    REJECTED = "rejected"  # at any review step, with the reason
    WITHDRAWN = "withdrawn"


REBUILD_MOVES: dict[RebuildState, frozenset[RebuildState]] = {
    RebuildState.APPLIED: frozenset(
        {RebuildState.VILLAGE_REVIEWED, RebuildState.REJECTED, RebuildState.WITHDRAWN}
    ),
    RebuildState.VILLAGE_REVIEWED: frozenset(
        {RebuildState.NOTICE, RebuildState.REJECTED, RebuildState.WITHDRAWN}
    ),
    # An objection upheld during the notice sends the case back to the village review.
    RebuildState.NOTICE: frozenset(
        {
            RebuildState.TOWN_CHECKED,
            RebuildState.VILLAGE_REVIEWED,
            RebuildState.REJECTED,
            RebuildState.WITHDRAWN,
        }
    ),
    RebuildState.TOWN_CHECKED: frozenset({RebuildState.COUNTY_APPROVED, RebuildState.REJECTED}),
    RebuildState.COUNTY_APPROVED: frozenset({RebuildState.BUILDING}),
    RebuildState.BUILDING: frozenset({RebuildState.ACCEPTED}),
    RebuildState.ACCEPTED: frozenset({RebuildState.FUNDED}),
    RebuildState.FUNDED: frozenset(),
    RebuildState.REJECTED: frozenset(),
    RebuildState.WITHDRAWN: frozenset(),
}

# The level of the tree whose official takes each step (village steps: the village's leader).
STEP_LEVEL: dict[RebuildState, str] = {
    RebuildState.VILLAGE_REVIEWED: "village",
    RebuildState.NOTICE: "village",
    RebuildState.TOWN_CHECKED: "town",
    RebuildState.COUNTY_APPROVED: "county",
    RebuildState.BUILDING: "town",
    RebuildState.ACCEPTED: "county",
    RebuildState.FUNDED: "county",
}


class RebuildMode(StrEnum):
    REBUILD = "rebuild"  # 重建 (collapsed, severely damaged)
    REPAIR = "repair"  # 维修加固 (generally damaged)
