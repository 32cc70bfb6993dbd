"""What the API and the pages show alike: courses, coverage and overdue rows with their labels and
place names, and the Excel sheets of the overdue list and the publicity events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.org import places
from yingji.org.codes import division_code_12
from yingji.org.sheets import Column, write
from yingji.training import labels, obligations, publicity
from yingji.training.models import TrainingCourse

OVERDUE_COLUMNS = [
    Column("role", "人员类别", "Role", False, 18),
    Column("name", "姓名", "Name", False, 10),
    Column("unit", "单位", "Unit", False, 24),
    Column("place", "所在地", "Place", False, 16),
    Column("code", "区划代码", "Division code", False, 14),
    Column("needed", "应训学时", "Hours needed", False, 10),
    Column("done_hours", "已训学时", "Hours done", False, 10),
    Column("done_count", "参训次数", "Trainings", False, 10),
]
PUBLICITY_COLUMNS = [
    Column("held_on", "日期", "Date", False, 12),
    Column("title", "活动名称", "Title", False, 30),
    Column("target", "类别", "Target", False, 10),
    Column("day", "主题日", "Day", False, 16),
    Column("place", "地点", "Place", False, 20),
    Column("division", "所在地", "Division", False, 16),
    Column("organiser", "组织单位", "Organiser", False, 20),
    Column("audience", "受众人数", "Audience", False, 10),
    Column("materials", "发放资料(份)", "Materials (copies)", False, 12),
]


def course_out(c: TrainingCourse) -> dict:
    audience = [a for a in (c.audience or "").split(",") if a]
    return {
        "id": c.id,
        "title": c.title,
        "mode": c.mode,
        "mode_label": labels.label(labels.MODE, c.mode),
        "hours": c.hours,
        "topics": c.topics,
        "audience": audience,
        "audience_labels": [labels.label(labels.ROLE, a) for a in audience],
        "jurisdiction_code": c.jurisdiction_code,
        "active": c.active,
        "note": c.note,
    }


def coverage_out(data: dict) -> dict:
    for r in data["rows"]:
        r["level_label"] = labels.label(labels.LEVEL, r["level"])
        r["role_label"] = labels.label(labels.ROLE, r["role"])
    return data


def overdue_out(
    session: Session, principal: Principal, year: int, role, within, include_met: bool, page: int, size: int
) -> dict:
    items, total = obligations.overdue(
        session, principal, year, role=role, within=within, include_met=include_met, page=page, size=size
    )
    names = places.names(session, [i["home_code"] for i in items])
    for i in items:
        i["home_name"] = names.get(i["home_code"])
    return {
        "year": year,
        "summary": obligations.summary(session, principal, year, within),
        "items": items,
        "total": total,
        "page": page,
        "size": size,
    }


def overdue_sheet(session: Session, principal: Principal, year: int, role, within) -> bytes:
    items, _ = obligations.overdue(session, principal, year, role=role, within=within, size=10_000)
    names = places.names(session, [i["home_code"] for i in items])
    rows = (
        {
            "role": i["role_label"],
            "name": i["name"],
            "unit": i["unit"],
            "place": names.get(i["home_code"], ""),
            "code": division_code_12(i["home_code"]),
            "needed": i["needed_hours"],
            "done_hours": i["done_hours"],
            "done_count": i["done_count"],
        }
        for i in items
    )
    return write("培训未达标人员", OVERDUE_COLUMNS, rows)


def publicity_sheet(session: Session, principal: Principal, year: int, within) -> bytes:
    events = publicity.every(session, principal, year, within)
    names = places.names(session, [e.jurisdiction_code for e in events])
    rows = (
        {
            "held_on": e.held_on.isoformat(),
            "title": e.title,
            "target": labels.target_label(e.target),
            "day": labels.day_label(e.day),
            "place": e.place,
            "division": names.get(e.jurisdiction_code, ""),
            "organiser": e.organiser,
            "audience": e.audience,
            "materials": e.materials,
        }
        for e in events
    )
    return write("安全宣传活动", PUBLICITY_COLUMNS, rows)
