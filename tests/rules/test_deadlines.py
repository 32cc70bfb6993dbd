"""Reporting deadlines: chains per grade, across midnight and time zones, at-once triggers, local
steps from overrides; the 补报 window and the investigation-report deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yingji.core.errors import ValidationFailed
from yingji.rules import grading, tables

T = datetime.fromisoformat("2026-11-24T23:30:00+08:00")


def _offsets(specs) -> list[tuple[str, timedelta]]:
    return [(d.to, d.due_at - T) for d in specs]


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        ("IV", [("county", 1), ("city", 3)]),
        ("III", [("county", 1), ("city", 3), ("province", 5)]),
        ("II", [("county", 1), ("city", 3), ("province", 5), ("national", 7)]),
        ("I", [("county", 1), ("city", 3), ("province", 5), ("national", 7)]),
    ],
)
def test_production_safety_chain_by_grade(grade, expected):
    specs = grading.reporting_deadlines("production_safety", grade, T, "520602")
    assert _offsets(specs) == [(to, timedelta(hours=h)) for to, h in expected]
    assert all(d.due_at.utcoffset() == timedelta(hours=8) for d in specs)
    assert "第九条" in specs[0].basis and "生产安全事故报告和调查处理条例" in specs[0].basis
    assert "第十一条" in specs[1].basis and "最迟 接报后 3 小时" in specs[1].basis


def test_deadlines_cross_midnight_and_keep_the_offset():
    specs = grading.reporting_deadlines("production_safety", "III", T, "520602")
    assert [d.due_at.isoformat() for d in specs] == [
        "2026-11-25T00:30:00+08:00",
        "2026-11-25T02:30:00+08:00",
        "2026-11-25T04:30:00+08:00",
    ]


def test_utc_and_local_inputs_give_the_same_instants():
    local = grading.reporting_deadlines("production_safety", "II", T, "520602")
    utc = grading.reporting_deadlines("production_safety", "II", T.astimezone(UTC), "520602")
    assert [d.due_at for d in local] == [d.due_at for d in utc]
    assert utc[0].due_at.tzinfo == UTC and utc[0].due_at.isoformat() == "2026-11-24T16:30:00+00:00"
    other = grading.reporting_deadlines(
        "production_safety", "IV", T.astimezone(timezone(timedelta(hours=-5)))
    )
    assert other[0].due_at.isoformat() == "2026-11-24T11:30:00-05:00"


def test_natural_disaster_reports_and_the_at_once_trigger():
    normal = grading.reporting_deadlines("natural_disaster_relief", None, T, "520602", measures={"deaths": 9})
    assert _offsets(normal) == [
        ("city", timedelta(hours=2)),
        ("province", timedelta(hours=4)),
        ("national", timedelta(hours=6)),
    ]
    grave = grading.reporting_deadlines(
        "natural_disaster_relief", None, T, "520602", measures={"deaths": 6, "missing": 4}
    )
    assert _offsets(grave) == [
        ("province", timedelta(0)),
        ("national", timedelta(0)),
        ("city", timedelta(hours=2)),
    ]
    assert "立即" in grave[0].basis
    explicit = grading.reporting_deadlines(
        "natural_disaster_relief", "IV", T, measures={"dead_or_missing": 10}
    )
    assert explicit[0].due_at == T


def test_geological_speed_reports_by_grade():
    big = grading.reporting_deadlines("geological_damage", "II", T)
    assert _offsets(big) == [("province", timedelta(hours=4)), ("national", timedelta(hours=4))]
    middle = grading.reporting_deadlines("geological_threat", "III", T)
    assert [(d.to, d.channel, d.due_at - T) for d in middle] == [
        ("city", "report", timedelta(hours=12)),
        ("province", "copy", timedelta(hours=12)),
    ]
    assert _offsets(grading.reporting_deadlines("geological_damage", "IV", T)) == [
        ("city", timedelta(hours=12))
    ]


def test_local_steps_from_an_override_village_oral_and_phone_written_limits():
    local = {
        "common_steps": {
            "village_to_town_oral": {"to": "town", "after": "received", "minutes": 10, "channel": "oral"}
        },
        "obligations": {
            "production_safety": {
                "steps": {
                    "phone_major": {
                        "to": "province",
                        "minutes": 15,
                        "channel": "phone",
                        "grades": ["I", "II"],
                    },
                    "written_major": {
                        "to": "province",
                        "minutes": 35,
                        "channel": "written",
                        "grades": ["I", "II"],
                    },
                    "written_III": {"to": "province", "minutes": 60, "channel": "written", "grades": ["III"]},
                    "to_national": {"disabled": True},
                }
            }
        },
    }
    effective = tables.effective(
        "reporting_obligations", [(local, {"source": "某省生产安全事故报告办法 第八条"})]
    )
    tables.validate("reporting_obligations", effective)
    specs = grading.reporting_deadlines(
        "production_safety", "II", T, "520602", tables={"reporting_obligations": effective}
    )
    got = [(d.to, d.channel, int((d.due_at - T).total_seconds() // 60)) for d in specs]
    assert got == [
        ("town", "oral", 10),
        ("province", "phone", 15),
        ("province", "written", 35),
        ("county", "report", 60),
        ("city", "report", 180),
        ("province", "report", 300),
    ]
    assert "某省生产安全事故报告办法 第八条" in specs[0].basis
    geo = grading.reporting_deadlines(
        "geological_damage", "IV", T, tables={"reporting_obligations": effective}
    )
    assert geo[0].to == "town"  # common steps apply to every kind


@pytest.mark.parametrize(
    ("kind", "grade", "received_at", "field"),
    [
        ("production_safety", None, T, "grade"),
        ("production_safety", "V", T, "grade"),
        ("production_safety", "III", T.replace(tzinfo=None), "received_at"),
        ("road", "III", T, "kind"),
    ],
)
def test_bad_deadline_inputs(kind, grade, received_at, field):
    with pytest.raises(ValidationFailed) as err:
        grading.reporting_deadlines(kind, grade, received_at, "520602")
    assert err.value.details[0]["field"] == field


def test_supplementary_window_is_counted_in_days_from_the_next_day():
    # 23:30 on 24 Nov local: day 1 is 25 Nov, day 7 ends at 24:00 on 1 Dec.
    assert grading.supplementary_deadline("accident.fire", T).isoformat() == "2026-12-02T00:00:00+08:00"
    assert (
        grading.supplementary_deadline("accident.road_traffic", T).isoformat() == "2026-12-02T00:00:00+08:00"
    )
    assert grading.supplementary_deadline("accident.production", T).isoformat() == "2026-12-25T00:00:00+08:00"
    assert grading.supplementary_deadline("natural", T).isoformat() == "2026-12-25T00:00:00+08:00"
    # 16:30 UTC on 24 Nov is already 25 Nov in Shanghai: the window starts a day later.
    late = grading.supplementary_deadline("accident.fire", datetime(2026, 11, 24, 16, 30, tzinfo=UTC))
    assert late.isoformat() == "2026-12-02T16:00:00+00:00"
    with pytest.raises(ValidationFailed):
        grading.supplementary_deadline("accident.unknown", T)


def test_investigation_report_deadline():
    assert grading.investigation_deadline("III", T).isoformat() == "2027-01-24T00:00:00+08:00"
    assert (
        grading.investigation_deadline("III", T, extension_days=60).isoformat() == "2027-03-25T00:00:00+08:00"
    )
    assert grading.investigation_deadline(None, T) == grading.investigation_deadline("I", T)
    with pytest.raises(ValidationFailed):
        grading.investigation_deadline("III", T, extension_days=61)
    with pytest.raises(ValidationFailed):
        grading.investigation_deadline("V", T)
    with pytest.raises(ValidationFailed):
        grading.investigation_deadline("III", T.replace(tzinfo=None))
    assert [grading.investigation_authority(g) for g in ("I", "II", "III", "IV")] == [
        "national",
        "province",
        "city",
        "county",
    ]
