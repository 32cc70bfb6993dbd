"""Excel import and export of rosters (排班表), and export of the month calendar and of the
routine-report summary.

The roster sheet lists rotations: one row per person, in turn order, with the role and the date
the rotation starts. Every row is checked first; any bad row rejects the whole file with the
row-by-row errors (nothing is half-imported). A clean file replaces, for each role and start
date it names, that rotation — in one transaction, each change audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, mask_phone, writable
from yingji.core.deadline import paced
from yingji.core.errors import NotFound
from yingji.core.i18n import N_, translate
from yingji.duty import rosters
from yingji.duty.common import LEVEL_LABELS, REPORT_KIND_LABELS, REPORT_STATUS_LABELS, ROLE_LABELS
from yingji.duty.models import Roster, Rotation
from yingji.duty.oncall import Shift
from yingji.duty.routine import DaySummary
from yingji.duty.schemas import RotationIn
from yingji.files import kinds
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column, label_lookup, mobile_or_none
from yingji.org.models import Person
from yingji.org.names import PlaceIndex
from yingji.org.sheets import Column, read, write

ROSTER = [
    Column("role", "角色", "Role", True, 12),
    Column("seq", "顺序", "Order", False, 8),
    Column("name", "姓名", "Name", False, 10),
    Column("mobile", "手机号", "Mobile", True, 14),
    Column("starts_on", "起始日期", "Start date", True, 12),
    Column("days_per_turn", "每人连续天数", "Days per turn", False, 12),
    Column("per_shift", "每班人数", "People per shift", False, 10),
]
CALENDAR = [
    Column("day", "日期", "Date", False, 12),
    Column("weekday", "星期", "Weekday", False, 8),
    Column("leader", "带班领导", "Leader on duty", False, 20),
    Column("officers", "值班员", "Duty officers", False, 26),
    Column("backups", "备班", "Backups", False, 20),
    Column("away", "请假外出", "On leave", False, 24),
    Column("gaps", "缺岗", "Gaps", False, 12),
]
SUMMARY = [
    Column("code", "区划代码", "Division code", False, 14),
    Column("name", "名称", "Name", False, 18),
    Column("level", "层级", "Level", False, 8),
    Column("slot", "时段", "Period", False, 6),
    Column("deadline", "截止时间", "Deadline", False, 17),
    Column("status", "状态", "Status", False, 10),
    Column("submitted_at", "报送时间", "Sent at", False, 17),
    Column("kind", "类型", "Kind", False, 10),
    Column("submitted_by", "报送人", "Sent by", False, 16),
    Column("summary", "内容", "Content", False, 50),
]
WEEKDAYS_ZH = "一二三四五六日"


def _small_int(text: str, low: int, high: int) -> int | None:
    if not text:
        return None
    try:
        value = int(float(text))
    except ValueError:
        return -1
    return value if low <= value <= high else -1


@dataclass
class _Row:
    rownum: int
    role: str
    seq: float
    person_id: int
    starts_on: date
    days_per_turn: int | None
    per_shift: int | None


def _check_row(rownum: int, r: dict, errors: RowErrors, roles: dict, people: dict, principal) -> _Row | None:
    role = roles.get(r["role"])
    if role is None:
        errors.add(rownum, column(ROSTER, "role"), r["role"], "Write 带班领导, 值班员 or 备班.")
        return None
    mobile = mobile_or_none(r["mobile"])
    person = people.get(mobile) if mobile else None
    if mobile is None:
        errors.add(rownum, column(ROSTER, "mobile"), r["mobile"], "Not a mainland mobile number.")
        return None
    if person is None or not person.active or not principal.covers(person.jurisdiction_code):
        errors.add(rownum, column(ROSTER, "mobile"), r["mobile"], "No person with this mobile number.")
        return None
    if r["name"] and r["name"] != person.name:
        errors.add(rownum, column(ROSTER, "name"), r["name"], "The name does not match this mobile number.")
        return None
    starts_on = common.written_date(r["starts_on"])
    if starts_on is None:
        errors.add(rownum, column(ROSTER, "starts_on"), r["starts_on"], "Not a date (YYYY-MM-DD).")
        return None
    seq = _small_int(r["seq"], 0, 10_000)
    days = _small_int(r["days_per_turn"], 1, 31)
    per_shift = _small_int(r["per_shift"], 1, 20)
    for key, value in (("seq", seq), ("days_per_turn", days), ("per_shift", per_shift)):
        if value == -1:
            errors.add(rownum, column(ROSTER, key), r[key], "Not a number in the allowed range.")
            return None
    return _Row(rownum, role, seq if seq is not None else rownum, person.id, starts_on, days, per_shift)


def import_roster(session: Session, principal: Principal, roster_id: int, data: bytes) -> ImportResult:
    """Replace the rotations the sheet names: all rows or none."""
    roster = session.get(Roster, roster_id)
    if roster is None:
        raise NotFound()
    writable(principal, roster.jurisdiction_code, Perm.DUTY_MANAGE)
    rows = read(data, ROSTER)
    errors = RowErrors()
    roles = label_lookup(ROLE_LABELS) | {"值班领导": "leader", "带班": "leader", "备班人员": "backup"}
    mobiles = {m for _, r in rows if (m := mobile_or_none(r["mobile"]))}
    people = {p.mobile: p for p in session.scalars(select(Person).where(Person.mobile.in_(mobiles)))}
    groups: dict[tuple[str, date], list[_Row]] = defaultdict(list)
    for rownum, r in paced(rows):
        row = _check_row(rownum, r, errors, roles, people, principal)
        if row is None:
            continue
        group = groups[(row.role, row.starts_on)]
        if any(g.person_id == row.person_id for g in group):
            errors.add(
                rownum, column(ROSTER, "mobile"), r["mobile"], "This person is already in this rotation."
            )
            continue
        for key in ("days_per_turn", "per_shift"):
            others = {getattr(g, key) for g in group if getattr(g, key) is not None}
            if getattr(row, key) is not None and others and others != {getattr(row, key)}:
                errors.add(rownum, column(ROSTER, key), r[key], "Rows of one rotation must agree on this.")
        group.append(row)
    if not rows:
        errors.add(2, column(ROSTER, "role"), "", "The sheet has no rows.")
    errors.raise_if_any()

    result = ImportResult()
    existing = {(r.role, r.starts_on): r for r in roster.rotations}
    for (role, starts_on), group in sorted(groups.items()):
        group.sort(key=lambda g: (g.seq, g.rownum))
        spec = RotationIn(
            role=role,
            starts_on=starts_on,
            members=[g.person_id for g in group],
            days_per_turn=next((g.days_per_turn for g in group if g.days_per_turn), 1),
            per_shift=next((g.per_shift for g in group if g.per_shift), 1),
        )
        before: Rotation | None = existing.get((role, starts_on))
        same = before is not None and (
            list(before.members),
            before.days_per_turn,
            before.per_shift,
        ) == (spec.members, spec.days_per_turn, spec.per_shift)
        if same:
            result.unchanged += 1
            continue
        rosters.set_rotation(session, principal, roster.id, spec)
        if before is None:
            result.created += 1
        else:
            result.updated += 1
    return result


def export_roster(session: Session, principal: Principal, roster: Roster, locale: str) -> bytes:
    """The roster's rotations in the import layout (phones masked for roles that need it)."""
    ids = {pid for r in roster.rotations for pid in r.members}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}
    rows = []
    for r in sorted(
        roster.rotations, key=lambda r: (r.starts_on, ("leader", "officer", "backup").index(r.role))
    ):
        for seq, pid in enumerate(r.members, start=1):
            p = people.get(pid)
            rows.append(
                {
                    "role": translate(ROLE_LABELS[r.role], locale),
                    "seq": seq,
                    "name": p.name if p else "",
                    "mobile": mask_phone(p.mobile, principal) if p else "",
                    "starts_on": r.starts_on.isoformat(),
                    "days_per_turn": r.days_per_turn,
                    "per_shift": r.per_shift,
                }
            )
    return write("排班表" if locale != "en" else "Roster", ROSTER, rows, locale)


