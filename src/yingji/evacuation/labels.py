"""Words of evacuation: the labels of its code tables (message ids, shown in Chinese)."""

from __future__ import annotations

from functools import lru_cache

from yingji.core.i18n import N_, translate
from yingji.evacuation.codes import Bucket, HouseholdState, OrderSource, OrderState, TaskState

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
