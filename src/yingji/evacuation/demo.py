"""Demo data of evacuation (called from ``demo.builder.DEMO_EXTRAS``, after shelters and warnings):
threat lists of the geological hazard points (the households of their village group), routes of
those groups to the nearest open-able demo shelter (when the shelters demo made any), and one active
order issued from the red 地质灾害 warning with part of its households already marked, so the
overview shows a live tally. The grid worker's own cell is left to them (the phone's demo)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import numpy as np
from sqlalchemy import func, insert, select

from yingji.auth import audit
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Database
from yingji.core.errors import YingjiError
from yingji.evacuation import marks, orders, threats
from yingji.evacuation.codes import HouseholdState, OrderSource
from yingji.evacuation.models import EvacuationHousehold, EvacuationOrder, EvacuationRoute, HazardThreat
from yingji.evacuation.schemas import MarkIn, OrderIn
from yingji.geo.travel import haversine_km
from yingji.monitoring.models import HazardPoint
from yingji.org.models import Jurisdiction
from yingji.shelters.codes import ShelterStatus

# Shares of the households marked in the demo order (the rest still pending).
SHARES = (
    ("moved", 0.40),
    ("at_relatives", 0.14),
    ("self_moved", 0.08),
    ("refused", 0.03),
    ("not_home", 0.03),
)
SHELTERED_SHARE = 0.06  # of the households still pending, checked into an opened shelter
SHELTERS_OPENED = 2
WALK_KMH = 4.0


def build(db: Database, data, options, progress) -> None:
    with db.reading() as session:
        if session.scalar(select(EvacuationOrder.id).limit(1)) is not None:
            return  # already built
    principal = Principal.system(what="demo")
    with db.writing(principal.as_actor()) as session:
        n = threats.refresh_from_groups(session, ("geological",), data.top)
        audit.record(
            session, "demo.build", "hazard_threats", None, jurisdiction_code=data.top, after={"households": n}
        )
        _routes(session, data.top)
    order_id = _order(db)
    if order_id is not None:
        _marks(db, order_id, options.seed)
        _sheltered(db, order_id, options.seed)
    progress("evacuation", 1, 1)


def _routes(session, top: str) -> int:
    """A route per threatened village group to the nearest demo shelter, on foot."""
    from yingji.shelters.models import Shelter

    shelters = session.execute(
        select(Shelter.id, Shelter.lon, Shelter.lat).where(Shelter.active, Shelter.lon.is_not(None))
    ).all()
    if not shelters:
        return 0
    groups = session.execute(
        select(Jurisdiction.code, Jurisdiction.lon, Jurisdiction.lat, func.min(HazardPoint.id))
        .join(HazardPoint, HazardPoint.jurisdiction_code == Jurisdiction.code)
        .where(HazardPoint.id.in_(select(HazardThreat.hazard_point_id)), Jurisdiction.lon.is_not(None))
        .where(Jurisdiction.code.startswith(top))
        .group_by(Jurisdiction.code, Jurisdiction.lon, Jurisdiction.lat)
    ).all()
    taken = set(session.scalars(select(EvacuationRoute.jurisdiction_code)))
    groups = [g for g in groups if g[0] not in taken]
    if not groups:
        return 0
    s_lon = np.array([s.lon for s in shelters])
    s_lat = np.array([s.lat for s in shelters])
    now = clock.now()
    rows = []
    for code, lon, lat, point_id in groups:
        km = haversine_km(lon, lat, s_lon, s_lat)
        best = int(np.argmin(km))
        rows.append(
            {
                "jurisdiction_code": code,
                "hazard_kind": "geological",
                "hazard_point_id": point_id,
                "shelter_id": shelters[best].id,
                "path": None,
                "distance_m": int(km[best] * 1000 * 1.3),  # the road factor of geo.travel's default
                "minutes": int(km[best] * 1.3 / WALK_KMH * 60) + 1,
                "assembly_point": "村民小组集合点",
                "note": "演示：步行转移至最近的避难场所",
                "created_at": now,
                "updated_at": now,
            }
        )
    session.execute(insert(EvacuationRoute), rows)
    audit.record(session, "demo.build", "evacuation_routes", None, after={"routes": len(rows)})
    return len(rows)


def _order(db: Database) -> int | None:
    """An order from the red geological warning (else the most severe one in force)."""
    from yingji.warnings.models import Warning

    severity = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
    with db.reading() as session:
        found = session.execute(
            select(Warning.id, Warning.level, Warning.jurisdiction_code, Warning.template_key).where(
                Warning.status.in_(orders.WARNINGS_IN_FORCE)
            )
        ).all()
    geo = [w for w in found if w.template_key in orders.HAZARD_OF_TEMPLATE]
    if not geo:
        return None
    warning = min(
        geo, key=lambda w: (w.template_key != "geohazard_weather_risk", severity.get(w.level, 9), w.id)
    )
    principal = Principal.system(warning.jurisdiction_code, what="demo")
    with db.writing(principal.as_actor()) as session:
        order = orders.issue(
            session,
            principal,
            OrderIn(
                title="地质灾害红色预警：危险区群众紧急转移",
                source=OrderSource.WARNING,
                warning_id=warning.id,
                reason="地质灾害气象风险红色预警，危险区内群众立即转移至安全地带。",
                client_key=f"demo-order-{warning.id}",
            ),
        )
        return order.id


def _marks(db: Database, order_id: int, seed: int) -> None:
    """Part of the households marked, as the phones would send them (one batch per cell)."""
    with db.reading() as session:
        own = session.scalar(select(User.jurisdiction_code).where(User.username == "gridworker"))
        rows = session.execute(
            select(
                EvacuationHousehold.id,
                EvacuationHousehold.grid_cell_id,
                EvacuationHousehold.jurisdiction_code,
            )
            .where(EvacuationHousehold.order_id == order_id)
            .order_by(EvacuationHousehold.id)
        ).all()
    rng = random.Random(seed)
    now = clock.now()
    batch: list[MarkIn] = []
    for household_id, _, code in rows:
        if own and code.startswith(own):
            continue
        roll, state = rng.random(), None
        for name, share in SHARES:
            if roll < share:
                state = name
                break
            roll -= share
        if state is None:
            continue
        batch.append(
            MarkIn(
                household_id=household_id,
                state=state,
                marked_at=now - timedelta(minutes=rng.randint(5, 90)),
                client_key=uuid.UUID(int=rng.getrandbits(128)).hex,
                note="演示" if state in (HouseholdState.REFUSED, HouseholdState.NOT_HOME) else None,
            )
        )
    principal = Principal.system(what="demo")
    for i in range(0, len(batch), 500):
        with db.writing(principal.as_actor()) as session:
            marks.apply_marks(session, principal, order_id, batch[i : i + 500])


def _sheltered(db: Database, order_id: int, seed: int) -> None:
    """Open the demo shelters of the order's area (the largest first) and check a few households in
    at the desk, through the shelters' own check-in: occupancy and the accounting move together."""
    from yingji.shelters import checkin, status
    from yingji.shelters.models import Shelter
    from yingji.shelters.schemas import CheckInIn

    principal = Principal.system(what="demo")
    with db.reading() as session:
        order = session.get(EvacuationOrder, order_id)
        towns = sorted({c[:9] for c in order.area_codes or [] if len(c) >= 9})
        own = session.scalar(select(User.jurisdiction_code).where(User.username == "gridworker"))
        shelters = session.execute(
            select(Shelter.id, Shelter.status)
            .where(
                Shelter.active,
                Shelter.capacity > 0,
                func.substr(Shelter.jurisdiction_code, 1, 9).in_(towns or ["-"]),
            )
            .order_by(Shelter.capacity.desc(), Shelter.id)
            .limit(SHELTERS_OPENED)
        ).all()
        pending = session.execute(
            select(
                EvacuationHousehold.jurisdiction_code,
                EvacuationHousehold.household,
                EvacuationHousehold.people,
            )
            .where(
                EvacuationHousehold.order_id == order_id, EvacuationHousehold.state == HouseholdState.PENDING
            )
            .order_by(EvacuationHousehold.id)
        ).all()
    if not shelters:
        return
    shelter_ids = [sid for sid, _ in shelters]
    rng = random.Random(seed + 13)
    chosen = [h for h in pending if not (own and h[0].startswith(own)) and rng.random() < SHELTERED_SHARE]
    with db.writing(principal.as_actor()) as session:
        for shelter_id, state in shelters:
            if state != ShelterStatus.CLOSED:
                continue  # the shelters demo may have opened it already
            status.open_shelter(session, principal, shelter_id, order_id=order_id, note="演示：转移令启用")
        for i, (code, household, people) in enumerate(chosen):
            data = CheckInIn(
                client_key=f"demo-stay-{order_id}-{i}",
                home_code=code,
                household=household,
                people=max(1, people),
            )
            try:
                with session.begin_nested():
                    checkin.check_in(session, principal, shelter_ids[i % len(shelter_ids)], data)
            except YingjiError:
                continue  # a full shelter: the household stays pending, as it would at the door
