"""The kinds and states of an incident's reports and reporting deadlines, as ``StrEnum`` members
(the same strings in the database, the CHECK constraints and JSON). The incident's own status and
its transition table are in ``status.py``."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    FIRST = "first"  # 首报
    FOLLOW_UP = "follow_up"  # 续报
    FINAL = "final"  # 终报
    SUPPLEMENTARY = "supplementary"  # 补报 (a figure changed inside the window after the final)


class ReportSource(StrEnum):
    CHAIN = "chain"  # reported to the sender by the scene or the level below
    OWN = "own"  # the sender's level learned of it by itself (漏报 below)
    MERGED = "merged"  # copied from a duplicate incident when the two were merged


class DeadlineState(StrEnum):
    """``OPEN`` until the level receives the report; then ``MET`` in time or ``LATE`` (迟报);
    ``MISSED`` (漏报) when the level learned of it by itself; ``WAIVED`` when no longer required."""

    OPEN = "open"
    MET = "met"
    LATE = "late"
    MISSED = "missed"
    WAIVED = "waived"


class ReceiptHow(StrEnum):
    """How a level received the incident (one receipt per level)."""

    SUBMITTED = "submitted"  # a user of that level filed a report on it
    CHAIN = "chain"
    OWN = "own"  # the level learned of it by itself
    ACKNOWLEDGED = "acknowledged"  # 签收
    FORWARDED = "forwarded"  # the level below reported it up (上报)
    MERGED = "merged"  # from a duplicate merged into this incident
