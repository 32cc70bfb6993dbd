"""Words of evacuation: the labels of its code tables (message ids, shown in Chinese), and ``EL``, the
label helpers the templates and the overview tile use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from yingji.core.i18n import N_, gettext, translate
from yingji.evacuation.codes import Bucket, HouseholdState, MarkOutcome, OrderSource, OrderState, TaskState

ORDER_STATE = {
    OrderState.ACTIVE: N_("Evacuating"),
    OrderState.LIFTED: N_("Lifted"),
    OrderState.CLOSED: N_("Closed"),
    OrderState.CANCELLED: N_("Cancelled"),
}
SOURCE = {
    OrderSource.WARNING: N_("From a warning"),
    OrderSource.ALARM: N_("From an alarm"),
    OrderSource.INCIDENT: N_("From an incident"),
    OrderSource.HAZARD: N_("From a hazard point"),
    OrderSource.MANUAL: N_("By hand"),
}
HOUSEHOLD_STATE = {
    HouseholdState.PENDING: N_("Not yet moved"),
    HouseholdState.MOVED: N_("Moved"),
    HouseholdState.SELF_MOVED: N_("Moved on their own"),
    HouseholdState.AT_RELATIVES: N_("At relatives or friends"),
    HouseholdState.SHELTERED: N_("In a shelter"),
    HouseholdState.REFUSED: N_("Refused to move"),
    HouseholdState.NOT_HOME: N_("Not at home"),
    HouseholdState.RETURNED: N_("Returned home"),
}
BUCKET = {
    Bucket.MOVED: N_("Moved"),
    Bucket.SHELTERED: N_("In shelters"),
    Bucket.SAFE_ELSEWHERE: N_("Safe elsewhere"),
    Bucket.UNACCOUNTED: N_("Unaccounted"),
    Bucket.RETURNED: N_("Returned home"),
}
TASK_STATE = {TaskState.OPEN: N_("Open"), TaskState.DONE: N_("Done"), TaskState.CANCELLED: N_("Cancelled")}


@lru_cache(maxsize=256)
def say(message: str, **labels: str) -> str:
    """A message in Chinese then English, its parameters (message ids) translated in each language."""
    zh = translate(message, "zh_CN", **{k: translate(v, "zh_CN") for k, v in labels.items()})
    en = translate(message, "en", **{k: translate(v, "en") for k, v in labels.items()})
    return f"{zh} / {en}"


OUTCOME = {
    MarkOutcome.APPLIED: N_("Recorded"),
    MarkOutcome.REPEAT: N_("Already received"),
    MarkOutcome.SAME: N_("Already in this state: not counted twice"),
    MarkOutcome.STALE: N_("A newer mark is in force: kept in the log only"),
    MarkOutcome.REFUSED: N_("Not accepted"),
}
BUCKETS = (
    ("threatened", N_("Threatened")),
    ("moved", N_("Moved")),
    ("sheltered", N_("In shelters")),
    ("safe_elsewhere", N_("Safe elsewhere")),
    ("unaccounted", N_("Unaccounted")),
    ("returned", N_("Returned home")),
)
# The phone's buttons, in the order a worker meets them at the door.
FIELD_BUTTONS = (
    HouseholdState.MOVED,
    HouseholdState.SELF_MOVED,
    HouseholdState.AT_RELATIVES,
    HouseholdState.SHELTERED,
    HouseholdState.REFUSED,
    HouseholdState.NOT_HOME,
)
STATE_CLASS = {s: f"hs-{s.value}" for s in HouseholdState}


def label(table: dict, value: Any) -> str:
    """The translated label of a code (the code itself if the table lacks it)."""
    text = table.get(value)
    return gettext(text) if text else str(value)


class Labels:
    """Label helpers for the templates (``el.order_state(x)`` …)."""

    def order_state(self, value) -> str:
        return label(ORDER_STATE, value)

    def household_state(self, value) -> str:
        return label(HOUSEHOLD_STATE, value)

    def source(self, value) -> str:
        return label(SOURCE, value)

    def task_state(self, value) -> str:
        return label(TASK_STATE, value)

    def outcome(self, value) -> str:
        return label(OUTCOME, value)

    def state_class(self, value) -> str:
        return STATE_CLASS.get(value, "")

    buckets = BUCKETS
    field_buttons = FIELD_BUTTONS


EL = Labels()
