"""Build the demo city (Tongren) or province (Guizhou): generate rows in memory, then bulk insert.

``generate`` is pure (no database) so the benchmark can time the same rows through a raw insert;
``write`` puts them into a migrated, empty database in one transaction per table batch.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from yingji import domains
from yingji.auth import audit
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.passwords import demo_password_allowed
from yingji.auth.roles import Role
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.models import Base
from yingji.demo.geometry import TONGREN, Place, county_shapes, rng_for, subdivide
from yingji.demo.names import NameMaker
from yingji.demo.organisation import Ids, OrgMaker
from yingji.org import divisions
from yingji.org.models import Jurisdiction

DEMO_PASSWORD = "Yingji@2026"
MEAN_GROUPS = 6.24  # 1 + Poisson(6.24) ≈ 7.2 groups per village: ~21,000 cells over 2,947 villages
TABLE_ORDER = [
    "jurisdictions",
    "units",
    "people",
    "unit_memberships",
    "responsibilities",
    "positions",
    "grid_cells",
    "grid_assignments",
]

Progress = Callable[[str, int, int], None]


def _quiet(step: str, done: int, total: int) -> None:
    pass


@dataclass
class DemoOptions:
    province: bool = False
    seed: int = 2026
    counties: list[str] | None = None  # build only these counties in detail (tests)
    residents: int | None = None  # resident registry size; None = the residents demo's default


@dataclass
class DemoData:
    tables: dict[str, list[dict]] = field(default_factory=dict)
    refs: dict = field(default_factory=dict)
    top: str = TONGREN

    def count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def _places(options: DemoOptions) -> dict[str, Place]:
    rows = divisions._validated(divisions.read_rows(), None)
    keep = []
    for r in rows:
        code = r["code"]
        if not options.province and not (code == "52" or code.startswith(TONGREN)):
            continue
        if options.counties and len(code) > 6 and code[:6] not in options.counties:
            continue
        keep.append(r)
    return {r["code"]: Place(r["code"], r["name"], r["level"], r["parent_code"]) for r in keep}


def generate(options: DemoOptions, progress: Progress = _quiet) -> DemoData:
    now = clock.now()
    places = _places(options)
    county_shapes(places, options.seed)
    children: dict[str | None, list[Place]] = defaultdict(list)
    for p in sorted(places.values(), key=lambda p: p.code):
        children[p.parent_code].append(p)

    org = OrgMaker(options.seed, now, Ids())
    groups_by_village: dict[str, list[Place]] = {}
    counties = [p for p in places.values() if p.level == "county"]
    counties.sort(key=lambda p: p.code)
    towns_total = sum(len(children[c.code]) for c in counties)
    done = 0
    for top in sorted((p for p in places.values() if p.level in ("province", "city")), key=lambda p: p.code):
        if top.level == "city":
            org.government(top)
    for county in counties:
        org.government(county)
        towns = children[county.code]
        subdivide(county, towns, options.seed)
        for town in towns:
            town_cell = org.town(town)
            villages = children[town.code]
            subdivide(town, villages, options.seed)
            for village in villages:
                rng = rng_for(options.seed, village.code)
                k = 1 + int(min(rng.poisson(MEAN_GROUPS), 20))
                names = NameMaker(rng).group_names(k)
                groups = [
                    Place(f"{village.code}{i:03d}", names[i - 1], "group", village.code)
                    for i in range(1, k + 1)
                ]
                subdivide(village, groups, options.seed, relax=1)
                groups_by_village[village.code] = groups
                village_cell = org.village(village, town_cell)
                for g in groups:
                    org.group(g, village_cell)
            done += 1
            progress("places", done, towns_total)

    jur_rows = [p.row() for p in sorted(places.values(), key=lambda p: p.code)]
    for groups in groups_by_village.values():
        jur_rows += [g.row() for g in groups]
    data = DemoData(top="52" if options.province else TONGREN)
    data.tables = {"jurisdictions": jur_rows} | {
        name: getattr(org.rows, name) for name in TABLE_ORDER if name != "jurisdictions"
    }
    data.refs = org.refs
    return data


def _chunks(rows: list[dict], size: int) -> Iterable[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def is_built(db: Database) -> bool:
    with db.reading() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Jurisdiction).where(Jurisdiction.level == "group")
            )
            > 0
        )


def write(db: Database, data: DemoData, progress: Progress = _quiet, chunk: int = 5000) -> None:
    """Bulk insert into an empty, migrated database, then reset PostgreSQL's id sequences."""
    tables = Base.metadata.tables
    actor = Actor.system("demo")
    total = data.count()
    done = 0
    for name in TABLE_ORDER:
        rows = data.tables.get(name, [])
        for part in _chunks(rows, chunk):
            with db.writing(actor) as session:
                session.execute(insert(tables[name]), part)
            done += len(part)
            progress("write", done, total)
    with db.writing(actor) as session:
        if db.kind == "postgresql":
            for name in TABLE_ORDER[1:]:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
        audit.record(
            session,
            "demo.build",
            "jurisdictions",
            data.top,
            after={k: len(v) for k, v in data.tables.items()},
            note="demo data generated by yingji demo",
        )


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    jurisdiction_code: str
    jurisdiction_name: str
    person_id: int | None


