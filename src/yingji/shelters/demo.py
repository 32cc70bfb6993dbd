"""Demo shelters: in every demo county a central shelter at the county seat, in every town a fixed
(short-term) shelter at its school or square, and village emergency shelters near a few villages —
positions from the seed, square outlines of their area, the facilities their class requires (a few
missing, so the checklist shows gaps), a manager from the demo people of the place. The first town's
shelter is open with a few households of its residents checked in (occupancy = the stays' people).
Bulk-inserted (about a hundred rows); the audit log gets one summary entry."""

from __future__ import annotations

import json
import math

import numpy as np
from sqlalchemy import func, insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor
from yingji.org.models import Jurisdiction, Person
from yingji.residents.models import Resident
from yingji.shelters import standards
from yingji.shelters.codes import ShelterStatus, StayState
from yingji.shelters.models import Shelter, ShelterEvent, ShelterManager, ShelterStay

VILLAGES_PER_TOWN = 2  # emergency shelters near the first villages of each town
KINDS = {  # level, class, space, usable m², total m², name pattern
    "county": ("county", "centre", "mixed", 24_000.0, 30_000.0, "{name}中心应急避难场所"),
    "town": ("town", "short", "mixed", 5_200.0, 6_500.0, "{name}中学应急避难场所"),
    "village": ("village", "emergency", "outdoor", 600.0, 800.0, "{name}文化广场紧急避难点"),
}


def _short(name: str) -> str:
    for suffix in ("村民委员会", "居民委员会", "委员会"):
        name = name.removesuffix(suffix)
    return name


def _outline(lon: float, lat: float, area_m2: float) -> str:
    half = math.sqrt(area_m2) / 2
    dy = half / 110_574
    dx = half / (111_320 * math.cos(math.radians(lat)))
    ring = [
        [lon - dx, lat - dy],
        [lon + dx, lat - dy],
        [lon + dx, lat + dy],
        [lon - dx, lat + dy],
        [lon - dx, lat - dy],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]})


def _places(session, top: str):
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level, Jurisdiction.lon, Jurisdiction.lat)
        .where(
            Jurisdiction.code.startswith(top),
            Jurisdiction.level.in_(("county", "town", "village")),
            Jurisdiction.lon.is_not(None),
        )
        .order_by(Jurisdiction.code)
    ).all()
    out, per_town = [], {}
    for r in rows:
        if r.level == "village":
            n = per_town.get(r.code[:9], 0)
            if n >= VILLAGES_PER_TOWN:
                continue
            per_town[r.code[:9]] = n + 1
        out.append(r)
    return out


def _managers(session, top: str) -> dict[str, tuple[int, str, str | None]]:
    """One demo person per place (the first by id), for the shelters' managers."""
    first = (
        select(func.min(Person.id))
        .where(Person.jurisdiction_code.startswith(top), Person.active)
        .group_by(Person.jurisdiction_code)
    )
    rows = session.execute(
        select(Person.id, Person.name, Person.mobile, Person.jurisdiction_code).where(Person.id.in_(first))
    )
    return {r.jurisdiction_code: (r.id, r.name, r.mobile) for r in rows}


