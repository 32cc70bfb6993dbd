"""Labels of the monitoring codes (message ids, translated where shown) and of the kinds in the data
tables (their own zh/en names)."""

from __future__ import annotations

from yingji.core import i18n
from yingji.core.i18n import N_
from yingji.monitoring import catalog

LEVELS = {"blue": N_("Blue"), "yellow": N_("Yellow"), "orange": N_("Orange"), "red": N_("Red")}
METRICS = {
    "value": N_("Reading"),
    "rate_h": N_("Change per hour"),
    "sum_1h": N_("Rain in 1 h"),
    "sum_3h": N_("Rain in 3 h"),
    "sum_24h": N_("Rain in 24 h"),
}
STATES = {
    "open": N_("Not yet acknowledged"),
    "acknowledged": N_("Acknowledged, in hand"),
    "cleared": N_("Cleared"),
}
ACTIONS = {
    "notify": N_("Notify"),
    "warning": N_("Notify and draft a warning"),
    "incident": N_("Notify and file an incident report"),
}
CONDITIONS = {"normal": N_("Normal"), "abnormal": N_("Something unusual"), "danger": N_("Danger found")}
DIRECTIONS = {"above": N_("at or above"), "below": N_("at or below")}
REASONS = {
    "unknown_sensor": N_("Unknown sensor"),
    "inactive": N_("Sensor switched off"),
    "out_of_scope": N_("Sensor outside the sender's area"),
    "malformed": N_("Malformed"),
    "not_a_number": N_("Value is not a number"),
    "out_of_range": N_("Value out of the plausible range"),
    "future": N_("Time in the future"),
    "too_old": N_("Older than the raw-reading window"),
    "duplicate": N_("Duplicate"),
}
EVENTS = {
    "raised": N_("Raised"),
    "acknowledged": N_("Alarm acknowledged"),
    "cleared": N_("Cleared"),
    "notified": N_("Notified"),
    "warning_drafted": N_("Warning drafted"),
    "incident_reported": N_("Incident report filed"),
    "action_failed": N_("Action failed"),
}


def label(table: dict[str, str], code: str | None, locale: str | None = None) -> str:
    """The translated label of a code (in ``locale`` or the request's)."""
    if code is None:
        return ""
    msgid = table.get(code)
    if msgid is None:
        return code
    return i18n.translate(msgid, locale) if locale else i18n.gettext(msgid)


def _named(row: dict | None, code: str, locale: str | None) -> str:
    if row is None:
        return code
    return row["zh"] if (locale or i18n.current_locale()) == "zh_CN" else row["en"]


def hazard_kind(code: str, locale: str | None = None) -> str:
    """The name of a hazard-point kind in the locale."""
    return _named(catalog.hazard_kind(code), code, locale)


def sensor_kind(code: str, locale: str | None = None) -> str:
    """The name of a sensor kind in the locale."""
    return _named(catalog.sensor_kind(code), code, locale)


def subtype(kind: str, code: str | None, locale: str | None = None) -> str:
    """The name of a hazard-point subtype in the locale."""
    if not code:
        return ""
    row = next((s for s in (catalog.hazard_kind(kind) or {}).get("subtypes", []) if s["code"] == code), None)
    return _named(row, code, locale)


class Labels:
    """What templates call: ``ml.level(code)`` …"""

    level = staticmethod(lambda c: label(LEVELS, c))
    metric = staticmethod(lambda c: label(METRICS, c))
    state = staticmethod(lambda c: label(STATES, c))
    action = staticmethod(lambda c: label(ACTIONS, c))
    condition = staticmethod(lambda c: label(CONDITIONS, c))
    direction = staticmethod(lambda c: label(DIRECTIONS, c))
    reason = staticmethod(lambda c: label(REASONS, c))
    event = staticmethod(lambda c: label(EVENTS, c))
    hazard_kind = staticmethod(hazard_kind)
    sensor_kind = staticmethod(sensor_kind)
    subtype = staticmethod(subtype)
    hazard_kinds = staticmethod(catalog.hazard_kinds)
    sensor_kinds = staticmethod(catalog.sensor_kinds)
    levels = tuple(LEVELS)
    metrics = tuple(METRICS)
    conditions = tuple(CONDITIONS)
    actions = tuple(ACTIONS)
