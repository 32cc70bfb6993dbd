"""Incident status: one explicit transition table (no if/elif dispatcher).

reported → verified → responding → stabilised → closed. A verified incident that needs no
response may be closed directly; closing is final (a new development is a new report).
"""

from __future__ import annotations

from enum import StrEnum

from yingji.core.errors import Conflict
from yingji.core.i18n import N_


class IncidentStatus(StrEnum):
    REPORTED = "reported"  # 已接报
    VERIFIED = "verified"  # 已核实
    RESPONDING = "responding"  # 响应中
    STABILISED = "stabilised"  # 已稳控
    CLOSED = "closed"  # 已结案


S = IncidentStatus
STATUSES = {
    S.REPORTED: N_("Reported"),
    S.VERIFIED: N_("Verified"),
    S.RESPONDING: N_("Responding"),
    S.STABILISED: N_("Stabilised"),
    S.CLOSED: N_("Closed"),
}

TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.REPORTED: frozenset({S.VERIFIED, S.CLOSED}),  # closed: a false alarm, with a reason
    S.VERIFIED: frozenset({S.RESPONDING, S.STABILISED, S.CLOSED}),
    S.RESPONDING: frozenset({S.STABILISED}),
    S.STABILISED: frozenset({S.RESPONDING, S.CLOSED}),  # flare-up: back to responding
    S.CLOSED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        from yingji.core.i18n import translate  # labels in the message's language, not codes

        raise Conflict(
            "An incident cannot go from {current} to {target}.",
            current=translate(STATUSES.get(current, current), "zh_CN"),
            target=translate(STATUSES.get(target, target), "zh_CN"),
        )
