"""The metrics of a batch and the rule decisions, without a database: values, rates, the 1 h / 3 h /
24 h rain windows, hysteresis and de-duplication."""

from __future__ import annotations

import numpy as np

from yingji.monitoring import windows
from yingji.monitoring.evaluate import Rule, RuleBook, decide
from yingji.monitoring.windows import BUCKET_US, HOUR_US, State

T0 = 1_780_000_000 * 1_000_000 // BUCKET_US * BUCKET_US  # a bucket boundary, in µs
MIN = 60 * 1_000_000


def batch(rows):
    sid = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.int64)
    v = np.array([r[2] for r in rows], dtype=np.float64)
    return windows.sort_unique(sid, t, v)


def test_repeats_in_a_batch_are_set_aside_and_the_rest_sorted():
    b, repeats = batch([(2, T0, 1.0), (1, T0 + MIN, 2.0), (1, T0, 3.0), (2, T0, 9.0)])
    assert b.sensors.tolist() == [1, 2]
    assert b.t.tolist() == [T0, T0 + MIN, T0]
    assert b.v.tolist() == [3.0, 2.0, 1.0]  # the first of the repeated (2, T0) is kept
    assert repeats.tolist() == [3]


def test_value_extremes_current_and_rate_per_hour():
    b, _ = batch([(1, T0 + k * 10 * MIN, v) for k, v in enumerate([10.0, 10.5, 11.5, 11.0])])
    states = [State(last_at=T0 - 10 * MIN, last_value=10.0)]
    value, rate = windows.value_and_rate(b, states)
    assert value.hi[0] == 11.5 and value.hi_at[0] == T0 + 20 * MIN
    assert value.lo[0] == 10.0 and value.current[0] == 11.0
    # 10 → 10 → 10.5 → 11.5 → 11.0 every 10 minutes: 0, 3, 6, -3 mm/h
    assert rate.hi[0] == 6.0 and rate.lo[0] == -3.0 and rate.current[0] == -3.0
    assert states[0].last_at == T0 + 30 * MIN and states[0].last_value == 11.0 and states[0].added == 4


def test_late_readings_count_for_values_but_not_for_rates():
    b, _ = batch([(1, T0 - 60 * MIN, 99.0)])
    states = [State(last_at=T0, last_value=5.0)]
    value, rate = windows.value_and_rate(b, states)
    assert value.hi[0] == 99.0 and value.current[0] == 5.0  # the newest reading stays current
    assert not rate.valid[0] and states[0].last_at == T0


def test_rain_windows_slide_over_five_minute_buckets():
    # 12 readings of 5 mm in one hour, then 2 hours of nothing reported
    b, _ = batch([(1, T0 + k * 5 * MIN, 5.0) for k in range(12)])
    states = [State()]
    sums = windows.sums(b, states, np.array([True]))
    assert sums["sum_1h"].hi[0] == 60.0 and sums["sum_1h"].current[0] == 60.0
    assert sums["sum_3h"].current[0] == 60.0 and sums["sum_24h"].current[0] == 60.0
    # one more reading two hours later: the 1 h window has moved past the rain, the 3 h not yet all
    b2, _ = batch([(1, T0 + 3 * HOUR_US - 5 * MIN, 1.0)])
    sums = windows.sums(b2, states, np.array([True]))
    assert sums["sum_1h"].current[0] == 1.0
    assert sums["sum_3h"].current[0] == 61.0
    # the sweep slides to "now" without readings: 25 h later nothing is left
    assert windows.current_sums(states[0], T0 + 28 * HOUR_US) == {
        "sum_1h": 0.0,
        "sum_3h": 0.0,
        "sum_24h": 0.0,
    }