def _first(session: Session, level: str, under: str) -> Jurisdiction:
    return session.scalar(
        select(Jurisdiction)
        .where(Jurisdiction.level == level, Jurisdiction.code.startswith(under))
        .order_by(Jurisdiction.code)
        .limit(1)
    )


def create_logins(db: Database, data: DemoData) -> list[DemoLogin]:
    """One demo user for each role, tied to a real person of the demo where the role has one."""
    refs = data.refs
    with db.writing(Actor.system("demo")) as session:
        county = session.get(Jurisdiction, "520602") or _first(session, "county", TONGREN)
        town = _first(session, "town", county.code)
        village = _first(session, "village", town.code)
        group = _first(session, "group", village.code)
        plan = [
            ("admin", Role.ADMIN, data.top, None),
            ("commander", Role.COMMANDER, TONGREN, refs.get(f"commander:{TONGREN}")),
            ("duty", Role.DUTY_OFFICER, TONGREN, refs.get(f"duty_officer:{TONGREN}")),
            ("staff", Role.DEPARTMENT_STAFF, TONGREN, refs.get(f"staff:{TONGREN}")),
            ("county", Role.COUNTY_OFFICER, county.code, refs.get(f"bureau_deputy:{county.code}")),
            ("town", Role.TOWN_OFFICER, town.code, refs.get("town_officer")),
            ("gridleader", Role.GRID_LEADER, village.code, refs.get("grid_leader")),
            ("gridworker", Role.GRID_WORKER, group.code, refs.get("grid_worker")),
            ("teamleader", Role.TEAM_LEADER, town.code, None),
            ("keeper", Role.WAREHOUSE_KEEPER, town.code, None),
            ("viewer", Role.VIEWER, TONGREN, None),
        ]
        system = Principal.system()
        names = {
            j.code: j.name
            for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_([p[2] for p in plan])))
        }
        logins = []
        for username, role, code, person in plan:
            if session.scalar(select(User.id).where(User.username == username)) is None:
                with demo_password_allowed():  # the one place the published demo password is set
                    auth_service.create_user(
                        session,
                        system,
                        username=username,
                        password=DEMO_PASSWORD,
                        display_name=_display(username, names.get(code, code)),
                        role=role,
                        jurisdiction_code=code,
                        person_id=person,
                    )
            logins.append(DemoLogin(username, role, code, names.get(code, code), person))
    return logins


DEMO_USERNAMES = [
    "admin",
    "commander",
    "duty",
    "staff",
    "county",
    "town",
    "gridleader",
    "gridworker",
    "teamleader",
    "keeper",
    "viewer",
]


def existing_logins(db: Database) -> list[DemoLogin]:
    with db.reading() as session:
        users = {
            u.username: u for u in session.scalars(select(User).where(User.username.in_(DEMO_USERNAMES)))
        }
        return [
            DemoLogin(u.username, u.role, u.jurisdiction_code, u.jurisdiction.name, u.person_id)
            for name in DEMO_USERNAMES
            if (u := users.get(name)) is not None
        ]


def _display(username: str, place: str) -> str:
    words = {
        "admin": "系统管理员",
        "commander": "指挥长",
        "duty": "值班员",
        "staff": "防汛抗旱科",
        "county": "应急管理局",
        "town": "应急管理办公室",
        "gridleader": "网格长",
        "gridworker": "网格员",
        "teamleader": "救援队长",
        "keeper": "仓库管理员",
        "viewer": "只读用户",
    }
    return f"{place}{words.get(username, username)}"


# Each domain adds its demo data (rosters, incident history …) once the organisation exists:
# a module with ``build(db, data, options, progress)``, in the order of yingji/domains.py.
DEMO_EXTRAS = domains.modules("demo")


def build(
    db: Database, options: DemoOptions, progress: Progress = _quiet
) -> tuple[DemoData, list[DemoLogin]]:
    data = generate(options, progress)
    write(db, data, progress)
    logins = create_logins(db, data)
    add_extras(db, data, options, progress)
    return data, logins


# Extras that compute over everything written before them (scorecards, coverage, assessment): on
# PostgreSQL the planner must first see the new rows' statistics. Autovacuum has not analysed tables
# filled seconds ago, and with "1 row" estimates a grouped query over 170,000 training rows ran for
# minutes as nested loops.
ANALYZE_BEFORE = domains.analyze_before()


def analyze(db: Database) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL; SQLite plans without them)."""
    if db.kind != "postgresql":
        return
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def add_extras(db: Database, data: DemoData, options: DemoOptions, progress: Progress = _quiet) -> None:
    for name in DEMO_EXTRAS:
        if name in ANALYZE_BEFORE:
            analyze(db)
        importlib.import_module(name).build(db, data, options, progress)
    analyze(db)
