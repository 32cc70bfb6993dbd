"""Teams sheet: import keyed by team code, export in scope."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core import clock
from yingji.core.deadline import paced
from yingji.core.i18n import N_, translate
from yingji.forces import codes
from yingji.forces.exchange.common import (
    GRADE_WORDS,
    KIND_WORDS,
    TEAMS,
    capability_labels,
    parse_capabilities,
    parse_date,
    word,
)
from yingji.forces.models import ReadinessChange, Team
from yingji.org.codes import division_code_12
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column, required_present
from yingji.org.models import Jurisdiction
from yingji.org.sheets import read

TEXT_LIMITS = {"name": 120, "address": 200, "organisation": 120, "duty_phone": 30, "registration_no": 60}
TEXT_LIMITS |= {"registered_with": 120, "note": 2000}
DATES = ("registered_on", "insurance_until")


def _number(errors: RowErrors, rownum: int, key: str, value: str, low: float, high: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not (low <= number <= high):
        errors.add(rownum, column(TEAMS, key), value, "Not a coordinate in China.")
        return None
    return number


def _row_values(session, principal, errors: RowErrors, rownum: int, r: dict) -> dict | None:
    """The team's values from one row, or None after adding the row's errors."""
    start = len(errors.items)
    code = r["code"]
    if len(code) > 60 or not all(ch.isalnum() or ch in "_.:-" for ch in code) or not code.isascii():
        errors.add(rownum, column(TEAMS, "code"), code, "Letters, digits and _ . : - only.")
    kind = word(KIND_WORDS, r["kind"])
    if kind is None:
        errors.add(rownum, column(TEAMS, "kind"), r["kind"], "Unknown team kind.")
    place = common.row_place(session, principal, errors, rownum, TEAMS, r, Perm.FORCES_MANAGE)
    values: dict = {"code": code, "kind": kind, "jurisdiction_code": place}
    common.too_long(errors, rownum, TEAMS, r, TEXT_LIMITS)
    values |= {key: r[key] or None for key in TEXT_LIMITS}
    values["name"] = r["name"]
    values["lon"] = _number(errors, rownum, "lon", r["lon"], 70, 140)
    values["lat"] = _number(errors, rownum, "lat", r["lat"], 0, 60)
    caps, unknown = parse_capabilities(r["capabilities"])
    if unknown:
        errors.add(rownum, column(TEAMS, "capabilities"), "、".join(unknown), "Unknown capability.")
    values["capabilities"] = caps if r["capabilities"] else None
    for key in DATES:
        try:
            values[key] = parse_date(r[key]) if r[key] else None
        except ValueError:
            errors.add(rownum, column(TEAMS, key), r[key], "Not a date (write 2027-05-01).")
    grade = word(GRADE_WORDS, r["capability_grade"]) if r["capability_grade"] else None
    if r["capability_grade"] and grade is None:
        errors.add(
            rownum, column(TEAMS, "capability_grade"), r["capability_grade"], "Write 轻型, 中型 or 重型."
        )
    values["capability_grade"] = grade
    return values if len(errors.items) == start else None


def import_teams(session: Session, principal: Principal, data: bytes) -> ImportResult:
    """Create or update teams from a sheet: all rows or none."""
    require(principal, Perm.IMPORT)
    require(principal, Perm.FORCES_MANAGE)
    rows = read(data, TEAMS)
    errors = RowErrors()
    plan: list[tuple[int, dict]] = []
    repeats = common.Repeats(errors, TEAMS, "code", N_("The same code is already on row {other}."))
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, TEAMS, r) or repeats.seen(rownum, r["code"], r["code"]):
            continue
        values = _row_values(session, principal, errors, rownum, r)
        if values is not None:
            plan.append((rownum, values))
    existing = {
        t.code: t for t in session.scalars(select(Team).where(Team.code.in_([v["code"] for _, v in plan])))
    }
    held = ((rownum, v["code"], existing.get(v["code"])) for rownum, v in plan)
    at, message = column(TEAMS, "code"), N_("The team code {code} is already taken.")
    common.refuse_held(errors, principal, at, message, held)
    errors.raise_if_any()
    return _apply(session, plan, existing)


def _apply(session: Session, plan: list[tuple[int, dict]], existing: dict[str, Team]) -> ImportResult:
    result = ImportResult()
    actor, now = actor_of(session), clock.now()
    for _rownum, values in paced(plan):
        caps = values.pop("capabilities")
        team = existing.get(values["code"])
        if team is None:
            if values["lon"] is None or values["lat"] is None:
                place = session.get(Jurisdiction, values["jurisdiction_code"])
                values["lon"], values["lat"] = place.lon, place.lat
            if caps is None:
                caps = list(codes.TEAM_KINDS[values["kind"]].capabilities)
            team = Team(
                **values, capabilities=codes.join_codes(caps), readiness="on_call", readiness_since=now
            )
            team.member_count, team.active = 0, True
            session.add(team)
            session.flush()
            session.add(
                ReadinessChange(
                    team_id=team.id,
                    jurisdiction_code=team.jurisdiction_code,
                    at=now,
                    to_state="on_call",
                    actor=actor.name,
                    actor_id=actor.user_id,
                )
            )
            result.created += 1
            continue
        if caps is not None:
            values["capabilities"] = codes.join_codes(caps)
        for key in ("lon", "lat"):
            if values[key] is None:
                values.pop(key)
        result.tally(common.update(team, values))
    session.flush()
    return result


def _teams_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = select(Team).where(in_scope(Team.jurisdiction_code, principal), Team.active)
    if within:
        stmt = stmt.where(Team.jurisdiction_code.startswith(within))
    return stmt


def count_teams(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _teams_query(principal, within))


def export_teams(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """Every active team in scope (narrowed to ``within``) as sheet rows, in batches from a
    server-side cursor."""
    stmt = _teams_query(principal, within).order_by(Team.jurisdiction_code, Team.id)
    return (_team_row(t, principal) for t in session.scalars(stmt.execution_options(yield_per=500)))


def _team_row(t: Team, principal: Principal) -> dict:
    return {
        "code": t.code,
        "name": t.name,
        "kind": translate(codes.TEAM_KINDS[t.kind].label, "zh_CN") if t.kind in codes.TEAM_KINDS else t.kind,
        "jurisdiction_code": division_code_12(t.jurisdiction_code),
        "jurisdiction_name": t.jurisdiction.name if t.jurisdiction else "",
        "lon": t.lon,
        "lat": t.lat,
        "address": t.address,
        "organisation": t.organisation,
        "duty_phone": mask_phone(t.duty_phone, principal),
        "capabilities": capability_labels(t.capabilities),
        "readiness": translate(codes.READINESS.get(t.readiness, t.readiness), "zh_CN"),
        "member_count": t.member_count,
        "registration_no": t.registration_no,
        "registered_on": t.registered_on.isoformat() if t.registered_on else "",
        "registered_with": t.registered_with,
        "capability_grade": {"light": "轻型", "medium": "中型", "heavy": "重型"}.get(
            t.capability_grade or "", ""
        ),
        "insurance_until": t.insurance_until.isoformat() if t.insurance_until else "",
        "note": t.note,
    }
