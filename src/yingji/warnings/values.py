"""The value lists, warning levels, the colour → CAP severity map and the compose templates, read from
the packaged data files in ``yingji/rules`` (each carries its version and source)."""

from __future__ import annotations

import os
from functools import cache

from yingji.core.errors import ValidationFailed
from yingji.rules import load

LEVELS = ("red", "orange", "yellow", "blue")
SEVERITY_MAP_ENV = "YINGJI_CAP_SEVERITY_MAP"


def cap_values() -> dict:
    """CAP 1.2 value lists with Chinese labels (``cap_values.json``)."""
    return load("cap_values.json")


def allowed(element: str) -> tuple[str, ...]:
    """The values CAP 1.2 allows for ``element`` (status, msgType, scope, category …)."""
    return tuple(cap_values()[element])


def levels() -> dict:
    """Warning levels (``warning_levels.json``): rank, labels, colour, whether approval is needed."""
    return load("warning_levels.json")["levels"]


def requires_approval(level: str | None) -> bool:
    """Red and orange need a leader's approval (data; defaults to True for unknown levels)."""
    if level is None:
        return True
    return bool(levels().get(level, {}).get("requires_approval", True))


def approver_must_differ() -> bool:
    return bool(load("warning_levels.json").get("approver_must_differ_from_author", True))


@cache
def _severity_map_from(spec: str) -> dict[str, str]:
    table = dict(load("warning_levels.json")["cap_severity"])
    severities = set(allowed("severity"))
    for part in filter(None, (p.strip() for p in spec.split(","))):
        level, _, severity = part.partition("=")
        if level.strip() not in LEVELS or severity.strip() not in severities:
            raise ValidationFailed(
                "The setting {name} is not valid: {value}", name=SEVERITY_MAP_ENV, value=part
            )
        table[level.strip()] = severity.strip()
    return table


def severity_map() -> dict[str, str]:
    """Colour → CAP 1.2 severity: the data file's default, overridden by ``YINGJI_CAP_SEVERITY_MAP``."""
    return _severity_map_from(os.environ.get(SEVERITY_MAP_ENV, ""))


def cap_severity(level: str | None) -> str:
    return severity_map().get(level or "", "Unknown")


def level_from_severity(severity: str | None) -> str | None:
    """The colour for a CAP severity (inverse of the map), or for a profile colour (Red …)."""
    if not severity:
        return None
    lowered = severity.strip().lower()
    if lowered in LEVELS:
        return lowered
    for level, value in severity_map().items():
        if value == severity:
            return level
    return None


def default_urgency(level: str | None) -> str:
    return load("warning_levels.json")["cap_urgency_default"].get(level or "", "Unknown")


def templates() -> dict[str, dict]:
    """Compose templates per event type (``warning_templates.json``)."""
    return load("warning_templates.json")["templates"]


def template(key: str | None) -> dict | None:
    return templates().get(key) if key else None


def profile() -> dict:
    """The Chinese national profile settings (``cap_profile_cn.json``)."""
    return load("cap_profile_cn.json")


def channel_labels(locale: str) -> dict[str, str]:
    """Channel code → label in the page's language (the profile's own labels are Chinese)."""
    data = profile()
    return data["channels"] if locale == "zh_CN" else data.get("channels_en", data["channels"])
