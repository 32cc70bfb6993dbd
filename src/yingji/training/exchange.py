"""Excel of training: the sign-in sheet of a session (签到表) imported row by row, and the exports (the
training file of a session, the overdue list, publicity events), each download audited.

A sign-in sheet row names a person by mobile (found in the people registry, then among team members)
or by name alone (an outsider); role and 考核结果 are words as offices write them. Every row is checked
first; one bad row and nothing is signed in (the error report names row, column and value). A person
already signed in is updated (hours, result), so the same sheet twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.deadline import paced
from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.org.exchange.common import ImportResult, RowErrors, column, required_present
from yingji.org.models import Person
from yingji.org.schemas import check_mobile
from yingji.org.sheets import Column, read
from yingji.training import labels, sessions
from yingji.training.codes import ParticipantKind, Result, Role, Via
from yingji.training.models import TrainingParticipant
from yingji.training.schemas import ParticipantIn

COLUMNS = [
    Column("name", "姓名", "Name", True, 10),
    Column("mobile", "手机号码", "Mobile", False, 14),
    Column("unit_name", "单位", "Unit", False, 20),
    Column("role", "人员类别", "Role", False, 16),
    Column("hours", "学时", "Hours", False, 8),
    Column("result", "考核结果", "Result", False, 10),
    Column("score", "成绩", "Score", False, 8),
]
SHEET_TITLE = "培训签到表"
RESULT_WORDS = {
    "": Result.PENDING,
    "合格": Result.PASSED,
    "通过": Result.PASSED,
    "passed": Result.PASSED,
    "不合格": Result.FAILED,
    "未通过": Result.FAILED,
    "failed": Result.FAILED,
    "未考核": Result.PENDING,
    "pending": Result.PENDING,
}


def _role_words() -> dict[str, Role]:
    from yingji.core.i18n import translate

    words = {}
    for code, msg in labels.ROLE.items():
        words[translate(msg, "zh_CN")] = Role(code)
        words[msg.lower()] = Role(code)
        words[code] = Role(code)
    # what sign-in sheets say
    words |= {
        "网格员": Role.GRID_WORKER,
        "信息员": Role.INFO_OFFICER,
        "队员": Role.TEAM_MEMBER,
        "其他": Role.OTHER,
    }
    return words


def _number(errors, rownum, col, value: str, high: float) -> float | None:
    try:
        n = float(value)
    except ValueError:
        errors.add(rownum, col, value, "Not a number.")
        return None
    if not (0 <= n <= high):
        errors.add(rownum, col, value, "Write a number from 0 to {high}.", high=high)
        return None
    return n


def import_sheet(session: Session, principal: Principal, data: bytes, *, session_id: int) -> ImportResult:
    """Apply a sign-in sheet to a session in the caller's transaction (all rows or none)."""
    row = sessions.for_update(session, principal, session_id)
    errors = RowErrors()
    words = _role_words()
    plan: list[tuple[int, ParticipantIn | TrainingParticipant, dict]] = []
    seen: dict[str, int] = {}
    # Who is already signed in is found on the session by mobile, else by name and unit (people from
    # the registers and enterprise heads are kept without a mobile of their own), so the session's own
    # file imports back. Two enterprises of one name may have heads of one name: the n-th such row is
    # the n-th signed in.
    signed: dict = {}
    for part in session.scalars(
        select(TrainingParticipant)
        .where(TrainingParticipant.session_id == row.id)
        .order_by(TrainingParticipant.id)
    ):
        signed.setdefault(part.mobile or (part.name, part.unit_name), []).append(part)
    taken: dict = {}
    for rownum, r in paced(read(data, COLUMNS)):
        col = lambda key: column(COLUMNS, key)  # noqa: E731
        if not required_present(errors, rownum, COLUMNS, r):
            continue
        ok = True
        mobile = None
        if r["mobile"]:
            try:
                mobile = check_mobile(r["mobile"])
            except ValueError:
                errors.add(rownum, col("mobile"), r["mobile"], "Not a mobile number.")
                ok = False
        role = words.get((r["role"] or "").strip().lower()) if r["role"] else None
        if r["role"] and role is None:
            errors.add(rownum, col("role"), r["role"], "Unknown role.")
            ok = False
        skey = mobile or (r["name"], r["unit_name"] or None)
        n = taken[skey] = taken.get(skey, -1) + 1
        found = signed.get(skey, [])
        already = found[n] if n < len(found) else None
        if role in sessions.ENTERPRISE_ROLES and already is None:
            errors.add(
                rownum,
                col("role"),
                r["role"],
                "Sign enterprise heads and safety managers in from the enterprise registry.",
            )
            ok = False
        result = RESULT_WORDS.get((r["result"] or "").strip().lower())
        if result is None:
            errors.add(rownum, col("result"), r["result"], "Write 合格, 不合格 or leave it empty.")
            ok = False
        hours = _number(errors, rownum, col("hours"), r["hours"], row.hours or 500) if r["hours"] else None
        score = _number(errors, rownum, col("score"), r["score"], 1000) if r["score"] else None
        if (r["hours"] and hours is None) or (r["score"] and score is None):
            ok = False
        if len(r["name"]) > 60 or len(r["unit_name"] or "") > 200:
            errors.add(rownum, col("name"), r["name"][:40], "Too long.")
            ok = False
        key = mobile or r["name"]
        if already is None and key in seen:
            errors.add(
                rownum, col("name"), r["name"], "The same person is already on row {other}.", other=seen[key]
            )
            ok = False
        if not ok:
            continue
        seen[key] = rownum
        person = session.scalar(select(Person).where(Person.mobile == mobile)) if mobile else None
        common = {
            "role": role,
            "hours": hours,
            "result": result,
            "score": score,
            "unit_name": r["unit_name"] or None,
        }
        if already is not None:
            plan.append((rownum, already, common))
            continue
        if person is not None:
            inp = ParticipantIn(kind=ParticipantKind.PERSON, person_id=person.id, **common)
        else:
            inp = ParticipantIn(kind=ParticipantKind.OUTSIDER, name=r["name"], mobile=mobile, **common)
        plan.append((rownum, inp, common))
    errors.raise_if_any()
    result = ImportResult()
    with session.begin_nested():  # a row refused here undoes the rows signed in before it
        for rownum, inp, common in paced(plan):
            if isinstance(inp, TrainingParticipant):
                part, created = inp, False
            else:
                signed_in = _sign_in(session, principal, row.id, rownum, inp, errors)
                if signed_in is None:
                    continue
                part, created = signed_in
            if created:
                result.created += 1
                continue
            changed = False
            values = (
                ("hours", common["hours"]),
                ("result", common["result"].value),
                ("score", common["score"]),
            )
            for attr, value in values:
                if (
                    value is not None
                    and getattr(part, attr) != value
                    and not (attr == "result" and value == "pending")
                ):
                    setattr(part, attr, value)
                    changed = True
            result.updated += changed
            result.unchanged += not changed
        errors.raise_if_any()
    session.flush()
    return result


def _sign_in(session: Session, principal: Principal, session_id: int, rownum: int, inp, errors):
    try:
        with session.begin_nested():
            return sessions.sign_in(session, principal, session_id, inp, Via.IMPORT)
    except YingjiError as exc:  # a registry entry outside the importer's area, a closed session
        detail = exc.details[0] if exc.details else {"message": exc.message, "params": exc.params}
        errors.add(
            rownum, column(COLUMNS, "name"), inp.name or "", detail["message"], **(detail.get("params") or {})
        )
        return None


def file_rows(session: Session, principal: Principal, session_id: int):
    """The training file of a session as sheet rows."""
    row = sessions.get(session, principal, session_id)
    parts = session.scalars(
        select(TrainingParticipant)
        .where(TrainingParticipant.session_id == row.id)
        .order_by(TrainingParticipant.id)
    )
    for p in parts:
        out = sessions.participant_out(p, principal)
        yield {
            "name": p.name,
            "mobile": out["mobile"],
            "unit_name": p.unit_name,
            "role": out["role_label"],
            "hours": p.hours,
            "result": gettext(labels.RESULT[p.result]),
            "score": p.score,
        }
