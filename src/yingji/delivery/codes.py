"""Code tables of warning delivery: the states of a dispatch (the sending of one warning issue), of
each delivery, of an escalation step and of a door-to-door task, and how a person acknowledges. The
values are what the database and the API hold; the tables' CHECK constraints are written from them.

A dispatch is ``active`` until the warning is lifted, expires or is superseded (``stopped``). A
delivery goes queued → sent → delivered (the gateway's receipt) or failed (retried while attempts
remain, queued again by an escalation's resend), and acknowledged when its person confirms. A step is
pending until its job runs it (done), the dispatch stops first (cancelled) or the auditor gives up on
it (stalled). A door-to-door task is open until the grid worker closes it, or cancelled when the
dispatch stops."""

from __future__ import annotations

from enum import StrEnum


class DispatchState(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    ACKNOWLEDGED = "acknowledged"


# Not yet answered by the gateway: a receipt may still move these.
AWAITING_RECEIPT = (DeliveryState.QUEUED, DeliveryState.SENT)
# Reached the phone or group (what coverage counts as delivered).
REACHED = (DeliveryState.SENT, DeliveryState.DELIVERED)


class StepState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
    STALLED = "stalled"


class TaskState(StrEnum):
    """A door-to-door task's (逐家逐户)."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AckMethod(StrEnum):
    LINK = "link"  # the signed link in the SMS
    SMS = "sms"  # a reply "1" / "收到"
    APP = "app"  # the in-app button
