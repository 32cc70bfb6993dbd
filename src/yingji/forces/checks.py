"""Checks of the forces against the rules: volunteer teams of at least 10 (RULES.md §8, seed 002),
villages without a volunteer team, teams without a leader, certificates and insurance expired or
expiring soon, social forces not registered (备案登记).

Each check is one count query and one limited row query, in the principal's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.i18n import N_
from yingji.forces import codes
from yingji.forces.models import MemberCertificate, Team, TeamMember
from yingji.org import places
from yingji.org.models import Jurisdiction

CHECKS: dict[str, tuple[str, str]] = {
    "few_members": (N_("Volunteer teams with fewer than {min} members"), "red"),
    "village_without_team": (N_("Villages without a volunteer team"), "red"),
    "no_leader": (N_("Teams without a leader"), "red"),
    "certificate_expired": (N_("Expired certificates"), "red"),
    "certificate_expiring": (N_("Certificates expiring within {days} days"), "yellow"),
    "insurance_expired": (N_("Members whose insurance has expired"), "red"),
    "insurance_expiring": (N_("Member insurance expiring within {days} days"), "yellow"),
    "team_insurance_expired": (N_("Social forces without valid group insurance"), "red"),
    "not_registered": (N_("Social forces not registered"), "yellow"),
}


@dataclass
class Finding:
    kind: str
    jurisdiction_code: str
    place: str
    team_id: int | None = None
    team_name: str | None = None
    member_id: int | None = None
    member_name: str | None = None
    what: str | None = None  # certificate name, member count …
    on: date | None = None  # the expiry date


@dataclass
class CheckReport:
    today: date
    days: int
    counts: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def local_today() -> date:
    """Today in Asia/Shanghai (expiry dates are local dates)."""
    return clock.to_local(clock.now()).date()


def _team_scope(stmt: Select, principal: Principal, bounds: tuple[str, str] | None) -> Select:
    stmt = stmt.where(in_scope(Team.jurisdiction_code, principal), Team.active)
    if bounds:
        stmt = stmt.where(Team.jurisdiction_code >= bounds[0], Team.jurisdiction_code < bounds[1])
    return stmt


def _team_rows(stmt: Select) -> Select:
    return stmt.add_columns(Team.id, Team.name, Team.jurisdiction_code, Jurisdiction.name).join(
        Jurisdiction, Jurisdiction.code == Team.jurisdiction_code
    )


def _queries(today: date, days: int, principal: Principal, bounds) -> dict[str, Select]:
    """One row query per check: team columns first, then what the finding is about."""
    soon = today + timedelta(days=days)
    has_leader = exists().where(TeamMember.team_id == Team.id, TeamMember.role == "leader")
    social = [k.code for k in codes.TEAM_KINDS.values() if k.group == "social"]
    member_cols = (TeamMember.id, TeamMember.name)
    certs = (
        select(*member_cols, MemberCertificate.name, MemberCertificate.expires_on)
        .select_from(Team)
        .join(MemberCertificate, MemberCertificate.team_id == Team.id)
        .join(TeamMember, TeamMember.id == MemberCertificate.member_id)
    )
    insured = (
        select(*member_cols, TeamMember.insurance_until)
        .select_from(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
    )
    base = {
        "few_members": select(Team.member_count).where(
            Team.kind.in_(codes.VOLUNTEER_KINDS), Team.member_count < codes.MIN_VOLUNTEER_MEMBERS
        ),
        "no_leader": select(Team.member_count).where(~has_leader),
        "certificate_expired": certs.where(MemberCertificate.expires_on < today),
        "certificate_expiring": certs.where(
            MemberCertificate.expires_on >= today, MemberCertificate.expires_on <= soon
        ),
        "insurance_expired": insured.where(TeamMember.insurance_until < today),
        "insurance_expiring": insured.where(
            TeamMember.insurance_until >= today, TeamMember.insurance_until <= soon
        ),
        "team_insurance_expired": select(Team.insurance_until).where(
            Team.kind.in_(social), or_(Team.insurance_until.is_(None), Team.insurance_until < today)
        ),
        "not_registered": select(Team.registration_no).where(
            Team.kind.in_(social), or_(Team.registration_no.is_(None), Team.registration_no == "")
        ),
    }
    return {k: _team_scope(q, principal, bounds) for k, q in base.items()}


def _villages_without_team(principal: Principal, bounds) -> Select:
    has_team = exists().where(
        Team.jurisdiction_code == Jurisdiction.code, Team.kind == "village_volunteer", Team.active
    )
    stmt = select(Jurisdiction.code, Jurisdiction.name).where(
        Jurisdiction.level == "village", ~has_team, in_scope(Jurisdiction.code, principal)
    )
    if bounds:
        stmt = stmt.where(and_(Jurisdiction.code >= bounds[0], Jurisdiction.code < bounds[1]))
    return stmt


def _finding(kind: str, row) -> Finding:
    values = tuple(row)
    head, tail = values[:-4], values[-4:]
    team_id, team_name, code, place = tail
    f = Finding(kind, code, place, team_id, team_name)
    if kind in ("few_members", "no_leader"):
        f.what = str(head[0])
    elif kind.startswith("certificate"):
        f.member_id, f.member_name, f.what, f.on = head
    elif kind.startswith("insurance"):
        f.member_id, f.member_name, f.on = head
    elif kind == "team_insurance_expired":
        f.on = head[0]
    return f


def run(
    session: Session,
    principal: Principal,
    *,
    within: str | None = None,
    days: int = codes.EXPIRY_WARNING_DAYS,
    only: str | None = None,
    limit: int = 100,
) -> CheckReport:
    """Every check (or ``only`` one) in scope, narrowed to ``within``: counts and the first rows."""
    bounds = places.within(session, principal, within) if within else None
    report = CheckReport(today=local_today(), days=days)
    queries = _queries(report.today, days, principal, bounds)
    for kind in CHECKS:
        if only and kind != only:
            continue
        if kind == "village_without_team":
            stmt = _villages_without_team(principal, bounds)
            report.counts[kind] = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.execute(stmt.order_by(Jurisdiction.code).limit(limit)).all()
            report.items[kind] = [Finding(kind, code, name) for code, name in rows]
            continue
        stmt = queries[kind]
        report.counts[kind] = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.execute(_team_rows(stmt).order_by(Team.jurisdiction_code, Team.id).limit(limit)).all()
        report.items[kind] = [_finding(kind, r) for r in rows]
    return report


def owner_level(code: str) -> str:
    """The level that looks after a team at ``code``: villages' teams belong to their town."""
    return code[:9] if len(code) >= 12 else code


def places_with_findings(
    session: Session, days: int = codes.EXPIRY_WARNING_DAYS
) -> dict[str, dict[str, int]]:
    """Counts per owning level and check, over everything (for the periodic warning job)."""
    from yingji.auth.scope import Principal as P

    system = P.system(what="forces.checks")
    today = local_today()
    out: dict[str, dict[str, int]] = {}
    queries = _queries(today, days, system, None)
    for kind, stmt in queries.items():
        codes_found = session.scalars(stmt.with_only_columns(Team.jurisdiction_code))
        for code in codes_found:
            per = out.setdefault(owner_level(code), {})
            per[kind] = per.get(kind, 0) + 1
    for code in session.scalars(_villages_without_team(system, None).with_only_columns(Jurisdiction.code)):
        per = out.setdefault(owner_level(code), {})
        per["village_without_team"] = per.get("village_without_team", 0) + 1
    return out
