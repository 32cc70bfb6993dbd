"""Code tables of ownership: how an item was first taken in."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class TakenHow(StrEnum):
    DESK = "desk"  # 接报 at the desk form
    PHONE = "phone"  # 随手报 on the phone page, by an officer of a receiving level
    API = "api"  # through the API (another system, a script)
    ACCEPTED = "accepted"  # 签收 / 接收: a report from the level below, or a forwarded one, accepted
    REPORT = "report"  # a follow-up written by an officer of a level that had not taken it yet
    CLAIMED = "claimed"  # 受理: a public tip-off first taken by staff
    CALL = "call"  # 来电登记: the duty officer who answered the call


HOW_LABELS = {
    TakenHow.DESK: N_("desk intake"),
    TakenHow.PHONE: N_("phone intake"),
    TakenHow.API: N_("API intake"),
    TakenHow.ACCEPTED: N_("accepted from the level below"),
    TakenHow.REPORT: N_("own report"),
    TakenHow.CLAIMED: N_("claimed"),
    TakenHow.CALL: N_("call answered"),
}
