"""The numbers of shelters as rule data (``rules/shelter_standards.json``, RULES2 §11.3): area per
person by class, the minimum site area, service radius, required facilities by class, and capacity.

Capacity = floor(usable area / area per person) unless the registry states its own figure
(``capacity_stated``). The area per person is the shelter's own figure when given, else the class's
setting (``YINGJI_SHELTER_AREA_<CLASS>``, default from the table, marked [unconfirmed])."""

from __future__ import annotations

import math

from yingji.config import env_float
from yingji.core.i18n import N_
from yingji.rules import load
from yingji.shelters.codes import ShelterClass

FIXED = (ShelterClass.SHORT, ShelterClass.MEDIUM, ShelterClass.LONG, ShelterClass.SPECIAL)


def table() -> dict:
    return load("shelter_standards.json")


def area_per_person(shelter_class: str) -> float:
    """m² per person for a class: the setting if set (0.3–50), else the table's default."""
    row = table()["area_per_person_m2"][ShelterClass(shelter_class).value]
    return env_float(row.get("setting"), float(row["default"]), 0.3, 50.0)


def capacity(usable_area_m2: float | None, per_person_m2: float | None, shelter_class: str) -> int:
    """People a site takes: floor(usable area / area per person); 0 without an area."""
    if not usable_area_m2 or usable_area_m2 <= 0:
        return 0
    per = per_person_m2 if per_person_m2 and per_person_m2 > 0 else area_per_person(shelter_class)
    return math.floor(usable_area_m2 / per + 1e-9)


def service_radius_m(shelter_class: str) -> int:
    radius = table()["service_radius_m"]
    if shelter_class == ShelterClass.EMERGENCY.value:
        return int(radius["emergency"]["default"])
    row = radius["fixed"]
    return int(env_float(row.get("setting"), float(row["default"]), 100, 50_000))


def facility_group(shelter_class: str) -> str:
    if shelter_class == ShelterClass.EMERGENCY.value:
        return "emergency"
    return "centre" if shelter_class == ShelterClass.CENTRE.value else "fixed"


def required_facilities(shelter_class: str) -> list[str]:
    return list(table()["required_facilities"][facility_group(shelter_class)])


def facility_names() -> dict[str, str]:
    """Facility key → its label in the page's language (the checklist's rows)."""
    from yingji.shelters.labels import facility

    return {k: facility(k) for k in table()["facilities"]}


def checklist(shelter_class: str, facilities: dict | None) -> list[dict]:
    """Every facility the class requires, then the others the shelter records: key, name, present."""
    have = facilities or {}
    names = facility_names()
    required = required_facilities(shelter_class)
    keys = required + [k for k in names if k not in required and k in have]
    return [
        {"key": k, "name": names.get(k, k), "required": k in required, "present": bool(have.get(k))}
        for k in keys
    ]


def warnings_for(shelter_class: str, usable_area_m2: float | None, per_person_m2: float | None) -> list[str]:
    """Message ids of what the standards advise against (shown, not refused: GB 21734 says 宜)."""
    out = []
    t = table()
    small = usable_area_m2 is not None and usable_area_m2 <= t["min_site_area_m2"]["value"]
    if small and shelter_class != ShelterClass.EMERGENCY.value:
        out.append(N_("The usable area is not above 2,000 m² (GB 21734-2008 §5.4)."))
    per = per_person_m2 or area_per_person(shelter_class)
    if shelter_class != ShelterClass.EMERGENCY.value and per <= t["min_area_per_person_m2"]["value"]:
        out.append(N_("The area per person is not above 1.5 m² (GB 21734-2008 §5.4)."))
    return out
