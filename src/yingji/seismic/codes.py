"""Code tables of the seismic registry (RULES2 §14): roles, observation points, report kinds and the
report's states (transition table beside its enum). Chinese words are what registry sheets use."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class SeismicRole(StrEnum):
    ASSISTANT = "assistant"  # 防震减灾助理员 (one per town: a local pattern, a setting)
    MACRO_OBSERVER = "macro_observer"  # 宏观测报员 (keeps an observation point)
    REPORTER = "reporter"  # 灾情速报员 (one per village: a local pattern, a setting)


ROLE_LABELS = {
    SeismicRole.ASSISTANT: N_("Earthquake assistant"),
    SeismicRole.MACRO_OBSERVER: N_("Macro-anomaly observer"),
    SeismicRole.REPORTER: N_("Rapid damage reporter"),
}
ROLE_WORDS = {"助理员": SeismicRole.ASSISTANT, "防震减灾助理员": SeismicRole.ASSISTANT}
ROLE_WORDS |= {"宏观测报员": SeismicRole.MACRO_OBSERVER, "测报员": SeismicRole.MACRO_OBSERVER}
ROLE_WORDS |= {"灾情速报员": SeismicRole.REPORTER, "速报员": SeismicRole.REPORTER}
ROLE_ZH = {
    SeismicRole.ASSISTANT: "防震减灾助理员",
    SeismicRole.MACRO_OBSERVER: "宏观测报员",
    SeismicRole.REPORTER: "灾情速报员",
}
# where each role may serve: the assistant is the town's; observers and reporters town or village
ROLE_LEVELS = {
    SeismicRole.ASSISTANT: frozenset({"town"}),
    SeismicRole.MACRO_OBSERVER: frozenset({"town", "village"}),
    SeismicRole.REPORTER: frozenset({"town", "village"}),
}


class PointType(StrEnum):
    WELL = "well"  # 水井
    SPRING = "spring"  # 泉水
    FISH_POND = "fish_pond"  # 鱼塘
    LIVESTOCK = "livestock"  # 家禽家畜
    WILD_ANIMAL = "wild_animal"  # 动物(蛇、鼠等)
    PLANT = "plant"  # 植物
    OTHER = "other"


POINT_LABELS = {
    PointType.WELL: N_("Well"),
    PointType.SPRING: N_("Spring"),
    PointType.FISH_POND: N_("Fish pond"),
    PointType.LIVESTOCK: N_("Livestock and poultry"),
    PointType.WILD_ANIMAL: N_("Wild animals"),
    PointType.PLANT: N_("Plants"),
    PointType.OTHER: N_("Other"),
}
POINT_ZH = {
    PointType.WELL: "水井",
    PointType.SPRING: "泉水",
    PointType.FISH_POND: "鱼塘",
    PointType.LIVESTOCK: "家禽家畜",
    PointType.WILD_ANIMAL: "动物",
    PointType.PLANT: "植物",
    PointType.OTHER: "其他",
}
POINT_WORDS = {v: k for k, v in POINT_ZH.items()} | {"井": PointType.WELL, "泉": PointType.SPRING}


class ReportKind(StrEnum):
    QUICK = "quick"  # 灾情速报 after a felt earthquake
    ANOMALY = "anomaly"  # 宏观异常 seen, reported at once
    MONTHLY = "monthly"  # 宏观观测月报 (by the 4th/5th of the next month, local)


KIND_LABELS = {
    ReportKind.QUICK: N_("Rapid damage report"),
    ReportKind.ANOMALY: N_("Macro anomaly"),
    ReportKind.MONTHLY: N_("Monthly observation report"),
}


class ReportState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # read and taken by the earthquake office
    RETURNED = "returned"  # sent back to be completed


REPORT_MOVES: dict[ReportState, frozenset[ReportState]] = {
    ReportState.SUBMITTED: frozenset({ReportState.ACCEPTED, ReportState.RETURNED}),
    ReportState.RETURNED: frozenset({ReportState.SUBMITTED}),
    ReportState.ACCEPTED: frozenset(),
}

STATE_LABELS = {
    ReportState.SUBMITTED: N_("Submitted"),
    ReportState.ACCEPTED: N_("Accepted"),
    ReportState.RETURNED: N_("Returned"),
}
