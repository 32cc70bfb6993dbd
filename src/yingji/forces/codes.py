"""Code tables of the rescue forces, as data: team kinds, squads, capabilities, readiness states,
member roles, social-force grades, and what each incident category needs.

Sources: the kinds follow seed 003 (乡镇综合应急救援队伍 with its squads, 村(社区)应急救援队伍) and
seed 002 (village and school volunteer teams, social forces such as Red Cross teams registered);
the grades follow the 社会应急力量分类分级测评 practice (轻型/中型/重型). Capability needs per
incident category are our defaults (no national table): a request can override them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from yingji.core.i18n import N_

# Team groups: who a team belongs to.
GROUPS: dict[str, str] = {
    "professional": N_("Professional teams"),
    "town": N_("Town comprehensive rescue brigades"),
    "village": N_("Village and school volunteer teams"),
    "social": N_("Social rescue forces"),
}

CAPABILITIES: dict[str, str] = {
    "flood_rescue": N_("Flood fighting"),
    "water_rescue": N_("Water rescue"),
    "forest_fire": N_("Forest fire fighting"),
    "fire": N_("Fire fighting"),
    "collapse_search": N_("Collapse search and rescue"),
    "mine_rescue": N_("Mine rescue"),
    "hazmat": N_("Hazardous chemicals"),
    "medical": N_("Medical aid"),
    "comms": N_("Emergency communications"),
    "heavy_machinery": N_("Engineering machinery"),
    "power": N_("Power supply"),
    "evacuation": N_("Evacuation"),
}
CAPABILITY_ORDER = tuple(CAPABILITIES)
CAPABILITY_BIT = {code: 1 << i for i, code in enumerate(CAPABILITY_ORDER)}


@dataclass(frozen=True)
class TeamKind:
    code: str
    group: str
    label: str  # message id
    capabilities: tuple[str, ...]  # defaults for a new team of this kind


TEAM_KINDS: dict[str, TeamKind] = {
    k.code: k
    for k in (
        TeamKind(
            "fire_rescue",
            "professional",
            N_("Fire and rescue team"),
            ("fire", "collapse_search", "water_rescue"),
        ),
        TeamKind(
            "mine_rescue",
            "professional",
            N_("Mine rescue team"),
            ("mine_rescue", "collapse_search", "medical"),
        ),
        TeamKind("hazmat", "professional", N_("Hazardous chemicals rescue team"), ("hazmat", "fire")),
        TeamKind("forest_fire", "professional", N_("Professional forest fire team"), ("forest_fire",)),
        TeamKind(
            "flood_pro",
            "professional",
            N_("Professional flood fighting team"),
            ("flood_rescue", "water_rescue", "heavy_machinery"),
        ),
        TeamKind("medical_pro", "professional", N_("Medical emergency team"), ("medical",)),
        TeamKind("power_pro", "professional", N_("Power repair team"), ("power",)),
        TeamKind("comms_pro", "professional", N_("Communications support team"), ("comms",)),
        TeamKind("road_pro", "professional", N_("Road clearing team"), ("heavy_machinery",)),
        TeamKind(
            "town_brigade",
            "town",
            N_("Town comprehensive rescue brigade"),
            ("flood_rescue", "forest_fire", "evacuation"),
        ),
        TeamKind(
            "village_volunteer",
            "village",
            N_("Village rescue team"),
            ("evacuation", "flood_rescue", "forest_fire"),
        ),
        TeamKind("school_volunteer", "village", N_("School volunteer team"), ("evacuation",)),
        TeamKind(
            "social", "social", N_("Social rescue force"), ("water_rescue", "collapse_search", "medical")
        ),
        TeamKind("enterprise", "social", N_("Enterprise rescue team"), ("hazmat", "fire")),
    )
}

# Squads (分队) of a town brigade: a member belongs to one; each squad brings its capabilities.
SQUADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "militia": (N_("Militia squad"), ("evacuation", "flood_rescue", "forest_fire")),
    "flood": (N_("Flood squad"), ("flood_rescue", "water_rescue")),
    "forest_fire": (N_("Forest fire squad"), ("forest_fire",)),
    "medical": (N_("Medical squad"), ("medical",)),
    "comms": (N_("Communications squad"), ("comms",)),
    "machinery": (N_("Engineering machinery squad"), ("heavy_machinery",)),
    "power": (N_("Power squad"), ("power",)),
}


class Readiness(StrEnum):
    """A team's readiness; any state may follow any other (``readiness.apply`` records the change)."""

    ON_CALL = "on_call"
    DEPLOYED = "deployed"
    RESTING = "resting"
    UNAVAILABLE = "unavailable"


