"""Code tables of training and publicity (RULES2 §13), each transition table beside its enum. The
obligations per role (hours, intervals, sources) and the publicity targets and national days are rule
data: ``rules/training_obligations.json`` and ``rules/publicity_calendar.json``."""

from __future__ import annotations

from enum import StrEnum


class CourseMode(StrEnum):
    ONLINE = "online"  # 线上
    OFFLINE = "offline"  # 线下 (classroom, 专题辅导)
    DRILL = "drill"  # 以练代训: training by a drill


class SessionState(StrEnum):
    PLANNED = "planned"
    HELD = "held"  # counted in person-times and in sessions_held
    CANCELLED = "cancelled"


# A planned session becomes held at its first sign-in (or by hand); a held one is never "unheld":
# its participants are the training file (安全生产法 第二十八条).
SESSION_MOVES: dict[SessionState, frozenset[SessionState]] = {
    SessionState.PLANNED: frozenset({SessionState.HELD, SessionState.CANCELLED}),
    SessionState.HELD: frozenset(),
    SessionState.CANCELLED: frozenset({SessionState.PLANNED}),
}


class ParticipantKind(StrEnum):
    """Where a participant comes from."""

    PERSON = "person"  # org people (staff of units, grid workers)
    MEMBER = "member"  # forces team member
    ENTERPRISE = "enterprise"  # an enterprise's head or safety manager (risk enterprises)
    OFFICER = "officer"  # 灾害信息员 (damage officers)
    OUTSIDER = "outsider"  # a named person not in any registry


class Role(StrEnum):
    """The role a participant is trained as: coverage is counted per role, obligations are per role
    (rules/training_obligations.json says which roles carry one)."""

    TOWN_STAFF = "town_staff"  # 乡镇应急工作人员
    VILLAGE_STAFF = "village_staff"  # 村(居)委会应急工作人员
    INFO_OFFICER = "info_officer"  # 灾害信息员
    ENTERPRISE_HEAD = "enterprise_head"  # 主要负责人
    SAFETY_MANAGER = "safety_manager"  # 安全生产管理人员
    TEAM_MEMBER = "team_member"  # 救援队员
    GRID_WORKER = "grid_worker"  # 网格员
    OFFICIAL = "official"  # 领导干部 / 机关工作人员
    OTHER = "other"


class Result(StrEnum):
    """考核结果 (安全生产法 第二十八条: the training file records it)."""

    PENDING = "pending"  # not assessed (yet)
    PASSED = "passed"
    FAILED = "failed"  # does not count towards an obligation


RESULT_MOVES: dict[Result, frozenset[Result]] = {
    Result.PENDING: frozenset({Result.PASSED, Result.FAILED}),
    Result.PASSED: frozenset({Result.FAILED}),
    Result.FAILED: frozenset({Result.PASSED}),
}


class Via(StrEnum):
    DESK = "desk"
    PHONE = "phone"  # 扫码/手机签到
    IMPORT = "import"  # Excel sign-in sheet
