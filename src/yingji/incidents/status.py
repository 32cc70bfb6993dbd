"""Incident status: one explicit transition table (no if/elif dispatcher).

reported → verified → responding → stabilised → closed. A verified incident that needs no
response may be closed directly; closing is final (a new development is a new report).
"""

from __future__ import annotations

from yingji.core.errors import Conflict
from yingji.core.i18n import N_

STATUSES = {
    "reported": N_("Reported"),  # 已接报
    "verified": N_("Verified"),  # 已核实
    "responding": N_("Responding"),  # 响应中
    "stabilised": N_("Stabilised"),  # 已稳控
    "closed": N_("Closed"),  # 已结案
}

TRANSITIONS: dict[str, frozenset[str]] = {
    "reported": frozenset({"verified", "closed"}),  # closed: a false alarm, with a reason
    "verified": frozenset({"responding", "stabilised", "closed"}),
    "responding": frozenset({"stabilised"}),
    "stabilised": frozenset({"responding", "closed"}),  # flare-up: back to responding
    "closed": frozenset(),
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