class DispatchState(StrEnum):
    """A team sent to an incident: ``DISPATCHED`` until the team leaves ``DEPLOYED`` (``RETURNED``)."""

    DISPATCHED = "dispatched"
    RETURNED = "returned"


READINESS: dict[str, str] = {
    "on_call": N_("On call"),  # 备勤
    "deployed": N_("Deployed"),  # 出动
    "resting": N_("Resting"),  # 休整
    "unavailable": N_("Unavailable"),  # 不可用
}
READINESS_CODE = {state: i for i, state in enumerate(READINESS)}

MEMBER_ROLES: dict[str, str] = {
    "leader": N_("Team leader"),
    "deputy": N_("Deputy leader"),
    "member": N_("Team member"),
}

# 社会应急力量分类分级测评: light / medium / heavy.
GRADES: dict[str, str] = {"light": N_("Light"), "medium": N_("Medium"), "heavy": N_("Heavy")}

EQUIPMENT_CATEGORIES: dict[str, str] = {"vehicle": N_("Vehicle"), "equipment": N_("Equipment")}
EQUIPMENT_STATES: dict[str, str] = {
    "good": N_("In service"),
    "repair": N_("Under repair"),
    "retired": N_("Retired"),
}

# Which capabilities an incident of each category needs (subcategory code, else its category).
DEFAULT_NEEDS = ("evacuation", "medical")
CATEGORY_NEEDS: dict[str, tuple[str, ...]] = {
    "natural.flood_drought": ("flood_rescue", "water_rescue", "evacuation"),
    "natural.meteorological": ("evacuation", "power", "heavy_machinery"),
    "natural.earthquake": ("collapse_search", "medical", "heavy_machinery", "comms"),
    "natural.geological": ("collapse_search", "heavy_machinery", "evacuation", "medical"),
    "natural.forest_fire": ("forest_fire",),
    "accident.production": ("mine_rescue", "hazmat", "collapse_search", "medical"),
    "accident.road_traffic": ("medical", "heavy_machinery", "fire"),
    "accident.other_transport": ("water_rescue", "medical"),
    "accident.fire": ("fire", "medical"),
    "accident.public_facilities": ("collapse_search", "power", "comms"),
    "accident.environment": ("hazmat",),
    "health": ("medical",),
    "social": ("evacuation", "medical"),
}

# RULES.md §8 (seed 002): every village and school keeps a volunteer team of at least 10.
MIN_VOLUNTEER_MEMBERS = 10
VOLUNTEER_KINDS = ("village_volunteer", "school_volunteer")
EXPIRY_WARNING_DAYS = 30  # a setting: certificates and insurance expiring within this many days


def needs_for(category: str | None) -> tuple[str, ...]:
    """Capabilities an incident category calls for (subcategory, else main category, else defaults)."""
    category = category or ""
    return CATEGORY_NEEDS.get(category) or CATEGORY_NEEDS.get(category.split(".")[0]) or DEFAULT_NEEDS


def capability_mask(codes: list[str] | tuple[str, ...] | set[str]) -> int:
    """The bit mask of capability codes (unknown codes are ignored)."""
    mask = 0
    for code in codes:
        mask |= CAPABILITY_BIT.get(code, 0)
    return mask


def split_codes(value: str | None) -> list[str]:
    """Comma-separated codes as stored, in canonical order."""
    if not value:
        return []
    found = {c.strip() for c in value.split(",") if c.strip()}
    return [c for c in CAPABILITY_ORDER if c in found]


def join_codes(codes) -> str:
    """Capabilities as stored: comma-separated, canonical order, known codes only."""
    return ",".join(c for c in CAPABILITY_ORDER if c in set(codes))


def group_of(kind: str) -> str:
    """The group (professional, town, village, social) of a team kind."""
    found = TEAM_KINDS.get(kind)
    return found.group if found else "professional"
