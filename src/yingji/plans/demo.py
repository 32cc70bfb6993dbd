"""The demo plan registry of the city: a 专项 plan for every special HQ (its HQ, lead and member
units from the HQ's memberships, event categories of its topic), an 总体 plan for the city and each
county, a 乡镇(街道) plan for every town (its emergency committee as HQ), and a share of 部门,
村(社区) and enterprise plans — some missing on purpose, so coverage has gaps. Issue dates spread
over the last years: most plans are published and filed, some recent ones still wait for filing
or publication, some old ones wait for their evaluation, so some clocks are overdue. Everything is
bulk-inserted (the test suite builds the demo); the audit log gets one summary entry."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
from sqlalchemy import or_, select, update

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction, Unit, UnitMembership
from yingji.plans import clocks as plan_clocks
from yingji.plans import demo_rows
from yingji.plans.calendar import Calendar, add_years
from yingji.plans.codes import DraftStage, FilingState, PlanState, VersionStatus
from yingji.plans.labels import receiver_name, route_of, signatories_of
from yingji.plans.lifecycle import receiver_code
from yingji.plans.models import Plan, PlanClock, PlanEvent, PlanFiling, PlanMember, PlanVersion
from yingji.plans.registry import ENTERPRISE_KINDS
from yingji.risk.models import Enterprise
from yingji.risk.tables import high_risk_industries

TOPIC_CATEGORIES = {
    "coal_mine": ["accident.production"],
    "non_coal_mine": ["accident.production"],
    "hazardous_chemicals": ["accident.production", "accident.environment"],
    "power_outage": ["accident.public_facilities"],
    "gas_water": ["accident.public_facilities"],
    "relief": ["natural.flood_drought", "natural.geological", "natural.earthquake", "natural.meteorological"],
    "public_health": ["health.infectious", "health.unexplained_illness", "health.other"],
}
ALL_NATURAL = ["natural.flood_drought", "natural.meteorological", "natural.geological", "natural.forest_fire"]
DEPARTMENT_SHARE = 0.6  # county member units with their own 部门 plan
VILLAGE_SHARE = 0.7  # villages with a plan
ENTERPRISE_SHARE = 0.75  # enterprises with a comprehensive plan
ACTOR = "系统(演示数据)"


def _topic_categories(topic: str | None) -> list[str]:
    from yingji.rules.grading import categories

    if topic in TOPIC_CATEGORIES:
        return TOPIC_CATEGORIES[topic]
    got = [
        s["code"] for c in categories()["categories"] for s in c["subcategories"] if s.get("topic") == topic
    ]
    return got or ["accident.other"]


class Maker:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = np.random.default_rng([seed, 12])
        self.today = today
        self.plans: list[dict] = []
        self.members: dict[str, list[tuple[int, str]]] = {}
        self.parent_code: dict[str, str] = {}
        self.serial: dict[str, int] = defaultdict(int)

    def issue_date(self, first_year: int) -> date:
        start = date(first_year, 1, 1)
        span = (self.today - timedelta(days=3) - start).days
        return start + timedelta(days=int(self.rng.integers(0, max(span, 1))))

    def add(
        self,
        place,
        kind: str,
        title: str,
        issuer: str,
        *,
        first_year: int,
        hq=None,
        lead=None,
        cats=(),
        enterprise=None,
        parent=None,
        draft_p: float = 0.0,
        members=(),
    ) -> str:
        short = {"special": "ZX", "overall": "ZT", "township": "XZ", "village": "CJ", "department": "BM"}
        prefix = short.get(kind, "QY")
        self.serial[(place.code, prefix)] += 1
        code = f"YA-{place.code}-{prefix}-{self.serial[(place.code, prefix)]:03d}"
        row = {
            "code": code,
            "title": title,
            "kind": kind,
            "jurisdiction_code": place.code,
            "issuer": issuer,
            "issuer_unit_id": None,
            "lead_unit_id": lead,
            "hq_unit_id": hq,
            "enterprise_id": enterprise,
            "event_categories": list(cats),
            "parent_id": None,
            "state": PlanState.DRAFTING,
            "version_no": 1,
            "doc_number": None,
            "issued_on": None,
            "published_on": None,
            "filed_on": None,
            "evaluated_on": None,
            "note": None,
        }
        if self.rng.random() >= draft_p:
            self._in_force(row, place, first_year)
        else:
            row["state"] = str(self.rng.choice([PlanState.DRAFTING, PlanState.REVIEW, PlanState.APPROVAL]))
        self.plans.append(row)
        self.members[code] = list(members)
        if parent:
            self.parent_code[code] = parent
        return code

    def _in_force(self, row: dict, place, first_year: int) -> None:
        rng, today = self.rng, self.today
        issued = self.issue_date(first_year)
        row["issued_on"] = issued
        row["doc_number"] = f"{place.name[:2]}府办发〔{issued.year}〕{int(rng.integers(1, 120))}号"
        age = (today - issued).days
        fate = rng.random()
        if age > 45 and fate < 0.82:  # published and filed, mostly in time, some late
            row["published_on"] = issued + timedelta(days=int(rng.integers(3, 25)))
            row["filed_on"] = issued + timedelta(days=int(rng.integers(8, 27 if rng.random() < 0.9 else 60)))
            row["state"] = PlanState.FILED
        elif age > 45 and fate < 0.92:  # published, never filed: the filing clock is overdue
            row["published_on"] = issued + timedelta(days=int(rng.integers(3, 25)))
            row["state"] = PlanState.PUBLISHED
        else:
            row["state"] = PlanState.ISSUED
        if row["state"] == PlanState.FILED and age > 3 * 365 and rng.random() < 0.5:
            row["evaluated_on"] = add_years(issued, 3) - timedelta(days=int(rng.integers(5, 120)))
        for key in ("published_on", "filed_on", "evaluated_on"):
            if row[key] is not None and row[key] > today:
                row[key] = today


def _load(db: Database, top: str):
    with db.reading() as session:
        places = {
            j.code: j
            for j in session.scalars(
                select(Jurisdiction).where(
                    Jurisdiction.code.startswith(top[:2]),
                    Jurisdiction.level.in_(("province", "city", "county", "town", "village")),
                )
            )
            if j.code.startswith(top) or len(j.code) < len(top)
        }
        units = session.scalars(select(Unit).where(Unit.jurisdiction_code.startswith(top))).all()
        memberships = session.execute(
            select(UnitMembership.hq_id, UnitMembership.member_id, UnitMembership.role).where(
                UnitMembership.jurisdiction_code.startswith(top)
            )
        ).all()
        enterprises = session.execute(
            select(Enterprise.id, Enterprise.name, Enterprise.jurisdiction_code)
            .where(
                Enterprise.jurisdiction_code.startswith(top),
                or_(
                    Enterprise.industry.in_(high_risk_industries()),
                    Enterprise.major_hazard,
                    Enterprise.hazardous_chemicals,
                ),
            )
            .order_by(Enterprise.id)
        ).all()
    units = [(u.id, u.name, u.kind, u.topic, u.jurisdiction_code) for u in units]
    return places, units, memberships, enterprises


def generate(maker: Maker, places, units, memberships, enterprises) -> None:
    by_place: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for u in units:
        by_place[u[4]][u[2]].append(u)
    hq_members = defaultdict(list)
    for hq, member, role in memberships:
        hq_members[hq].append((member, role))
    govs = sorted(c for c in places if len(c) in (4, 6) and by_place[c]["command_hq"])
    overall_of: dict[str, str] = {}
    special_of: dict[tuple[str, str], str] = {}
    for c in govs:  # the city first, then its counties
        place = places[c]
        up = overall_of.get(c[:4]) if len(c) == 6 else None
        hq = by_place[c]["command_hq"][0]
        bureau = (by_place[c]["bureau"] or [None])[0]
        overall_of[c] = maker.add(
            place,
            "overall",
            f"{place.name}突发事件总体应急预案",
            f"{place.name}人民政府",
            first_year=2020,
            hq=hq[0],
            lead=bureau[0] if bureau else None,
            cats=[*ALL_NATURAL, "accident.production"],
            parent=up,
        )
        for s in by_place[c]["special_hq"]:
            name = s[1].removeprefix(place.name).replace("应急指挥部", "").replace("指挥部", "")
            members = hq_members.get(s[0], [])
            lead = next((m for m, role in members if role == "lead"), None)
            parent = special_of.get((c[:4], s[3])) if len(c) == 6 else overall_of[c]
            special_of[(c, s[3])] = maker.add(
                place,
                "special",
                f"{place.name}{name}应急预案",
                f"{place.name}人民政府办公室",
                first_year=2019,
                hq=s[0],
                lead=lead,
                cats=_topic_categories(s[3]),
                parent=parent or overall_of[c],
                members=members,
            )
        if len(c) == 6:
            for u in by_place[c]["member_unit"]:
                if maker.rng.random() < DEPARTMENT_SHARE:
                    maker.add(
                        place,
                        "department",
                        f"{u[1]}突发事件应急预案",
                        u[1],
                        first_year=2020,
                        lead=u[0],
                        parent=overall_of[c],
                        draft_p=0.08,
                        members=[(u[0], "lead")],
                    )
    for code in sorted(c for c in places if len(c) == 9):
        town = places[code]
        committee = (by_place[code]["emergency_committee"] or [None])[0]
        office = (by_place[code]["committee_office"] or [None])[0]
        town_plan = maker.add(
            town,
            "township",
            f"{town.name}突发事件总体应急预案",
            f"中共{town.name}委员会 {town.name}人民政府",
            first_year=2020,
            hq=committee[0] if committee else None,
            lead=office[0] if office else None,
            cats=[*ALL_NATURAL, "accident.production"],
            parent=overall_of.get(code[:6]),
            members=[(u[0], "member") for u in by_place[code]["working_group"]],
        )
        for vcode in sorted(v for v in places if len(v) == 12 and v.startswith(code)):
            if maker.rng.random() < VILLAGE_SHARE:
                v = places[vcode]
                maker.add(
                    v,
                    "village",
                    f"{v.name}突发事件应急预案",
                    v.name,
                    first_year=2021,
                    cats=["natural.flood_drought", "natural.geological"],
                    parent=town_plan,
                    draft_p=0.1,
                )
    for eid, name, code in enterprises:
        if maker.rng.random() < ENTERPRISE_SHARE and code in places:
            place = places[code]
            top = maker.add(
                place,
                "enterprise_comprehensive",
                f"{name}生产安全事故综合应急预案",
                name,
                first_year=2022,
                enterprise=eid,
                cats=["accident.production"],
            )
            if maker.rng.random() < 0.5:
                maker.add(
                    place,
                    "onsite_procedure",
                    f"{name}现场处置方案",
                    name,
                    first_year=2022,
                    enterprise=eid,
                    cats=["accident.production"],
                    parent=top,
                )


def build(db, data, options, progress) -> None:
    """The demo's plan registry with versions, members, filings, clocks and their job rows (plans of
    high-risk enterprises only: those the law requires to file, 条例708 第七条)."""
    places, units, memberships, enterprises = _load(db, data.top)
    today = plan_clocks.today()
    maker = Maker(options.seed, today)
    generate(maker, places, units, memberships, enterprises)
    actor = Actor.system("demo")
    now = clock.now()
    with db.writing(actor) as session:
        for i in range(0, len(maker.plans), 2000):
            chunk = [p | {"created_at": now, "updated_at": now} for p in maker.plans[i : i + 2000]]
            session.execute(Plan.__table__.insert(), chunk)
        ids = dict(
            session.execute(
                select(Plan.code, Plan.id).where(
                    Plan.jurisdiction_code.startswith(data.top[:2]), Plan.code.startswith("YA-")
                )
            ).all()
        )
        parents = [{"id": ids[c], "parent_id": ids[p]} for c, p in maker.parent_code.items()]
        if parents:
            session.execute(update(Plan), parents)
        cal = Calendar.of(session)
        versions, members, events, filings, clock_rows = [], [], [], [], []
        for p in maker.plans:
            pid = ids[p["code"]]
            in_force = p["issued_on"] is not None
            signer = signatories_of(p["kind"])[0]
            versions.append(
                {
                    "plan_id": pid,
                    "version_no": 1,
                    "status": VersionStatus.IN_FORCE if in_force else VersionStatus.DRAFT,
                    "stage": DraftStage.APPROVAL if in_force else DraftStage.DRAFTING,
                    "major": True,
                    "reason": None,
                    "change_summary": None,
                    "signatory": None,
                    "signatory_role": signer if in_force else None,
                    "doc_number": p["doc_number"],
                    "issued_on": p["issued_on"],
                    "published_on": p["published_on"],
                    "filed_on": p["filed_on"],
                    "jurisdiction_code": p["jurisdiction_code"],
                    "created_at": now,
                }
            )
            for sort, (uid, role) in enumerate(maker.members[p["code"]]):
                members.append(
                    {
                        "plan_id": pid,
                        "unit_id": uid,
                        "role": role if role == "lead" else "member",
                        "duties": None,
                        "sort": sort,
                        "jurisdiction_code": p["jurisdiction_code"],
                    }
                )
            base = {
                "plan_id": pid,
                "version_no": 1,
                "comment": None,
                "actor": ACTOR,
                "user_id": None,
                "jurisdiction_code": p["jurisdiction_code"],
            }
            issued = p["issued_on"]
            made = demo_rows.moment(issued - timedelta(days=90)) if issued else now
            events.append(
                base | {"action": "create", "from_state": None, "to_state": PlanState.DRAFTING, "at": made}
            )
            if not in_force:
                continue
            events.append(
                base
                | {
                    "action": "issue",
                    "from_state": PlanState.APPROVAL,
                    "to_state": PlanState.ISSUED,
                    "at": demo_rows.moment(issued),
                    "comment": p["doc_number"],
                }
            )
            clock_rows += demo_rows.clock_rows(cal, p, pid, today)
            pending = p["issued_on"] + timedelta(days=int(maker.rng.integers(3, 15)))
            waits = 5 if p["kind"] in ENTERPRISE_KINDS else 20  # an enterprise's is deemed filed after 5 days
            recent = pending < today and (today - pending).days <= waits
            sent_on = p["filed_on"] or (pending if recent and maker.rng.random() < 0.8 else None)
            where = receiver_code(p["kind"], p["jurisdiction_code"])
            if sent_on is None or where not in places:
                continue
            body = route_of(p["kind"])["bodies"][0]
            accepted = p["filed_on"] is not None
            filings.append(
                {
                    "plan_id": pid,
                    "version_no": 1,
                    "to_jurisdiction_code": where,
                    "to_body": body,
                    "to_unit_id": None,
                    "to_name": receiver_name(places[where].name, body),
                    "cc": route_of(p["kind"]).get("cc") or None,
                    "submitted_on": sent_on,
                    "state": FilingState.ACCEPTED
                    if accepted
                    else FilingState.SUBMITTED,  # some still wait for the body
                    "decided_on": p["filed_on"],
                    "decided_by": ACTOR if accepted else None,
                    "reason": None,
                    "jurisdiction_code": p["jurisdiction_code"],
                }
            )
            action = ("filing_accepted", PlanState.FILED) if accepted else ("file", p["state"])
            events.append(
                base
                | {
                    "action": action[0],
                    "from_state": p["state"],
                    "to_state": action[1],
                    "at": demo_rows.moment(sent_on),
                }
            )
        for table, rows in (
            (PlanVersion, versions),
            (PlanMember, members),
            (PlanEvent, events),
            (PlanFiling, filings),
            (PlanClock, clock_rows),
        ):
            for i in range(0, len(rows), 5000):
                session.execute(table.__table__.insert(), rows[i : i + 5000])
        demo_rows.jobs(session, data.top)
        counts = defaultdict(int)
        for p in maker.plans:
            counts[p["kind"]] += 1
        audit.record(session, "demo.build", "plans", data.top, after=dict(counts), note="demo plan registry")
    if progress:
        progress("plans", len(maker.plans), len(maker.plans))