def test_a_peak_inside_the_batch_is_seen_though_it_is_over():
    rows = [(1, T0 + k * 5 * MIN, 10.0 if k < 6 else 0.0) for k in range(36)]
    b, _ = batch(rows)
    sums = windows.sums(b, [State()], np.array([True]))
    assert sums["sum_1h"].hi[0] == 60.0  # the hour with the rain
    assert sums["sum_1h"].current[0] == 0.0  # and now it is dry


def rule(key, metric="value", raise_at=10.0, clear_at=8.0, direction="above"):
    return Rule(
        f"default:{key}",
        None,
        "rain_gauge",
        metric,
        direction,
        raise_at,
        clear_at,
        "orange",
        "notify",
        "default",
    )


def metric(hi, cur, lo=None):
    n = len(hi)
    return windows.Metric(
        np.array(hi, float),
        np.zeros(n, np.int64),
        np.array(lo if lo is not None else hi, float),
        np.zeros(n, np.int64),
        np.array(cur, float),
        np.ones(n, bool),
    )


def decisions(rules, values, currents, open_alarms=None):
    book = RuleBook([], defaults=rules)
    sensor_rules = [book.for_sensor("rain_gauge", None, "5206") for _ in values]
    m = {"value": metric(values, currents)}
    return decide(book, sensor_rules, m, open_alarms or {}, np.arange(1, len(values) + 1))


def test_threshold_raises_at_the_limit_inclusive():
    d = decisions([rule("r")], [9.99, 10.0, 12.0], [9.99, 10.0, 12.0])
    assert d.raise_sensor.tolist() == [1, 2]
    assert not d.raise_clears.any()


def test_hysteresis_keeps_an_alarm_open_until_below_the_clear_level():
    open_alarms = {(1, "default:r"): (41, 12.0), (2, "default:r"): (42, 12.0), (3, "default:r"): (43, 12.0)}
    d = decisions([rule("r")], [9.0, 8.0, 7.9], [9.0, 8.0, 7.9], open_alarms)
    assert d.raise_sensor.size == 0  # never a second alarm while one is open (de-duplication)
    assert d.clear_alarm.tolist() == [43]  # 8.0 is not below 8.0
    assert sorted(d.update_alarm.tolist()) == [41, 42]


def test_raised_and_cleared_within_one_batch():
    d = decisions([rule("r")], [15.0], [3.0])
    assert d.raise_sensor.tolist() == [0] and d.raise_clears.tolist() == [True]


def test_below_rules_mirror_the_above_ones():
    d = decisions([rule("low", raise_at=2.0, clear_at=3.0, direction="below")], [5.0, 2.0], [5.0, 2.5])
    assert d.raise_sensor.tolist() == [1] and not d.raise_clears.any()  # 2.5 is not above 3.0
    d = decisions([rule("low", raise_at=2.0, clear_at=3.0, direction="below")], [1.0], [3.5])
    assert d.raise_clears.tolist() == [True]


def test_point_rules_replace_place_rules_which_replace_defaults_per_metric():
    default = rule("d", metric="sum_1h")
    default_3h = rule("d3", metric="sum_3h")
    place = Rule("rule:1", 1, "rain_gauge", "sum_1h", "above", 30, 20, "orange", "notify", "place", "520602")
    upper = Rule("rule:2", 2, "rain_gauge", "sum_1h", "above", 40, 20, "orange", "notify", "place", "5206")
    point = Rule("rule:3", 3, "rain_gauge", "sum_1h", "above", 25, 20, "red", "warning", "point", "", 77)
    book = RuleBook([place, upper, point], defaults=[default, default_3h])
    assert [r.key for r in book.for_sensor("rain_gauge", 77, "520602001001")] == ["rule:3", "default:d3"]
    assert [r.key for r in book.for_sensor("rain_gauge", 78, "520602001001")] == ["rule:1", "default:d3"]
    assert [r.key for r in book.for_sensor("rain_gauge", 78, "520603001001")] == ["rule:2", "default:d3"]
    assert [r.key for r in book.for_sensor("rain_gauge", None, "520100")] == ["default:d", "default:d3"]
