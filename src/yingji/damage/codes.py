"""Code tables of damage statistics (RULES2 §10): report kinds, the disaster process's states, the
officers' posts, report states, each transition table beside its enum. The indicators themselves
(受灾人口 …, with units and which have 累计 / 实时 values) and the time limits are rule data:
``rules/disaster_indicators.json`` and ``rules/disaster_reporting.json``."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    INITIAL = "initial"  # 初报
    CONTINUED = "continued"  # 续报
    ZERO = "zero"  # 24 小时零报告 (a 续报 with the day's figures, zeros included)
    FINAL = "final"  # 核报


class EventState(StrEnum):
    OPEN = "open"  # 灾情发展中: 续报 / daily zero reports due
    STABLE = "stable"  # 灾情稳定: 核报 due
    VERIFIED = "verified"  # 核报 accepted: figures final unless verification reopens them
    CLOSED = "closed"


EVENT_MOVES: dict[EventState, frozenset[EventState]] = {
    EventState.OPEN: frozenset({EventState.STABLE}),
    EventState.STABLE: frozenset({EventState.OPEN, EventState.VERIFIED}),
    EventState.VERIFIED: frozenset({EventState.CLOSED, EventState.STABLE}),
    EventState.CLOSED: frozenset(),
}


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # sent up; the level above sees it
    RETURNED = "returned"  # sent back with a reason
    ACCEPTED = "accepted"  # 审核通过: its figures count


REPORT_MOVES: dict[ReportState, frozenset[ReportState]] = {
    ReportState.DRAFT: frozenset({ReportState.SUBMITTED}),
    ReportState.SUBMITTED: frozenset({ReportState.RETURNED, ReportState.ACCEPTED}),
    ReportState.RETURNED: frozenset({ReportState.SUBMITTED}),
    ReportState.ACCEPTED: frozenset(),
}


class OfficerLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


class OfficerPost(StrEnum):
    A = "A"  # A岗: main post (village: 村书记 or 主任)
    B = "B"  # B岗: deputy, takes over when A cannot


class ListKind(StrEnum):
    """The named lists (一览表) attached to a report."""

    DEAD = "dead"  # 因灾死亡人口
    MISSING = "missing"  # 因灾失踪人口
