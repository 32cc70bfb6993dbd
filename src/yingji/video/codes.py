"""Code tables of video linkage: kinds of video point, camera status, upload states (enums beside
the one transition table), and the GB/T 28181 device ID check against the packaged type codes
(rules/video_gb28181.json) — what the standard leaves open is a setting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from yingji.core.i18n import N_
from yingji.org import codes as division_codes
from yingji.rules import load


class CameraKind(StrEnum):
    SKYNET = "skynet"  # 天网 (public security)
    XUELIANG = "xueliang"  # 雪亮工程 (rural public security video)
    SMART_VILLAGE = "smart_village"  # 智慧乡村
    VILLAGE_ROOM = "village_room"  # 村级视频室
    SOLDIER = "soldier"  # 单兵图传
    DRONE = "drone"  # 无人机


class CameraStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    FAULT = "fault"


class UploadState(StrEnum):
    OPEN = "open"
    DONE = "done"


# The one transition table of the domain: an upload is open until its last byte, then done.
UPLOAD_MOVES: dict[UploadState, frozenset[UploadState]] = {
    UploadState.OPEN: frozenset({UploadState.DONE}),
    UploadState.DONE: frozenset(),
}

KIND_LABELS = {
    CameraKind.SKYNET: N_("Skynet camera (天网)"),
    CameraKind.XUELIANG: N_("Xueliang camera (雪亮)"),
    CameraKind.SMART_VILLAGE: N_("Smart village camera"),
    CameraKind.VILLAGE_ROOM: N_("Village video room"),
    CameraKind.SOLDIER: N_("Single-soldier device"),
    CameraKind.DRONE: N_("Drone"),
}
# The words an Excel sheet may use for a kind (the Chinese names officials write).
KIND_WORDS = {
    "天网": CameraKind.SKYNET,
    "雪亮": CameraKind.XUELIANG,
    "雪亮工程": CameraKind.XUELIANG,
    "智慧乡村": CameraKind.SMART_VILLAGE,
    "村级视频室": CameraKind.VILLAGE_ROOM,
    "视频室": CameraKind.VILLAGE_ROOM,
    "单兵": CameraKind.SOLDIER,
    "单兵图传": CameraKind.SOLDIER,
    "无人机": CameraKind.DRONE,
}
STATUS_LABELS = {
    CameraStatus.ONLINE: N_("Online"),
    CameraStatus.OFFLINE: N_("Offline"),
    CameraStatus.FAULT: N_("Fault"),
}
STATUS_WORDS = {"在线": CameraStatus.ONLINE, "离线": CameraStatus.OFFLINE, "故障": CameraStatus.FAULT}
EXCEL_KIND = {
    CameraKind.SKYNET: "天网",
    CameraKind.XUELIANG: "雪亮",
    CameraKind.SMART_VILLAGE: "智慧乡村",
    CameraKind.VILLAGE_ROOM: "村级视频室",
    CameraKind.SOLDIER: "单兵",
    CameraKind.DRONE: "无人机",
}
EXCEL_STATUS = {v: k for k, v in STATUS_WORDS.items()}

DEVICE_ID = re.compile(r"^\d{20}$")
DEFAULT_CATEGORIES = ("front_main", "front_peripheral")


@cache
def gb28181() -> dict:
    return load("video_gb28181.json")


def type_codes() -> dict[str, dict]:
    return {t["code"]: t for t in gb28181()["types"]}


@dataclass(frozen=True)
class IdRules:
    """The deployment's choices where GB/T 28181 leaves them open."""

    categories: tuple[str, ...] = DEFAULT_CATEGORIES  # which type codes a video point may carry
    centre_covers: bool = True  # the centre code's place must contain the camera's place


def id_rules(settings) -> IdRules:
    extra = getattr(settings, "extra", {}) or {}
    cats = tuple(c.strip() for c in str(extra.get("video_type_categories", "")).split(",") if c.strip())
    covers = str(extra.get("video_centre_covers", "1")).strip().lower() not in {"0", "false", "no", "off"}
    return IdRules(cats or DEFAULT_CATEGORIES, covers)


def centre_region(device_id: str) -> str:
    """The division the centre code names, in significant digits (``52060200`` → ``520602``)."""
    region = device_id[:6]
    while len(region) > 2 and region.endswith("00"):
        region = region[:-2]
    return region


def device_type(device_id: str) -> str:
    return device_id[10:13]


def check_device_id(device_id: str, place_code: str | None, rules: IdRules, known_place) -> str | None:
    """None if ``device_id`` is a GB/T 28181 ID acceptable here, else the message id of what is wrong.
    ``known_place(code)`` says whether a division exists."""
    if not DEVICE_ID.match(device_id or ""):
        return N_("A GB/T 28181 device ID is 20 digits.")
    region = centre_region(device_id)
    if not known_place(region):
        return N_("The first 8 digits must be the centre code of a known administrative division.")
    if rules.centre_covers and place_code and not place_code.startswith(region):
        return N_("The centre code (first 8 digits) names a division that does not contain the place.")
    kind = type_codes().get(device_type(device_id))
    if kind is None or kind["category"] not in rules.categories:
        return N_("Digits 11–13 are not a GB/T 28181 type code of a camera or video device.")
    return None


def type_label(device_id: str, locale_zh: bool = True) -> str:
    t = type_codes().get(device_type(device_id))
    if t is None:
        return device_type(device_id)
    return t["zh"] if locale_zh else t["en"]


def place_code(value: str) -> str:
    """A division code in significant form (schemas use it)."""
    return division_codes.normalise(value)
