"""Code table of the duty call log (值班来电登记): what became of a call, with its transition table."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class CallOutcome(StrEnum):
    PENDING = "pending"  # being dealt with (called back, checking)
    INCIDENT = "incident"  # became incident N (接报)
    TIPOFF = "tipoff"  # a tip-off: sent to the tip-off channel
    ADVISED = "advised"  # answered, advice given (咨询)
    TRANSFERRED = "transferred"  # transferred to another body (转办: 110, 119, a department)


# A call's outcome is settled once; only a pending call moves.
CALL_MOVES: dict[CallOutcome, frozenset[CallOutcome]] = {
    CallOutcome.PENDING: frozenset(set(CallOutcome) - {CallOutcome.PENDING}),
    CallOutcome.INCIDENT: frozenset(),
    CallOutcome.TIPOFF: frozenset(),
    CallOutcome.ADVISED: frozenset(),
    CallOutcome.TRANSFERRED: frozenset(),
}

OUTCOME_LABELS = {
    CallOutcome.PENDING: N_("Being dealt with"),
    CallOutcome.INCIDENT: N_("Became an incident"),
    CallOutcome.TIPOFF: N_("A tip-off"),
    CallOutcome.ADVISED: N_("Advice given"),
    CallOutcome.TRANSFERRED: N_("Transferred"),
}
