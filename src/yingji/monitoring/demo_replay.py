"""A realistic rainfall event replayed through the real ingest: the last 24 hours of readings of every
demo sensor, hour by hour, so that alarms rise and clear as they would have live.

The storm is a quasi-stationary convective cell over one rain gauge (in 松桃 when it is built, after
seed 003's 2022-06-03 event there, 333.7 mm), peaking three hours ago: that gauge gets about 330 mm in
24 h, its neighbours within a few kilometres tens of millimetres, the rest light stratiform rain. A
crack meter near the cell accelerates and a reservoir near it rises. Times are the demo's "now".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np

from yingji.auth.scope import Principal
from yingji.core.db import Actor, Database
from yingji.monitoring import ingest
from yingji.monitoring.parse import Parsed
from yingji.monitoring.store import us_of

SONGTAO = "520628"
HOURS = 24
STEP = {
    "rain_gauge": 5,
    "water_level": 10,
    "crack_meter": 10,
    "displacement": 10,
    "temperature": 10,
    "humidity": 10,
}
PEAK_H = 21.0  # hours into the window: three hours before "now"
CELL_SIGMA_KM = 3.0
CELL_PEAK_MM = 5.2  # mm per 5 minutes at the cell's core at its peak (~62 mm/h)
CELL_DURATION_H = 3.0
BACKGROUND_MM = 0.15


def _centre(rain: list[dict]) -> tuple[float, float]:
    """Over a gauge of 松桃 if built, else of the first built county (deterministic)."""
    here = [s for s in rain if s["jurisdiction_code"].startswith(SONGTAO)] or rain
    pick = sorted(here, key=lambda s: s["code"])[len(here) // 2]
    return pick["lon"] + 0.004, pick["lat"] + 0.003


def _km(lon: np.ndarray, lat: np.ndarray, clon: float, clat: float) -> np.ndarray:
    dx = (lon - clon) * 111.32 * np.cos(np.radians(clat))
    dy = (lat - clat) * 110.57
    return np.hypot(dx, dy)


def series(
    sensors: list[dict], now: datetime, seed: int
) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Per sensor kind: (codes, times µs [n × steps], values [n × steps])."""
    rng = np.random.default_rng([seed, 7])
    end = now.replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    rain = [s for s in sensors if s["kind"] == "rain_gauge"]
    clon, clat = _centre(rain) if rain else (0.0, 0.0)
    out = {}
    for kind, step in STEP.items():
        rows = [s for s in sensors if s["kind"] == kind]
        if not rows:
            continue
        steps = HOURS * 60 // step
        t = np.array(
            [us_of(end - timedelta(minutes=step * (steps - 1 - k))) for k in range(steps)], dtype=np.int64
        )
        h = (t - t[0]) / 3.6e9 + step / 60  # hours into the window
        lon = np.array([s["lon"] for s in rows])
        lat = np.array([s["lat"] for s in rows])
        d = _km(lon, lat, clon, clat)[:, None]
        n = len(rows)
        if kind == "rain_gauge":
            core = CELL_PEAK_MM * np.exp(-(((h - PEAK_H) / CELL_DURATION_H) ** 2))[None, :]
            cell = core * np.exp(-(d**2) / (2 * CELL_SIGMA_KM**2))
            local = rng.uniform(0.5, 1.5, (n, 1))
            background = BACKGROUND_MM * local * np.exp(-(((h - 16) / 6) ** 2))[None, :]
            gust = rng.gamma(2.0, 0.5, (n, steps))
            values = np.round((cell + background) * gust, 1)
        elif kind == "water_level":
            base = rng.uniform(300, 900, (n, 1))
            values = base + rng.normal(0, 0.004, (n, steps))
            near = int(np.argmin(d[:, 0]))
            values[near] += np.clip(h - 19.0, 0, None) * 0.9
            values = np.round(values, 3)
        elif kind in ("crack_meter", "displacement"):
            base = rng.uniform(5, 60, (n, 1))
            values = base + h[None, :] * 0.001 + rng.normal(0, 0.02, (n, steps))
            if kind == "crack_meter":
                near = int(np.argmin(d[:, 0]))
                values[near] += 0.35 * np.clip(h - 19.0, 0, None) ** 2.2
            values = np.round(values, 2)
        elif kind == "temperature":
            values = np.round(
                18 + 5 * np.sin((h[None, :] - 9) / 24 * 2 * np.pi) + rng.normal(0, 0.3, (n, steps)), 1
            )
        else:
            values = np.round(np.clip(80 + rng.normal(0, 4, (n, steps)), 0, 100), 1)
        out[kind] = ([s["code"] for s in rows], np.broadcast_to(t, (n, steps)), values)
    return out


def replay(
    db: Database, sensors: list[dict], now: datetime, seed: int, progress: Callable[[str, int, int], None]
) -> ingest.IngestResult:
    """Feed the event through ``ingest.ingest`` one hour at a time; returns the totals."""
    data = series(sensors, now, seed)
    total = ingest.IngestResult()
    start = min(int(t[0, 0]) for _c, t, _v in data.values()) if data else 0
    principal = Principal.system(what="demo")
    for hour in range(HOURS):
        lo, hi = start + hour * 3_600_000_000, start + (hour + 1) * 3_600_000_000
        parsed = Parsed()
        for codes, t, v in data.values():
            cols = np.flatnonzero((t[0] >= lo) & (t[0] < hi))
            if cols.size == 0:
                continue
            parsed.codes += [c for c in codes for _ in range(cols.size)]
            parsed.t_us += np.tile(t[0, cols], len(codes)).tolist()
            parsed.values += v[:, cols].ravel().tolist()
        if len(parsed):
            with db.writing(Actor.system("demo")) as session:
                total.add(ingest.ingest(session, principal, parsed, source="demo"))
        progress("monitoring", hour + 1, HOURS)
    return total
