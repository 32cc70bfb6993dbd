"""Rotations and shift windows as pure functions: midnight, month ends, leap days, zoneinfo."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.duty.conftest import local, utc
from yingji.duty import rotation
from yingji.duty.rotation import Turns

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = 8 * 60 + 30  # 08:30


def test_a_shift_runs_from_its_start_to_the_next_days_start_in_utc():
    start, end = rotation.shift_window(date(2026, 11, 24), START, SHANGHAI)
    assert start == utc(2026, 11, 24, 0, 30) and end == utc(2026, 11, 25, 0, 30)


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (local(2026, 11, 25, 8, 29), date(2026, 11, 24)),  # before 08:30: yesterday's shift is still on
        (local(2026, 11, 25, 8, 30), date(2026, 11, 25)),
        (local(2026, 11, 25, 0, 0), date(2026, 11, 24)),  # midnight does not end a shift
        (local(2026, 12, 1, 3, 0), date(2026, 11, 30)),  # month end
        (local(2027, 1, 1, 7, 0), date(2026, 12, 31)),  # year end
        (local(2028, 3, 1, 8, 0), date(2028, 2, 29)),  # leap day
        (utc(2026, 11, 24, 23, 59), date(2026, 11, 24)),  # 07:59 local on the 25th
    ],
)
def test_the_shift_on_at_an_instant(at, day):
    assert rotation.shift_date_at(at, START, SHANGHAI) == day


def test_shanghai_has_no_daylight_saving_so_every_shift_lasts_24_hours():
    for d in rotation.month_days(2026, 3) + rotation.month_days(2026, 11):
        start, end = rotation.shift_window(d, START, SHANGHAI)
        assert end - start == timedelta(hours=24)


def test_a_zone_with_daylight_saving_still_gets_one_shift_a_day():
    berlin = ZoneInfo("Europe/Berlin")
    start, end = rotation.shift_window(date(2026, 3, 28), START, berlin)  # clocks go forward overnight
    assert end - start == timedelta(hours=23)
    assert rotation.shift_date_at(end - timedelta(minutes=1), START, berlin) == date(2026, 3, 28)


def test_turns_rotate_from_the_start_date_across_month_ends():
    t = Turns("officer", date(2026, 1, 30), (1, 2, 3))
    assert [t.on(date(2026, 1, 30) + timedelta(days=i)) for i in range(5)] == [[1], [2], [3], [1], [2]]
    assert t.on(date(2026, 2, 28)) == [t.members[(29) % 3]]
    assert t.on(date(2026, 1, 29)) == []  # before it starts


def test_several_per_shift_and_several_days_per_turn():
    t = Turns("officer", date(2026, 1, 1), (1, 2, 3, 4, 5), days_per_turn=2, per_shift=2)
    days = [t.on(date(2026, 1, 1) + timedelta(days=i)) for i in range(6)]
    assert days == [[1, 2], [1, 2], [3, 4], [3, 4], [5, 1], [5, 1]]


def test_the_latest_rotation_started_rules():
    old = Turns("leader", date(2026, 1, 1), (1, 2))
    new = Turns("leader", date(2026, 6, 1), (7,))
    assert rotation.current_rotation([old, new], "leader", date(2026, 5, 31)) is old
    assert rotation.current_rotation([old, new], "leader", date(2026, 6, 1)) is new
    assert rotation.current_rotation([old, new], "officer", date(2026, 6, 1)) is None


def test_overrides_replace_add_and_remove():
    assert rotation.apply_overrides([1, 2], [(3, 1)]) == [3, 2]
    assert rotation.apply_overrides([1, 2], [(3, None)]) == [1, 2, 3]
    assert rotation.apply_overrides([1, 2], [(None, 2)]) == [1]
    assert rotation.apply_overrides([1], [(2, 9)]) == [1, 2]  # the replaced person was not on
    assert rotation.apply_overrides([1, 2], [(2, 1)]) == [2]  # already on: no duplicate


def test_times_of_day():
    assert rotation.text_to_minute("8:30") == 510 and rotation.minute_to_text(510) == "08:30"
    for bad in ("24:00", "8", "08:3", "ab:cd", ""):
        with pytest.raises(ValueError):
            rotation.text_to_minute(bad)
    assert len(rotation.month_days(2028, 2)) == 29 and len(rotation.month_days(2026, 12)) == 31
