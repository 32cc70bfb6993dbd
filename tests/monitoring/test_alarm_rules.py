"""Alarm rules evaluated by the ingest with a moved clock: thresholds, rate of change, 1 h / 3 h / 24 h
rain windows, hysteresis, one open alarm per rule and sensor, precedence of point over place rules,
and the sweep that clears rain alarms when the rain stops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.monitoring.conftest import every, feed, make_point, make_rule, make_sensor, principal_of
from yingji.core.db import Actor
from yingji.monitoring import alarm_rules, sweep
from yingji.monitoring.models import Alarm, Sensor
from yingji.monitoring.schemas import RuleIn


def alarms_of(db, code: str) -> list[Alarm]:
    with db.reading() as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == code))
        return list(session.scalars(select(Alarm).where(Alarm.sensor_id == sid).order_by(Alarm.id)))


def test_a_threshold_raises_once_stays_open_above_the_clear_level_then_clears(city, frozen):
    db = city.db
    point = make_point(db, city.group_a, kind="reservoir")
    code = make_sensor(db, point, "water_level")
    make_rule(db, point, "water_level", "value", 350.0, 349.5, level="red")
    make_rule(db, point, "water_level", "rate_h", 1000.0, 900.0)  # no rate alarm in this test
    now = frozen.now()
    feed(db, [(code, now - timedelta(minutes=20), 349.0), (code, now - timedelta(minutes=15), 349.99)])
    assert alarms_of(db, code) == []  # below the limit
    result = feed(db, [(code, now - timedelta(minutes=10), 350.0)])  # at the limit: raised
    assert len(result.alarms_raised) == 1
    feed(db, [(code, now - timedelta(minutes=5), 351.2)])  # higher still: the same alarm, a new peak
    feed(db, [(code, now, 349.6)])  # below the limit but above the clear level: still open
    [alarm] = alarms_of(db, code)
    assert alarm.state == "open" and alarm.peak_value == 351.2 and alarm.last_value == 349.6
    frozen.advance(timedelta(minutes=5))
    feed(db, [(code, frozen.now(), 349.4)])  # below 349.5: cleared by the readings
    [alarm] = alarms_of(db, code)
    assert alarm.state == "cleared" and alarm.cleared_by_user_id is None
    frozen.advance(timedelta(minutes=5))
    feed(db, [(code, frozen.now(), 352.0)])  # a new crossing is a new alarm
    assert [a.state for a in alarms_of(db, code)] == ["cleared", "open"]


def test_rate_of_change_per_hour(city, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "crack_meter")
    make_rule(db, point, "crack_meter", "rate_h", 3.0, 1.0, level="orange")
    start = frozen.now() - timedelta(hours=2)
    # 10-minute readings: +0.1 mm (0.6 mm/h), then +0.5 mm (3 mm/h), then flat
    values = [20.0, 20.1, 20.2, 20.7, 21.2, 21.2, 21.2]
    times = every(start, 10, len(values))
    feed(db, list(zip([code] * 3, times[:3], values[:3], strict=True)))
    assert alarms_of(db, code) == []
    feed(db, list(zip([code] * 2, times[3:5], values[3:5], strict=True)))
    [alarm] = alarms_of(db, code)
    assert alarm.metric == "rate_h" and alarm.value == 3.0 and alarm.state == "open"
    feed(db, list(zip([code] * 2, times[5:], values[5:], strict=True)))
    assert alarms_of(db, code)[0].state == "cleared"


def test_rain_windows_of_one_three_and_twenty_four_hours(city, frozen):
    db = city.db
    point = make_point(db, city.group_a, kind="flash_flood")
    code = make_sensor(db, point, "rain_gauge")
    make_rule(db, point, "rain_gauge", "sum_1h", 30.0, 10.0, level="blue")
    make_rule(db, point, "rain_gauge", "sum_3h", 60.0, 40.0, level="orange")
    make_rule(db, point, "rain_gauge", "sum_24h", 120.0, 100.0, level="red")
    now = frozen.now()
    # 20 hours of 0.2 mm every 5 minutes (48 mm), then 3 hours of storm
    steady = every(now - timedelta(hours=23), 5, 240)
    feed(db, [(code, t, 0.2) for t in steady])
    assert alarms_of(db, code) == []
    storm = every(now - timedelta(hours=3) + timedelta(minutes=5), 5, 36)
    feed(db, [(code, t, 2.1) for t in storm[:12]])  # 25.2 mm in the first hour: below 30 (24 h: 73.2)
    assert alarms_of(db, code) == []
    feed(db, [(code, t, 2.6) for t in storm[12:24]])  # 31.2 mm in an hour (24 h: 104.4, below 120)
    assert [a.metric for a in alarms_of(db, code)] == ["sum_1h"]
    feed(db, [(code, t, 2.6) for t in storm[24:]])  # 3 h = 87.6 mm; 24 h = 48 + 87.6 = 135.6 mm
    got = {a.metric: a for a in alarms_of(db, code)}
    assert set(got) == {"sum_1h", "sum_3h", "sum_24h"}
    assert round(got["sum_3h"].peak_value, 1) == 87.6
    assert got["sum_24h"].level == "red"
    # the rain stops and no reading comes: the sweep slides the windows with the clock
    frozen.advance(timedelta(hours=1, minutes=5))
    with db.writing(Actor.system("tests")) as session:
        sweep.sweep(session)
    states = {a.metric: a.state for a in alarms_of(db, code)}
    assert states == {"sum_1h": "cleared", "sum_3h": "open", "sum_24h": "open"}  # 3 h: 59.8 mm > 40
    frozen.advance(timedelta(hours=2))
    with db.writing(Actor.system("tests")) as session:
        sweep.sweep(session)
    states = {a.metric: a.state for a in alarms_of(db, code)}
    assert states == {"sum_1h": "cleared", "sum_3h": "cleared", "sum_24h": "open"}


def test_default_rules_apply_without_own_rules_and_point_rules_win(city, frozen):
    db = city.db
    plain = make_sensor(db, make_point(db, city.group_a), "gas_lel")
    own_point = make_point(db, city.group_a)
    own = make_sensor(db, own_point, "gas_lel")
    make_rule(db, own_point, "gas_lel", "value", 80.0, 70.0, level="red")
    now = frozen.now()
    feed(db, [(plain, now, 30.0), (own, now, 30.0)])
    assert [a.rule_key for a in alarms_of(db, plain)] == ["default:gas_orange"]  # GB/T 50493: 25 %LEL
    assert alarms_of(db, own) == []  # the point's rule (80) replaced the defaults


def test_a_place_rule_applies_to_its_subtree_only(city, frozen):
    db = city.db
    principal = principal_of(db, "county")
    with db.writing(principal.as_actor()) as session:
        rule = alarm_rules.create(
            session,
            principal,
            RuleIn(
                jurisdiction_code=city.town_b,
                sensor_kind="temperature",
                metric="value",
                raise_at=30.0,
                clear_at=25.0,
                level="yellow",
            ),
        )
    inside = make_sensor(db, make_point(db, city.town_b + "001001", kind="forest_fire"), "temperature")
    outside = make_sensor(db, make_point(db, city.group_a, kind="forest_fire"), "temperature")
    feed(db, [(inside, frozen.now(), 31.0), (outside, frozen.now(), 31.0)])
    assert [a.rule_key for a in alarms_of(db, inside)] == [f"rule:{rule.id}"]
    assert alarms_of(db, outside) == []  # the default (60 °C) applies there


def test_a_second_ingest_of_the_same_readings_raises_nothing_more(city, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "gas_lel")
    readings = [(code, frozen.now() - timedelta(minutes=1), 55.0)]
    first = feed(db, readings)
    again = feed(db, readings)
    assert len(first.alarms_raised) == 2  # orange (25) and red (50)
    assert again.accepted == 0 and again.rejected["duplicate"] == 1 and again.alarms_raised == []
    assert len(alarms_of(db, code)) == 2