def build(db, data, options, progress) -> None:
    rng = np.random.default_rng([options.seed, 1301])
    now = clock.now()
    with db.writing(Actor.system("demo")) as session:
        places = _places(session, data.top)
        people = _managers(session, data.top)
        rows, managers = [], []
        for p in places:
            level, klass, space, usable, total, pattern = KINDS[p.level]
            dx, dy = rng.normal(0, 0.003, 2)
            lon, lat = round(float(p.lon + dx), 6), round(float(p.lat + dy), 6)
            code = f"BN{p.code[:12]}{ {'county': 'C', 'town': 'T', 'village': 'V'}[p.level] }1"
            required = standards.required_facilities(klass)
            missing = (
                set(rng.choice(required, size=min(2, len(required)), replace=False))
                if rng.random() < 0.4
                else set()
            )
            facilities = {k: k not in missing for k in required} | (
                {"toilets": 8} if klass != "emergency" else {}
            )
            rows.append(
                {
                    "code": code.replace(" ", ""),
                    "name": pattern.format(name=_short(p.name)),
                    "level": level,
                    "shelter_class": klass,
                    "space_type": space,
                    "hazards": ["earthquake", "flood", "geological"],
                    "jurisdiction_code": p.code,
                    "address": {"county": "政府广场", "town": "中学操场", "village": "村委会广场"}[p.level],
                    "lon": lon,
                    "lat": lat,
                    "outline": _outline(lon, lat, total),
                    "total_area_m2": total,
                    "usable_area_m2": usable,
                    "area_per_person_m2": None,
                    "capacity": standards.capacity(usable, None, klass),
                    "capacity_stated": False,
                    "occupancy": 0,
                    "households_in": 0,
                    "status": ShelterStatus.CLOSED,
                    "service_radius_m": standards.service_radius_m(klass),
                    "duration_days": {"centre": 60, "short": 10, "emergency": 3}[klass],
                    "facilities": facilities,
                    "entrances": {"centre": 4, "short": 2, "emergency": 1}[klass],
                    "signage_ok": bool(rng.random() < 0.8),
                    "dual_use": True,
                    "managing_unit": f"{p.name}人民政府" if p.level != "village" else f"{p.name}村民委员会",
                    "standard": "GB/T 44013-2024",
                    "active": True,
                    "note": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if not rows:
            return
        session.execute(insert(Shelter), rows)
        ids = dict(
            session.execute(
                select(Shelter.code, Shelter.id).where(Shelter.code.in_([r["code"] for r in rows]))
            ).all()
        )
        for r in rows:
            person = (
                people.get(r["jurisdiction_code"])
                or people.get(r["jurisdiction_code"][:9])
                or people.get(r["jurisdiction_code"][:6])
            )
            if person:
                managers.append(
                    {
                        "shelter_id": ids[r["code"]],
                        "person_id": person[0],
                        "name": person[1],
                        "mobile": person[2],
                        "phone": None,
                        "duty": "负责人",
                        "primary": True,
                        "jurisdiction_code": r["jurisdiction_code"],
                    }
                )
        if managers:
            session.execute(insert(ShelterManager), managers)
        opened = _open_one(session, rows, ids, now)
        audit.record(
            session,
            "demo.build",
            "shelters",
            data.top,
            after={"shelters": len(rows), "managers": len(managers), "open": opened},
            note="demo shelters",
        )


def _open_one(session, rows, ids, now) -> int:
    """Open the first town's shelter with three households of that town checked in."""
    town = next((r for r in rows if r["level"] == "town"), None)
    if town is None:
        return 0
    households = session.execute(
        select(
            Resident.jurisdiction_code,
            Resident.household,
            func.min(Resident.name),
            func.count(),
            func.min(Resident.id),
            func.min(Resident.id_tail),
        )
        .where(Resident.jurisdiction_code.startswith(town["jurisdiction_code"]), Resident.active)
        .group_by(Resident.jurisdiction_code, Resident.household)
        .order_by(Resident.jurisdiction_code, Resident.household)
        .limit(3)
    ).all()
    sid = ids[town["code"]]
    stays = [
        {
            "shelter_id": sid,
            "resident_id": h[4],
            "id_tail": h[5],
            "home_code": h[0],
            "household": h[1],
            "name": h[2],
            "people": int(h[3]),
            "vulnerable": 0,
            "state": StayState.IN,
            "checked_in_at": now,
            "client_key": f"demo-{sid}-{i}",
            "jurisdiction_code": town["jurisdiction_code"],
        }
        for i, h in enumerate(households)
    ]
    if stays:
        session.execute(insert(ShelterStay), stays)
    people = sum(s["people"] for s in stays)
    session.execute(
        Shelter.__table__.update()
        .where(Shelter.id == sid)
        .values(status=ShelterStatus.OPEN, opened_at=now, occupancy=people, households_in=len(stays))
    )
    session.execute(
        insert(ShelterEvent),
        [
            {
                "shelter_id": sid,
                "kind": "opened",
                "at": now,
                "occupancy": 0,
                "note": "演示: 启用",
                "jurisdiction_code": town["jurisdiction_code"],
            }
        ],
    )
    return 1
