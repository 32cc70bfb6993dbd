"""Exact answers of the pure rule functions (``rules/grading.py``): the error details a client
reads (field, message id, params), the amounts and durations in the explanations, whole grading
explanations and deadline rows. Written to kill the mutants ``mutmut`` left alive (docs/MUTATION.md):
each assertion pins what a reader or a client relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yingji.core.errors import ValidationFailed
from yingji.rules import grading as r
from yingji.rules import messages as msg
from yingji.rules.tables import KINDS

CST = timezone(timedelta(hours=8))
LAW_493 = "生产安全事故报告和调查处理条例"


def details(call, *args, **kw) -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kw)
    return caught.value.details


def test_refusals_name_the_field_and_the_message():
    assert details(r.check_kind, "flood") == [
        {"field": "kind", "message": msg.UNKNOWN_KIND, "params": {"choices": ", ".join(KINDS)}}
    ]
    assert (
        ", ".join(KINDS) == "production_safety, geological_damage, geological_threat, natural_disaster_relief"
    )
    assert details(r.check_grade, None) == [{"field": "grade", "message": msg.GRADE_REQUIRED}]
    assert details(r.check_grade, "V") == [{"field": "grade", "message": msg.UNKNOWN_GRADE}]
    assert details(r.check_grade, "V", required=False) == [{"field": "grade", "message": msg.UNKNOWN_GRADE}]
    assert r.check_grade(None, required=False) is None and r.check_grade("II") == "II"
    assert details(r.clean_measures, {"foo": 1, "deaths": -1, "missing": 1.5, "serious_injuries": True}) == [
        {"field": "foo", "message": msg.UNKNOWN_FIELD},
        {"field": "deaths", "message": msg.WHOLE_NUMBER},
        {"field": "missing", "message": msg.WHOLE_NUMBER},
        {"field": "serious_injuries", "message": msg.WHOLE_NUMBER},
    ]
    assert r.clean_measures({"deaths": 0, "missing": 2.0}) == {"deaths": 0, "missing": 2}
    assert r.clean_measures(None) == {}
    naive = datetime(2026, 11, 24, 23, 30)
    assert details(r.reporting_deadlines, "production_safety", "IV", naive) == [
        {"field": "received_at", "message": msg.AWARE_TIME}
    ]
    assert details(r.end_of_period, naive, 7) == [{"field": "start", "message": msg.AWARE_TIME}]
    assert details(r.end_of_period, datetime(9999, 12, 30, tzinfo=UTC), 7) == [
        {"field": "start", "message": msg.OUT_OF_RANGE}
    ]
    assert details(
        r.reporting_deadlines, "production_safety", "IV", datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    ) == [{"field": "received_at", "message": msg.OUT_OF_RANGE}]
    assert details(r.supplementary_days, "natural.nope") == [
        {"field": "category", "message": msg.UNKNOWN_CATEGORY}
    ]
    for bad in (61, -1, "5"):
        assert details(
            r.investigation_deadline, "IV", datetime(2026, 1, 1, tzinfo=CST), extension_days=bad
        ) == [{"field": "extension_days", "message": msg.EXTENSION_TOO_LONG, "params": {"days": 60}}]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0 元"),
        (9_999, "9999 元"),
        (10_000, "1 万元"),
        (10_001, "10001 元"),
        (20_000, "2 万元"),
        (99_990_000, "9999 万元"),
        (100_000_000, "1 亿元"),
        (150_000_000, "15000 万元"),
        (200_000_000, "2 亿元"),
        (200_000_001, "200000001 元"),
    ],
)
def test_money_in_the_largest_whole_unit(value, text):
    assert r._money(value) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "立即"),
        (1, "1 分钟"),
        (59, "59 分钟"),
        (60, "1 小时"),
        (61, "1 小时 1 分钟"),
        (125, "2 小时 5 分钟"),
    ],
)
def test_durations_in_hours_and_minutes(minutes, text):
    assert r._duration(minutes) == text


def test_grading_explanations_in_full():
    ps = r.grade("production_safety", {"deaths": 2, "missing": 1})
    assert (ps.grade, ps.label) == ("IV", "一般")
    assert ps.basis == [
        "一般: 未达较大标准 — 死亡 2 人 < 3; 重伤（含急性工业中毒） 0 人 < 10; "
        f"直接经济损失 0 元 < 1000 万元 ({LAW_493} 第三条第四项)",
        f"失踪 1 人：须报告，不计入等级（{LAW_493} 第十二条；可按辖区设置）",
    ]
    assert ps.facts[0] == {
        "grade": "III",
        "measure": "deaths",
        "value": 2,
        "op": "<",
        "threshold": 3,
        "law": LAW_493,
        "article": "第三条第三项",
        "confidence": "text",
    }
    assert [f["measure"] for f in ps.facts] == ["deaths", "serious_injuries", "direct_loss_cny"]
    top = r.grade("production_safety", {"direct_loss_cny": 150_000_000, "deaths": 1})
    assert (top.grade, top.label) == ("I", "特别重大")
    assert top.basis == [f"特别重大: 直接经济损失 15000 万元 ≥ 1 亿元 ({LAW_493} 第三条第一项)"]
    assert top.facts == [
        {
            "grade": "I",
            "measure": "direct_loss_cny",
            "value": 150_000_000,
            "op": ">=",
            "threshold": 100_000_000,
            "law": LAW_493,
            "article": "第三条第一项",
            "confidence": "text",
        }
    ]
    assert top.as_json() == {"grade": "I", "label": "特别重大", "basis": top.basis}
    relief = r.grade("natural_disaster_relief", {"deaths": 1})
    assert (relief.grade, relief.label) == (None, None)
    assert relief.basis == [
        "未达四级响应标准: 死亡和失踪 1 人 < 20; 紧急转移安置或需紧急生活救助 0 人 < 100000; "
        "倒塌和严重损坏房屋 0 间 < 10000; 倒塌和严重损坏房屋 0 户 < 3000 "
        "(国家自然灾害救助应急预案 四级响应启动条件)",
        "死亡和失踪 1 人 = 死亡 1 人 + 失踪 0 人",
    ]
    assert relief.facts[0]["grade"] == "IV" and relief.facts[0]["value"] == 1
    assert r.grade("natural_disaster_relief", {}).basis[1:] == []  # nothing to add up, no note
    geo = r.grade("geological_damage", {"deaths": 0})
    assert geo.basis == [
        "小型: 未达中型标准 — 死亡 0 人 < 3; 直接经济损失 0 元 < 100 万元 (地质灾害防治条例 第四条第四项)"
    ]


def test_deadline_rows_in_full():
    received = datetime(2026, 11, 24, 23, 30, tzinfo=CST)
    rows = r.reporting_deadlines("production_safety", "III", received, measures={"deaths": 3})
    assert [(x.to, x.due_at, x.channel, x.step) for x in rows][:3] == [
        ("county", received + timedelta(hours=1), "report", "to_county"),
        ("city", received + timedelta(hours=3), "report", "to_city"),
        ("province", received + timedelta(hours=5), "report", "to_province"),
    ]
    assert rows[0].basis == (
        "事故单位负责人接到报告后 1 小时内报告县级安全生产监督管理部门和负有安全生产监督管理职责的有关部门"
        f"（最迟 接报后 1 小时）({LAW_493} 第九条)"
    )
    assert (rows[0].law, rows[0].article) == (LAW_493, "第九条")
    assert all(x.due_at.utcoffset() == timedelta(hours=8) for x in rows)  # received_at's zone kept
    relief = r.reporting_deadlines("natural_disaster_relief", None, received)
    assert [(x.to, x.due_at - received) for x in relief] == [
        ("city", timedelta(hours=2)),
        ("province", timedelta(hours=4)),
        ("national", timedelta(hours=6)),
    ]
    assert relief[-1].basis.endswith(
        "（最迟 接报后 6 小时）(自然灾害情况统计调查制度（应急管理部） 逐级上报时限)"
    )


def test_periods_end_at_local_midnight():
    start = datetime(2026, 1, 1, 23, 0, tzinfo=UTC)  # 07:00 on 2 January in Beijing
    assert r.end_of_period(start, 7) == datetime(2026, 1, 10, 0, 0, tzinfo=CST)
    assert r.end_of_period(start, 7).tzinfo is UTC
    assert r.supplementary_days("accident.fire") == 7 and r.supplementary_days("natural") == 30
    assert r.supplementary_deadline("accident.fire", start) == r.end_of_period(start, 7)
    occurred = datetime(2026, 3, 1, 10, 0, tzinfo=CST)
    assert r.investigation_deadline(None, occurred) == datetime(2026, 5, 1, 0, 0, tzinfo=CST)
    assert r.investigation_deadline("I", occurred, extension_days=60) == datetime(
        2026, 6, 30, 0, 0, tzinfo=CST
    )
    assert r.investigation_deadline("I", occurred, extension_days=0) == r.investigation_deadline(
        "I", occurred
    )


# -- tables as a jurisdiction may load them: keys left out take their documented defaults ---------
def _grading(spec: dict) -> dict:
    return {"grading_production_safety": {"kinds": {"production_safety": spec}}}


SPARSE = {
    "grades": {
        "I": {"label": "甲", "thresholds": {"deaths": {"min": 10}, "serious_injuries": {"min": 1}}},
        "II": {"label": "乙"},  # no thresholds at all
        "III": {"label": "丙", "thresholds": {"direct_loss_cny": {"min": None}, "deaths": {"min": 3}}},
    },
    "measures": ["deaths", "serious_injuries", "direct_loss_cny"],
}


def test_sparse_tables_grade_with_empty_citations():
    """A threshold without law, article or confidence cites nothing ("", not None); a measure not
    given counts as 0; a threshold without a minimum is skipped, not the end of its row."""
    reached = r.grade("production_safety", {"deaths": 3}, tables=_grading(SPARSE))
    assert (reached.grade, reached.label, reached.basis) == ("III", "丙", ["丙: 死亡 3 人 ≥ 3 ()"])
    fact = {"grade": "III", "measure": "deaths", "value": 3, "op": ">=", "threshold": 3}
    assert reached.facts == [fact | {"law": "", "article": "", "confidence": ""}]
    below = r.grade("production_safety", {"deaths": 0}, tables=_grading(SPARSE))
    assert (below.grade, below.basis) == (None, ["未达丙标准: 死亡 0 人 < 3 ()"])
    assert below.facts == [fact | {"value": 0, "op": "<", "law": "", "article": "", "confidence": ""}]
    no_minimum = {"grades": {"I": {"label": "甲", "thresholds": {"deaths": {"min": None}}}}}
    assert r.grade("production_safety", {}, tables=_grading(no_minimum | {"law": "某法"})).basis == [
        "未达标准:  (某法)"
    ]
    assert r.grade("production_safety", {}, tables=_grading(no_minimum)).basis == ["未达标准:  ()"]
    floor = {"IV": {"label": "丁", "floor": True}}
    with_floor = {"grades": no_minimum["grades"] | floor}
    assert r.grade("production_safety", {}, tables=_grading(with_floor)).basis == ["丁: 未达标准 —  ()"]
    unlabelled = {"III": {"thresholds": {"deaths": {"min": 3}}}}
    assert r.grade("production_safety", {}, tables=_grading({"grades": unlabelled | floor})).basis == [
        "丁: 未达标准 — 死亡 0 人 < 3 ()"
    ]
    assert r.grade("production_safety", {}, tables=_grading({"grades": unlabelled})).basis == [
        "未达标准: 死亡 0 人 < 3 ()"
    ]


def test_effective_values_and_their_notes():
    counted = r._effective_values(
        "production_safety", {"settings": {"count_missing_as_deaths": True}}, {"deaths": 2, "missing": 1}
    )
    assert counted == ({"deaths": 3, "missing": 1}, ["死亡 2 人 + 失踪 1 人计入死亡人数（本地设置）"])
    assert r._effective_values("production_safety", {}, {"deaths": 2, "missing": 1}) == (
        {"deaths": 2, "missing": 1},
        ["失踪 1 人：须报告，不计入等级（ 第十二条；可按辖区设置）"],
    )
    relief = {"measures": ["dead_or_missing"]}
    assert r._effective_values("natural_disaster_relief", relief, {"deaths": 2, "missing": 1}) == (
        {"deaths": 2, "missing": 1, "dead_or_missing": 3},
        ["死亡和失踪 3 人 = 死亡 2 人 + 失踪 1 人"],
    )
    off = relief | {"settings": {"dead_or_missing_from_parts": False}}
    assert r._effective_values("natural_disaster_relief", off, {"deaths": 2, "missing": 1}) == (
        {"deaths": 2, "missing": 1},
        [],
    )
    assert r._effective_values("natural_disaster_relief", {}, {"deaths": 2}) == ({"deaths": 2}, [])


def test_step_offsets_follow_the_chain_and_stop_on_a_cycle():
    chain = {"a": {"minutes": 10}, "b": {"after": "a"}, "c": {"after": "b", "minutes": 7}}
    assert r._step_offsets(chain) == {"a": 10, "b": 10, "c": 17}
    # A table that loops (a mistake in an override) ends after one turn round the loop, no crash.
    assert r._step_offsets({"a": {"after": "b", "minutes": 10}, "b": {"after": "a", "minutes": 5}}) == {
        "b": 20,
        "a": 30,
    }
    three = {
        "a": {"after": "c", "minutes": 1},
        "b": {"after": "a", "minutes": 2},
        "c": {"after": "b", "minutes": 4},
    }
    assert r._step_offsets(three) == {"c": 11, "a": 12, "b": 7}
    assert r._applies({"when": {"deaths": 1}}, None, {}) is False  # a measure not given is 0
    assert r._applies({"when": {"deaths": 0}}, None, {}) is True


OBLIGATIONS = {
    "reporting_obligations": {
        "kind_obligations": {"production_safety": "x"},
        "obligations": {
            "x": {  # no grade_required (a grade is), no common steps
                "steps": {
                    "now": {"to": "county", "minutes": 0},
                    "first": {
                        "to": "city",
                        "minutes": 60,
                        "zh": "先报",
                        "law": "某法",
                        "article": "第一条",
                        "channel": "phone",
                    },
                    "same": {"to": "city", "minutes": 60, "zh": "同时", "channel": "phone"},
                    "unit": {"to": "unit", "minutes": 0},
                    "big": {"to": "province", "minutes": 30, "when": {"deaths": 3}},
                }
            }
        },
    }
}


def test_sparse_obligations_take_their_defaults():
    received = datetime(2026, 11, 24, 23, 30, tzinfo=CST)
    rows = r.reporting_deadlines(
        "production_safety", "IV", received, tables=OBLIGATIONS, measures={"deaths": 3}
    )
    assert rows == [
        r.DeadlineSpec("county", received, "now（立即）()", "report", "now", "", ""),
        r.DeadlineSpec("unit", received, "unit（立即）()", "report", "unit", "", ""),  # unknown level last
        r.DeadlineSpec(
            "province",
            received + timedelta(minutes=30),
            "big（最迟 接报后 30 分钟）()",
            "report",
            "big",
            "",
            "",
        ),
        # two steps to the same level and channel at the same time: the first one stays
        r.DeadlineSpec(
            "city",
            received + timedelta(hours=1),
            "先报（最迟 接报后 1 小时）(某法 第一条)",
            "phone",
            "first",
            "某法",
            "第一条",
        ),
    ]
    assert [
        x.step for x in r.reporting_deadlines("production_safety", "IV", received, tables=OBLIGATIONS)
    ] == [
        "now",
        "unit",
        "first",
    ]
    assert details(r.reporting_deadlines, "production_safety", None, received, tables=OBLIGATIONS) == [
        {"field": "grade", "message": msg.GRADE_REQUIRED}
    ]
