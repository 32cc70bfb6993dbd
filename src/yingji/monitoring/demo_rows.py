"""Rows of the monitoring demo, generated in memory (pure, deterministic for a seed): 30,774 hazard points
at Tongren scale (seed 003: "30774个灾险点") in the village groups of the built counties, their monitors
from the grid, one recent patrol each, and sensors on a few thousand of them.

The mix of kinds, the threatened people and the share of points with sensors are demo assumptions (no
public breakdown was found); the demo says so in its README line and never feeds them to a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import shapely

from yingji.monitoring import catalog
from yingji.monitoring.models import PatrolCondition, PointStatus

TONGREN_POINTS = 30_774  # seed 003
TONGREN_COUNTIES = 10
TONGREN_SENSORS = 3_000  # "sensors on a few thousand of them"
KIND_SHARE = {  # demo assumption
    "geological": 0.45,
    "flash_flood": 0.10,
    "waterlogging": 0.08,
    "reservoir": 0.05,
    "forest_fire": 0.20,
    "drowning": 0.12,
}
SENSOR_PLAN = [  # (sensor kind, hazard kinds it goes on, share of all sensors) — demo assumption
    ("rain_gauge", ("geological", "flash_flood", "waterlogging"), 0.60),
    ("crack_meter", ("geological",), 0.13),
    ("displacement", ("geological",), 0.05),
    ("water_level", ("reservoir", "flash_flood", "waterlogging"), 0.15),
    ("temperature", ("forest_fire",), 0.04),
    ("humidity", ("forest_fire",), 0.03),
]
PREFERRED_MONITOR = {
    "geological": "地灾监测员",
    "flash_flood": "地灾监测员",
    "forest_fire": "护林员",
    "reservoir": "水库管理员",
}
OVERDUE_SHARE = 0.03
NAME_WORDS = {
    "geological": {
        "landslide": "滑坡",
        "collapse": "崩塌",
        "debris_flow": "泥石流",
        "subsidence": "地面塌陷",
    },
    "flash_flood": "山洪沟",
    "waterlogging": "易涝点",
    "reservoir": "水库",
    "forest_fire": "森林火险区",
    "drowning": "溺水风险水域",
}


@dataclass
class Rows:
    hazard_points: list[dict] = field(default_factory=list)
    patrol_logs: list[dict] = field(default_factory=list)
    sensors: list[dict] = field(default_factory=list)
    sensor_state: list[dict] = field(default_factory=list)


def point_count(total_counties: int, detail_counties: int) -> int:
    """30,774 for the whole of Tongren; proportionally fewer when only some counties are built."""
    if detail_counties >= total_counties:
        return TONGREN_POINTS
    return round(TONGREN_POINTS * detail_counties / TONGREN_COUNTIES)


def _inside(groups: list[dict], owner: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A point inside each owner's polygon: up to 12 uniform draws in its box, else its label point."""
    geoms = shapely.from_geojson([g["geometry"] for g in groups])
    shapely.prepare(geoms)
    box = np.array([[g["min_lon"], g["min_lat"], g["max_lon"], g["max_lat"]] for g in groups])
    lon = np.array([g["lon"] for g in groups])[owner].astype(float)
    lat = np.array([g["lat"] for g in groups])[owner].astype(float)
    todo = np.arange(owner.size)
    for _ in range(12):
        if todo.size == 0:
            break
        b = box[owner[todo]]
        x = b[:, 0] + rng.random(todo.size) * (b[:, 2] - b[:, 0])
        y = b[:, 1] + rng.random(todo.size) * (b[:, 3] - b[:, 1])
        ok = shapely.contains_xy(geoms[owner[todo]], x, y)
        lon[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    return np.round(lon, 6), np.round(lat, 6)


def generate(data, options, now: datetime, start: dict[str, int], forced: dict[str, int]) -> Rows:
    """All demo rows. ``forced``: village-group code → person id that must monitor two points there
    (the demo grid worker's own group, so that "my patrols" is not empty)."""
    rng = np.random.default_rng([options.seed, 6])
    jur = data.tables["jurisdictions"]
    groups = sorted((r for r in jur if r["level"] == "group" and r["geometry"]), key=lambda r: r["code"])
    counties = {r["code"][:6] for r in groups}
    total = len([r for r in jur if r["level"] == "county"])
    n_points = point_count(total, len(counties)) if groups else 0
    rows = Rows()
    if not n_points:
        return rows
    cells = {c["code"]: c for c in data.tables["grid_cells"]}
    people = {p["id"]: p for p in data.tables["people"]}
    workers: dict[int, list[int]] = {}
    for a in data.tables["grid_assignments"]:
        if a["role"] == "worker":
            workers.setdefault(a["grid_cell_id"], []).append(a["person_id"])
    weights = rng.gamma(1.5, 1.0, len(groups))
    owner = np.sort(rng.choice(len(groups), size=n_points, p=weights / weights.sum()))
    index = {g["code"]: i for i, g in enumerate(groups)}
    extra = [index[code] for code in forced if code in index for _ in range(2)]
    owner = np.sort(np.r_[owner[: n_points - len(extra)], extra]).astype(np.int64)
    lon, lat = _inside(groups, owner, rng)
    kinds = list(KIND_SHARE)
    kind_of = rng.choice(len(kinds), size=owner.size, p=list(KIND_SHARE.values()))
    forced_left = {code: 2 for code in forced}
    serial: dict[tuple[str, str], int] = {}
    pid = start["hazard_points"]
    for k in range(owner.size):
        group = groups[owner[k]]
        kind = kinds[kind_of[k]]
        monitor = None
        if forced_left.get(group["code"], 0) > 0:
            forced_left[group["code"]] -= 1
            kind, monitor = "geological", forced[group["code"]]
        rows.hazard_points.append(
            _point(rng, pid, kind, group, cells, people, workers, monitor, serial, lon[k], lat[k], now)
        )
        rows.patrol_logs.append(_patrol(rng, start["patrol_logs"] + k, rows.hazard_points[-1], people, now))
        pid += 1
    _sensors(rng, rows, start, now)
    return rows


def _point(rng, pid, kind, group, cells, people, workers, monitor, serial, lon, lat, now) -> dict:
    county = group["code"][:6]
    key = (kind, county)
    serial[key] = serial.get(key, 0) + 1
    words = NAME_WORDS[kind]
    subtype = None
    if isinstance(words, dict):
        subtype = list(words)[int(rng.choice(4, p=[0.62, 0.22, 0.12, 0.04]))]
        words = words[subtype] + "隐患点"
    elif kind == "reservoir":
        subtype = ["small_2", "small_1", "medium"][int(rng.choice(3, p=[0.75, 0.22, 0.03]))]
    cell = cells.get(group["code"])
    staff = workers.get(cell["id"], []) if cell else []
    if monitor is None and staff:
        wanted = PREFERRED_MONITOR.get(kind)
        fitting = [p for p in staff if wanted and wanted in (people[p]["title"] or "")]
        monitor = fitting[0] if fitting else staff[int(rng.integers(0, len(staff)))]
    households = int(1 + rng.poisson(7 if kind in ("geological", "flash_flood") else 15))
    every = catalog.patrol_every_days(kind, now)
    overdue = rng.random() < OVERDUE_SHARE
    ago = every + rng.uniform(0.1, 3.0) if overdue else rng.uniform(0.0, every * 0.95)
    last = now - timedelta(days=float(ago))
    return {
        "id": pid,
        "code": f"{catalog.hazard_kind(kind)['prefix']}-{county}-{serial[key]:05d}",
        "name": f"{group['name']}{words}{serial[key]}号"[:120],
        "kind": kind,
        "subtype": subtype,
        "jurisdiction_code": group["code"],
        "grid_cell_id": cell["id"] if cell else None,
        "lon": float(lon),
        "lat": float(lat),
        "geometry": None,
        "address": None,
        "threatened_households": households,
        "threatened_people": int(households * rng.uniform(2.8, 3.8)),
        "monitor_person_id": monitor,
        "leader_person_id": staff[0] if staff else None,
        "patrol_every_days": None,
        "last_patrol_at": last,
        "patrol_due_at": last + timedelta(days=every),
        "status": PointStatus.ACTIVE.value,
        "note": None,
        "created_at": now - timedelta(days=400),
        "updated_at": now,
    }


def _patrol(rng, log_id: int, point: dict, people: dict, now: datetime) -> dict:
    who = people.get(point["monitor_person_id"]) or {}
    condition = "abnormal" if rng.random() < 0.02 else "normal"
    return {
        "id": log_id,
        "hazard_point_id": point["id"],
        "jurisdiction_code": point["jurisdiction_code"],
        "patrolled_at": point["last_patrol_at"],
        "received_at": point["last_patrol_at"] + timedelta(minutes=float(rng.uniform(0, 30))),
        "user_id": None,
        "patroller_name": (who.get("name") or "监测员")[:60],
        "lon": round(point["lon"] + float(rng.normal(0, 0.0003)), 6),
        "lat": round(point["lat"] + float(rng.normal(0, 0.0003)), 6),
        "accuracy_m": float(round(rng.uniform(5, 40))),
        "distance_m": None,
        "condition": condition,
        "observations": "坡体未见明显变形"
        if condition == PatrolCondition.NORMAL
        else "坡脚有少量渗水，已加密巡查",
        "photo_count": 0,
        "incident_id": None,
        "idempotency_key": None,
    }


def _sensors(rng, rows: Rows, start: dict[str, int], now: datetime) -> None:
    total = round(TONGREN_SENSORS * len(rows.hazard_points) / TONGREN_POINTS)
    sid = start["sensors"]
    taken: set[int] = set()
    for kind, on, share in SENSOR_PLAN:
        pool = [p for p in rows.hazard_points if p["kind"] in on and p["id"] not in taken]
        n = min(len(pool), round(total * share))
        chosen = sorted(rng.choice(len(pool), size=n, replace=False).tolist()) if n else []
        unit = catalog.sensor_kind(kind)["unit"]
        for i in chosen:
            p = pool[i]
            if kind == "rain_gauge":
                taken.add(p["id"])
            rows.sensors.append(
                {
                    "id": sid,
                    "code": f"{kind[:2].upper()}-{p['jurisdiction_code'][:6]}-{sid:05d}",
                    "name": f"{p['name']}{catalog.sensor_kind(kind)['zh']}"[:120],
                    "kind": kind,
                    "unit": unit,
                    "hazard_point_id": p["id"],
                    "target_kind": None,
                    "target_id": None,
                    "jurisdiction_code": p["jurisdiction_code"],
                    "lon": p["lon"],
                    "lat": p["lat"],
                    "valid_min": None,
                    "valid_max": None,
                    "active": True,
                    "installed_at": now - timedelta(days=int(rng.integers(60, 1500))),
                    "note": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            rows.sensor_state.append({"sensor_id": sid, "readings_total": 0})
            sid += 1
