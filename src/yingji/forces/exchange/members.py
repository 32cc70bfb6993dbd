"""Members sheet: import keyed by team code and mobile number, export with masking."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_, translate
from yingji.forces import codes
from yingji.forces.access import is_team_leader
from yingji.forces.exchange.common import (
    GENDER_WORDS,
    MEMBERS,
    ROLE_WORDS,
    SQUAD_WORDS,
    certificates_text,
    parse_certificates,
    parse_date,
    word,
)
from yingji.forces.members import recount
from yingji.forces.models import MemberCertificate, Team, TeamMember
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column, required_present
from yingji.org.schemas import check_mobile
from yingji.org.sheets import read


def _member_values(errors: RowErrors, rownum: int, r: dict) -> dict | None:
    start = len(errors.items)
    values: dict = {"name": r["name"]}
    if len(r["name"]) > 60:
        errors.add(rownum, column(MEMBERS, "name"), r["name"][:40], "Too long.")
    try:
        values["mobile"] = check_mobile(r["mobile"])
    except ValueError:
        errors.add(rownum, column(MEMBERS, "mobile"), r["mobile"], "Not a mainland mobile number.")
    if r["gender"] not in GENDER_WORDS:
        errors.add(rownum, column(MEMBERS, "gender"), r["gender"], "Write 男 or 女.")
    values["gender"] = GENDER_WORDS.get(r["gender"])
    values["role"] = word(ROLE_WORDS, r["role"]) if r["role"] else "member"
    if values["role"] is None:
        errors.add(rownum, column(MEMBERS, "role"), r["role"], "Write 队长, 副队长 or 队员.")
    values["squad"] = word(SQUAD_WORDS, r["squad"]) if r["squad"] else None
    if r["squad"] and values["squad"] is None:
        errors.add(rownum, column(MEMBERS, "squad"), r["squad"], "Unknown squad.")
    for key, limit in (("skills", 300), ("note", 2000)):
        if len(r[key]) > limit:
            errors.add(rownum, column(MEMBERS, key), r[key][:40], "Too long.")
        values[key] = r[key] or None
    try:
        values["insurance_until"] = parse_date(r["insurance_until"]) if r["insurance_until"] else None
    except ValueError:
        errors.add(
            rownum, column(MEMBERS, "insurance_until"), r["insurance_until"], "Not a date (write 2027-05-01)."
        )
    try:
        values["certificates"] = parse_certificates(r["certificates"])
    except ValueError:
        errors.add(
            rownum,
            column(MEMBERS, "certificates"),
            r["certificates"][:60],
            "Write certificates as name:2027-05-01; …",
        )
    return values if len(errors.items) == start else None


def import_members(session: Session, principal: Principal, data: bytes) -> ImportResult:
    """Create or update members of teams the principal manages: all rows or none."""
    require(principal, Perm.IMPORT)
    require(principal, Perm.FORCES_MANAGE)
    rows = read(data, MEMBERS)
    errors = RowErrors()
    team_codes = {r["team_code"] for _, r in rows if r["team_code"]}
    teams = {t.code: t for t in session.scalars(select(Team).where(Team.code.in_(team_codes)))}
    repeats = common.Repeats(
        errors, MEMBERS, "mobile", N_("The same mobile number is already on row {other}.")
    )
    leaders: dict[str, int] = {}
    plan: list[tuple[int, Team, dict]] = []
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, MEMBERS, r):
            continue
        team = teams.get(r["team_code"])
        if team is None or not principal.covers(team.jurisdiction_code) or is_team_leader(principal):
            errors.add(rownum, column(MEMBERS, "team_code"), r["team_code"], "Unknown team code.")
            continue
        values = _member_values(errors, rownum, r)
        if values is None:
            continue
        if repeats.seen(rownum, (team.code, values["mobile"]), r["mobile"]):
            continue
        if values["role"] == "leader":
            if team.code in leaders:
                errors.add(
                    rownum,
                    column(MEMBERS, "role"),
                    r["role"],
                    "The team already has a leader on row {other}.",
                    other=leaders[team.code],
                )
                continue
            leaders[team.code] = rownum
        plan.append((rownum, team, values))
    errors.raise_if_any()
    return _apply(session, plan)


def _apply(session: Session, plan: list[tuple[int, Team, dict]]) -> ImportResult:
    result = ImportResult()
    touched: dict[int, Team] = {}
    for team_id in sorted({team.id for _, team, _ in plan}):  # lock in id order: no deadlock between imports
        touched[team_id] = session.get(Team, team_id, with_for_update={"of": Team}, populate_existing=True)
    existing = {
        (m.team_id, m.mobile): m
        for m in session.scalars(select(TeamMember).where(TeamMember.team_id.in_(list(touched))))
    }
    for _rownum, team, values in paced(plan):
        certs = values.pop("certificates")
        member = existing.get((team.id, values["mobile"]))
        if member is None:
            member = TeamMember(
                team_id=team.id, jurisdiction_code=team.jurisdiction_code, available=True, **values
            )
            member.certificates = [_cert(team, n, d) for n, d in certs]
            session.add(member)
            result.created += 1
        else:
            changed = common.update(member, values)
            if _cert_set((c.name, c.expires_on) for c in member.certificates) != _cert_set(certs):
                member.certificates = [_cert(team, n, d) for n, d in certs]
                changed["certificates"] = True
            result.tally(changed)
        if values["role"] == "leader":
            for other in existing.values():
                if other.team_id == team.id and other.role == "leader" and other is not member:
                    other.role = "member"
    session.flush()
    for team in touched.values():
        recount(session, team)
    session.flush()
    return result


def _cert_set(items) -> list[tuple[str, str]]:
    return sorted((name, str(when or "")) for name, when in items)


def _cert(team: Team, name: str, expires_on) -> MemberCertificate:
    return MemberCertificate(
        team_id=team.id, jurisdiction_code=team.jurisdiction_code, name=name, expires_on=expires_on
    )


def _members_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = (
        select(TeamMember, Team.code, Team.name)
        .join(Team, Team.id == TeamMember.team_id)
        .where(in_scope(TeamMember.jurisdiction_code, principal), Team.active)
    )
    if within:
        stmt = stmt.where(TeamMember.jurisdiction_code.startswith(within))
    return stmt


def count_members(session: Session, principal: Principal, within: str | None = None) -> int:
    stmt = _members_query(principal, within).with_only_columns(TeamMember.id)
    return common.count_of(session, stmt)


def export_members(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """Members of the teams in scope (narrowed to ``within``) as sheet rows, numbers masked by role,
    in batches from a server-side cursor."""
    stmt = _members_query(principal, within).order_by(
        TeamMember.jurisdiction_code, TeamMember.team_id, TeamMember.id
    )
    roles = {"leader": "队长", "deputy": "副队长", "member": "队员"}
    return (
        {
            "team_code": team_code,
            "team_name": team_name,
            "name": m.name,
            "gender": {"M": "男", "F": "女"}.get(m.gender or "", ""),
            "mobile": mask_phone(m.mobile, principal),
            "role": roles.get(m.role, m.role),
            "squad": translate(codes.SQUADS[m.squad][0], "zh_CN") if m.squad in codes.SQUADS else "",
            "skills": m.skills,
            "certificates": certificates_text(m.certificates),
            "insurance_until": m.insurance_until.isoformat() if m.insurance_until else "",
            "note": m.note,
        }
        for m, team_code, team_name in session.execute(stmt.execution_options(yield_per=1000))
    )
