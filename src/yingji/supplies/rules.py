"""The supplies rule tables (catalogue, reserve lists, store rules) as read-only values: no I/O
beyond reading the packaged JSON once. Each file carries its version and source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from yingji.core.i18n import current_locale


def _load(name: str) -> dict:
    return json.loads((files("yingji.rules") / f"supplies_{name}").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Category:
    code: str
    cls: str
    zh: str
    en: str

    def label(self, locale: str | None = None) -> str:
        """The category name in the current (or given) locale."""
        return self.en if (locale or current_locale()) == "en" else self.zh


@dataclass(frozen=True)
class StandardItem:
    code: str
    category: str
    zh: str
    en: str
    unit: str
    shelf_life_months: int | None
    maintenance_class: str | None


@cache
def catalogue() -> dict:
    """The whole catalogue table (version, source, classes, categories with items)."""
    return _load("catalogue.json")


@cache
def categories() -> dict[str, Category]:
    """The 32 categories by code, in catalogue order."""
    return {c["code"]: Category(c["code"], c["class"], c["zh"], c["en"]) for c in catalogue()["categories"]}


def category(code: str | None) -> Category | None:
    return categories().get(code or "")


def catalogue_owner_level() -> str:
    """The division level whose officials may add items to the shared catalogue (data)."""
    return catalogue().get("local_items", {}).get("owner_level", "city")


def class_label(cls: str, locale: str | None = None) -> str:
    """Label of one of the 13 national classes (防护用品 …)."""
    entry = catalogue()["classes"].get(cls, {})
    return entry.get("en" if (locale or current_locale()) == "en" else "zh", cls)


@cache
def standard_items() -> dict[str, StandardItem]:
    """The standard items by code."""
    out = {}
    for c in catalogue()["categories"]:
        for i in c["items"]:
            out[i["code"]] = StandardItem(
                i["code"],
                c["code"],
                i["zh"],
                i["en"],
                i["unit"],
                i.get("shelf_life_months"),
                i.get("maintenance_class"),
            )
    return out


def item_label(code: str, name: str, locale: str | None = None) -> str:
    """An item's name: the English one of a standard item in English pages, else the stored name."""
    std = standard_items().get(code)
    if std is not None and (locale or current_locale()) == "en":
        return std.en
    return name


@cache
def reserve_table() -> dict:
    return _load("reserve_standards.json")


def default_reserve(level: str) -> dict[str, int]:
    """What a store of ``level`` should hold by default: item code → quantity."""
    return dict(reserve_table()["levels"].get(level, {}))


@cache
def store_rules() -> dict:
    return _load("store_rules.json")


def min_area(level: str) -> float | None:
    """The minimum floor area of a store of this level (seed 003), or None when there is none."""
    return store_rules()["min_area_m2"].get(level)


def area_ok(level: str, area_m2: float | None) -> bool | None:
    """True / False against the minimum; None when there is no rule or no area recorded."""
    minimum = min_area(level)
    if minimum is None or area_m2 is None:
        return None
    return area_m2 >= minimum


def maintenance_plan(maintenance_class: str) -> list[dict]:
    """The "五定" checks of an item class: ``[{kind, interval_days}]``."""
    return list(store_rules()["maintenance"].get(maintenance_class, []))


def maintenance_classes() -> list[str]:
    return list(store_rules()["maintenance"])


def expiry_warning_days() -> list[int]:
    """Days ahead of expiry at which keepers are warned, largest first."""
    return sorted(store_rules()["expiry_warning_days"], reverse=True)


def maintenance_horizon_days() -> int:
    return int(store_rules()["maintenance_horizon_days"])


def overdue_grace_days() -> int:
    return int(store_rules()["maintenance_overdue_grace_days"])