def _names(people, principal) -> str:
    return "、".join(p.name + (f"({mask_phone(p.mobile, principal)})" if p.mobile else "") for p in people)


def export_calendar(shifts: list[Shift], principal: Principal, title: str, locale: str) -> bytes:
    """A month of shifts as a sheet to print or pass on."""
    rows = []
    for s in shifts:
        rows.append(
            {
                "day": s.day.isoformat(),
                "weekday": ("周" + WEEKDAYS_ZH[s.day.weekday()]) if locale != "en" else s.day.strftime("%a"),
                "leader": _names(s.leaders, principal),
                "officers": _names(s.officers, principal),
                "backups": _names(s.backups, principal),
                "away": "、".join(f"{a.person.name}({a.destination})" for a in s.away),
                "gaps": "、".join(translate(ROLE_LABELS[g], locale) for g in s.gaps),
            }
        )
    return write(title, CALENDAR, rows, locale)


def export_summary(summary: DaySummary, locale: str, paths: PlaceIndex | None = None) -> bytes:
    """Who reported, late or missing on a day, one row per place and period (the place as its
    path, 县 · 镇, when ``paths`` is given)."""
    from yingji.duty.rotation import to_local_text

    rows = []
    for r in summary.rows:
        for s in r.slots or []:
            rep = s.report
            rows.append(
                {
                    "code": r.code.ljust(12, "0"),
                    "name": paths.short_path(r.code) if paths and r.code in paths.places else r.name,
                    "level": translate(LEVEL_LABELS[r.level], locale),
                    "slot": s.slot.slot + 1,
                    "deadline": to_local_text(s.slot.deadline_at),
                    "status": translate(REPORT_STATUS_LABELS[s.status], locale),
                    "submitted_at": to_local_text(rep.submitted_at) if rep else "",
                    "kind": translate(REPORT_KIND_LABELS[rep.kind], locale) if rep else "",
                    "submitted_by": rep.submitted_by if rep else "",
                    "summary": (rep.summary or "") if rep else "",
                }
            )
    return write(f"报送情况{summary.day.isoformat()}" if locale != "en" else "Reports", SUMMARY, rows, locale)


def _import_roster_job(session: Session, principal: Principal, data: bytes, roster_id: int) -> ImportResult:
    return import_roster(session, principal, roster_id, data)


def _may_import(session: Session, principal: Principal, roster_id: int) -> None:
    roster = rosters.get(session, principal, roster_id)
    writable(principal, roster.jurisdiction_code, Perm.DUTY_MANAGE)


kinds.import_(
    kinds.ImportKind(
        name="duty_rosters",
        label=N_("Duty roster"),
        entity="duty_rosters",
        run=_import_roster_job,
        check=_may_import,
        entity_id=lambda params: params.get("roster_id"),
    )
)
