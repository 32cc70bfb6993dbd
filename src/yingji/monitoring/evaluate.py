"""Which rules apply to a sensor, and what a batch's metrics mean for its alarms (pure, vectorised).

Precedence per sensor kind and metric: the rules of the sensor's point, else those of the nearest
jurisdiction above the sensor that has any, else the packaged defaults. Hysteresis: an alarm is raised
when the metric reaches ``raise_at`` (≥, or ≤ for ``below``) and cleared when the current value falls
below ``clear_at`` (or rises above it); while one is open for a rule and sensor, no other is raised.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from yingji.monitoring import catalog
from yingji.monitoring.windows import Metric


@dataclass(frozen=True)
class Rule:
    key: str  # "rule:<id>" or "default:<key>"
    rule_id: int | None
    sensor_kind: str
    metric: str
    direction: str
    raise_at: float
    clear_at: float
    level: str
    action: str
    source: str  # point, place, default
    jurisdiction_code: str = ""
    hazard_point_id: int | None = None
    basis: str = ""


def default_rules() -> list[Rule]:
    """The packaged default rules as rule-book entries."""
    return [
        Rule(
            f"default:{r['key']}",
            None,
            r["sensor_kind"],
            r["metric"],
            r["direction"],
            float(r["raise_at"]),
            float(r["clear_at"]),
            r["level"],
            r["action"],
            "default",
            basis=r.get("basis", ""),
        )
        for r in catalog.default_rules()
    ]


class RuleBook:
    """The enabled rules, indexed for resolution per sensor (cached per distinct sensor situation)."""

    def __init__(self, own: list[Rule], defaults: list[Rule] | None = None) -> None:
        self.by_point: dict[int, list[Rule]] = defaultdict(list)
        self.by_place: dict[str, list[Rule]] = defaultdict(list)
        self.defaults: dict[str, list[Rule]] = defaultdict(list)
        for r in own:
            if r.hazard_point_id is not None:
                self.by_point[r.hazard_point_id].append(r)
            else:
                self.by_place[r.sensor_kind].append(r)
        for r in default_rules() if defaults is None else defaults:
            self.defaults[r.sensor_kind].append(r)
        self._cache: dict[tuple, list[Rule]] = {}
        self.index: dict[str, int] = {}
        self.rules: list[Rule] = []

    def for_sensor(self, kind: str, point_id: int | None, code: str) -> list[Rule]:
        """The rules that apply to a sensor of ``kind`` at ``point_id`` in jurisdiction ``code``."""
        key = (kind, point_id, code)
        found = self._cache.get(key)
        if found is not None:
            return found
        chosen: list[Rule] = []
        point_rules = (
            [r for r in self.by_point.get(point_id, []) if r.sensor_kind == kind] if point_id else []
        )
        place_rules = [r for r in self.by_place.get(kind, []) if code.startswith(r.jurisdiction_code)]
        for metric in catalog.METRICS_ORDER:
            own = [r for r in point_rules if r.metric == metric]
            if not own:
                here = [r for r in place_rules if r.metric == metric]
                if here:
                    nearest = max(len(r.jurisdiction_code) for r in here)
                    own = [r for r in here if len(r.jurisdiction_code) == nearest]
            if not own:
                own = [r for r in self.defaults.get(kind, []) if r.metric == metric]
            chosen += own
        self._cache[key] = chosen
        for r in chosen:
            if r.key not in self.index:
                self.index[r.key] = len(self.rules)
                self.rules.append(r)
        return chosen


@dataclass
class Decisions:
    """What to do with the alarms of a batch (indexes into the batch's sensors and the book's rules)."""

    raise_sensor: np.ndarray
    raise_rule: np.ndarray
    raise_value: np.ndarray
    raise_at: np.ndarray  # epoch µs of the reading (or window end) that crossed
    raise_current: np.ndarray
    raise_clears: np.ndarray  # already back below the clear level (raised and cleared at once)
    clear_alarm: np.ndarray
    clear_value: np.ndarray
    update_alarm: np.ndarray
    update_peak: np.ndarray
    update_last: np.ndarray


def decide(
    book: RuleBook,
    sensor_rules: list[list[Rule]],
    metrics: dict[str, Metric],
    open_alarms: dict[tuple[int, str], tuple[int, float]],
    sensor_ids: np.ndarray,
) -> Decisions:
    """Vectorised over every (sensor, rule) pair of the batch. ``open_alarms`` maps (sensor id, rule
    key) to (alarm id, peak so far)."""
    pairs_s = np.array([i for i, rules in enumerate(sensor_rules) for _ in rules], dtype=np.int64)
    pairs_r = np.array([book.index[r.key] for rules in sensor_rules for r in rules], dtype=np.int64)
    n = pairs_s.size
    rules = book.rules
    up = np.array([r.direction == "above" for r in rules], dtype=bool)[pairs_r]
    raise_lvl = np.array([r.raise_at for r in rules], dtype=float)[pairs_r]
    clear_lvl = np.array([r.clear_at for r in rules], dtype=float)[pairs_r]
    metric_of = np.array([r.metric for r in rules], dtype=object)[pairs_r] if n else np.empty(0, object)
    peak, peak_at = np.full(n, np.nan), np.zeros(n, np.int64)
    current, valid = np.full(n, np.nan), np.zeros(n, bool)
    for metric, m in metrics.items():
        sel = metric_of == metric
        if not sel.any():
            continue
        s = pairs_s[sel]
        peak[sel] = np.where(up[sel], m.hi[s], m.lo[s])
        peak_at[sel] = np.where(up[sel], m.hi_at[s], m.lo_at[s])
        current[sel] = m.current[s]
        valid[sel] = m.valid[s]
    with np.errstate(invalid="ignore"):
        crossed = valid & np.where(up, peak >= raise_lvl, peak <= raise_lvl)
        back = ~np.isnan(current) & np.where(up, current < clear_lvl, current > clear_lvl)
    open_id = np.full(n, -1, dtype=np.int64)
    open_peak = np.full(n, np.nan)
    if open_alarms:
        for k in range(n):
            found = open_alarms.get((int(sensor_ids[pairs_s[k]]), rules[pairs_r[k]].key))
            if found is not None:
                open_id[k], open_peak[k] = found
    is_open = open_id >= 0
    raising = crossed & ~is_open
    clearing = is_open & back
    updating = is_open & ~clearing & valid
    better = np.where(up, np.fmax(open_peak, peak), np.fmin(open_peak, peak))
    last = np.where(np.isnan(current), peak, current)
    return Decisions(
        raise_sensor=pairs_s[raising],
        raise_rule=pairs_r[raising],
        raise_value=peak[raising],
        raise_at=peak_at[raising],
        raise_current=np.where(np.isnan(current[raising]), peak[raising], current[raising]),
        raise_clears=back[raising],
        clear_alarm=open_id[clearing],
        clear_value=current[clearing],
        update_alarm=open_id[updating],
        update_peak=better[updating],
        update_last=last[updating],
    )
