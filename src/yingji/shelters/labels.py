"""Labels of the shelters' codes (English message ids, Chinese in shelters.po) and the words an
Excel sheet may use for them."""

from __future__ import annotations

from yingji.core.i18n import N_, gettext
from yingji.shelters.codes import (
    ShelterClass,
    ShelterEventKind,
    ShelterLevel,
    ShelterStatus,
    SpaceType,
    StayState,
)

LEVEL_LABELS = {
    ShelterLevel.PROVINCE: N_("Province level"),
    ShelterLevel.CITY: N_("City level"),
    ShelterLevel.COUNTY: N_("County level"),
    ShelterLevel.TOWN: N_("Town level"),
    ShelterLevel.VILLAGE: N_("Village level"),
}
CLASS_LABELS = {
    ShelterClass.EMERGENCY: N_("Emergency shelter"),
    ShelterClass.SHORT: N_("Fixed shelter (short term)"),
    ShelterClass.MEDIUM: N_("Fixed shelter (medium term)"),
    ShelterClass.LONG: N_("Fixed shelter (long term)"),
    ShelterClass.CENTRE: N_("Central shelter"),
    ShelterClass.SPECIAL: N_("Special shelter"),
}
SPACE_LABELS = {
    SpaceType.INDOOR: N_("Indoor"),
    SpaceType.OUTDOOR: N_("Outdoor"),
    SpaceType.MIXED: N_("Indoor and outdoor"),
}
STATUS_LABELS = {
    ShelterStatus.CLOSED: N_("Not in use"),
    ShelterStatus.OPEN: N_("Open, room left"),
    ShelterStatus.FULL: N_("Full"),
}
EVENT_LABELS = {
    ShelterEventKind.OPENED: N_("Opened"),
    ShelterEventKind.CLOSED: N_("Closed down"),
    ShelterEventKind.FULL: N_("Became full"),
    ShelterEventKind.ROOM_AGAIN: N_("Room again"),
    ShelterEventKind.INSPECTED: N_("Inspected"),
    ShelterEventKind.NOTE: N_("Note"),
}
STAY_LABELS = {StayState.IN: N_("In the shelter"), StayState.OUT: N_("Left")}
FACILITY_LABELS = {
    "rest_area": N_("Emergency rest area"),
    "distribution_point": N_("Supplies distribution point"),
    "entrances": N_("Entrances and passages"),
    "fire": N_("Fire-fighting"),
    "lighting": N_("Emergency lighting"),
    "signs": N_("Signs"),
    "management_area": N_("Management area"),
    "lodging_area": N_("Lodging area"),
    "medical": N_("Medical and first-aid point"),
    "supplies_store": N_("Supplies store"),
    "waste_point": N_("Waste collection point"),
    "water": N_("Emergency water"),
    "transport": N_("Emergency transport"),
    "power": N_("Emergency power"),
    "broadcast": N_("Emergency broadcast"),
    "drainage": N_("Sewage drainage"),
    "ventilation": N_("Ventilation"),
    "toilets": N_("Toilets"),
    "command_area": N_("Command area"),
    "parking": N_("Parking"),
    "water_source": N_("Water source area"),
    "helipad": N_("Helipad"),
    "showers": N_("Showers"),
    "communications": N_("Emergency communications"),
    "waste_transfer": N_("Waste storage and transfer"),
}

# Chinese words of a sheet → code (the export writes the first word of each).
LEVEL_WORDS = {
    "省级": "province",
    "市级": "city",
    "县级": "county",
    "乡镇级": "town",
    "乡镇(街道)级": "town",
    "街道级": "town",
    "村级": "village",
    "村(社区)级": "village",
    "社区级": "village",
}
CLASS_WORDS = {
    "紧急避难场所": "emergency",
    "紧急": "emergency",
    "固定避难场所(短期)": "short",
    "短期": "short",
    "固定避难场所(中期)": "medium",
    "中期": "medium",
    "固定避难场所(长期)": "long",
    "长期": "long",
    "中心避难场所": "centre",
    "中心": "centre",
    "特定避难场所": "special",
    "特定": "special",
}
SPACE_WORDS = {"室内": "indoor", "室外": "outdoor", "室内外结合": "mixed", "综合": "mixed"}
STATUS_WORDS = {"未启用": "closed", "已启用": "open", "已满": "full"}
EXCEL_LEVEL = {"province": "省级", "city": "市级", "county": "县级", "town": "乡镇级", "village": "村级"}
EXCEL_CLASS = {
    "emergency": "紧急避难场所",
    "short": "固定避难场所(短期)",
    "medium": "固定避难场所(中期)",
    "long": "固定避难场所(长期)",
    "centre": "中心避难场所",
    "special": "特定避难场所",
}
EXCEL_SPACE = {"indoor": "室内", "outdoor": "室外", "mixed": "室内外结合"}
EXCEL_STATUS = {"closed": "未启用", "open": "已启用", "full": "已满"}


def label(table: dict, code: str | None) -> str:
    for k, v in table.items():
        if k == code or getattr(k, "value", None) == code:
            return gettext(v)
    return code or ""


def facility(key: str) -> str:
    return gettext(FACILITY_LABELS[key]) if key in FACILITY_LABELS else key
