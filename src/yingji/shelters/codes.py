"""Code tables of shelters (RULES2 §11.2): grade by administrative level (GB/T 44013-2024 分级), class
by function and duration (GB 51143-2015 §3.1.4 plus 特定避难场所), space type, status with its one
transition table. Labels live in ``shelters/labels.py``; the numbers (area per person by class,
service radius) are rule data in ``rules/shelter_standards.json``."""

from __future__ import annotations

from enum import StrEnum


class ShelterLevel(StrEnum):  # GB/T 44013-2024 分级
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


class ShelterClass(StrEnum):  # GB 51143-2015 §3.1.4; GB/T 44013-2024 §5.9 特定
    EMERGENCY = "emergency"  # 紧急避难场所
    SHORT = "short"  # 固定避难场所(短期)
    MEDIUM = "medium"  # 固定避难场所(中期)
    LONG = "long"  # 固定避难场所(长期)
    CENTRE = "centre"  # 中心避难场所
    SPECIAL = "special"  # 特定避难场所


class SpaceType(StrEnum):
    INDOOR = "indoor"  # 室内
    OUTDOOR = "outdoor"  # 室外
    MIXED = "mixed"  # 室内外结合


class ShelterStatus(StrEnum):
    CLOSED = "closed"  # 未启用 (日常管理)
    OPEN = "open"  # 已启用, room left
    FULL = "full"  # 已满: set and cleared by occupancy, never by hand


SHELTER_MOVES: dict[ShelterStatus, frozenset[ShelterStatus]] = {
    ShelterStatus.CLOSED: frozenset({ShelterStatus.OPEN}),
    ShelterStatus.OPEN: frozenset({ShelterStatus.CLOSED, ShelterStatus.FULL}),
    ShelterStatus.FULL: frozenset({ShelterStatus.OPEN, ShelterStatus.CLOSED}),
}


class ShelterEventKind(StrEnum):  # the opening and closing log (运行情况日志)
    OPENED = "opened"
    CLOSED = "closed"
    FULL = "full"
    ROOM_AGAIN = "room_again"
    INSPECTED = "inspected"
    NOTE = "note"


class StayState(StrEnum):
    IN = "in"  # 在场
    OUT = "out"  # 已离开 (returned home, moved on)
