"""Grading: every threshold of every table at value − 1, value and value + 1, the highest measure
wins, explanations name the law and article, bad measures are clear errors."""

from __future__ import annotations

import pytest

from yingji.core.errors import ValidationFailed
from yingji.rules import grading, tables

# Thresholds as RULES.md states them (an independent copy: a wrong number in the JSON fails here).
# (kind, measure, grade, threshold, grade just below it)
THRESHOLDS = [
    ("production_safety", "deaths", "I", 30, "II"),
    ("production_safety", "deaths", "II", 10, "III"),
    ("production_safety", "deaths", "III", 3, "IV"),
    ("production_safety", "serious_injuries", "I", 100, "II"),
    ("production_safety", "serious_injuries", "II", 50, "III"),
    ("production_safety", "serious_injuries", "III", 10, "IV"),
    ("production_safety", "direct_loss_cny", "I", 100_000_000, "II"),
    ("production_safety", "direct_loss_cny", "II", 50_000_000, "III"),
    ("production_safety", "direct_loss_cny", "III", 10_000_000, "IV"),
    ("geological_damage", "deaths", "I", 30, "II"),
    ("geological_damage", "deaths", "II", 10, "III"),
    ("geological_damage", "deaths", "III", 3, "IV"),
    ("geological_damage", "direct_loss_cny", "I", 10_000_000, "II"),
    ("geological_damage", "direct_loss_cny", "II", 5_000_000, "III"),
    ("geological_damage", "direct_loss_cny", "III", 1_000_000, "IV"),
    ("geological_threat", "threatened_people", "I", 1000, "II"),
    ("geological_threat", "threatened_people", "II", 500, "III"),
    ("geological_threat", "threatened_people", "III", 100, "IV"),
    ("geological_threat", "potential_loss_cny", "I", 100_000_000, "II"),
    ("geological_threat", "potential_loss_cny", "II", 50_000_000, "III"),
    ("geological_threat", "potential_loss_cny", "III", 5_000_000, "IV"),
    ("natural_disaster_relief", "dead_or_missing", "I", 200, "II"),
    ("natural_disaster_relief", "dead_or_missing", "II", 100, "III"),
    ("natural_disaster_relief", "dead_or_missing", "III", 50, "IV"),
    ("natural_disaster_relief", "dead_or_missing", "IV", 20, None),
    ("natural_disaster_relief", "needing_aid", "I", 2_000_000, "II"),
    ("natural_disaster_relief", "needing_aid", "II", 1_000_000, "III"),
    ("natural_disaster_relief", "needing_aid", "III", 500_000, "IV"),
    ("natural_disaster_relief", "needing_aid", "IV", 100_000, None),
    ("natural_disaster_relief", "collapsed_rooms", "I", 300_000, "II"),
    ("natural_disaster_relief", "collapsed_rooms", "II", 200_000, "III"),
    ("natural_disaster_relief", "collapsed_rooms", "III", 100_000, "IV"),
    ("natural_disaster_relief", "collapsed_rooms", "IV", 10_000, None),
    ("natural_disaster_relief", "collapsed_households", "I", 100_000, "II"),
    ("natural_disaster_relief", "collapsed_households", "II", 70_000, "III"),
    ("natural_disaster_relief", "collapsed_households", "III", 30_000, "IV"),
    ("natural_disaster_relief", "collapsed_households", "IV", 3_000, None),
]
LABELS = {
    "production_safety": {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"},
    "geological_damage": {"I": "特大型", "II": "大型", "III": "中型", "IV": "小型"},
    "geological_threat": {"I": "特大型", "II": "大型", "III": "中型", "IV": "小型"},
    "natural_disaster_relief": {"I": "一级响应", "II": "二级响应", "III": "三级响应", "IV": "四级响应"},
}
LAWS = {
    "production_safety": "生产安全事故报告和调查处理条例",
    "geological_damage": "地质灾害防治条例",
    "geological_threat": "国家突发地质灾害应急预案",
    "natural_disaster_relief": "国家自然灾害救助应急预案",
}


def _case_id(case) -> str:
    return f"{case[0]}-{case[1]}-{case[2]}"


@pytest.mark.parametrize("case", THRESHOLDS, ids=_case_id)
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_each_threshold_at_and_around(case, delta):
    kind, measure, grade, threshold, below = case
    result = grading.grade(kind, {measure: threshold + delta})
    expected = below if delta < 0 else grade
    assert result.grade == expected
    assert result.label == (LABELS[kind][expected] if expected else None)
    assert result.basis and all(LAWS[kind] in line for line in result.basis[:1])


def test_every_threshold_in_the_tables_is_tested():
    listed = {(k, m, g) for k, m, g, _, _ in THRESHOLDS}
    in_tables = set()
    for kind, name in tables.GRADING_TABLE_OF_KIND.items():
        for grade, row in tables.base(name)["kinds"][kind]["grades"].items():
            in_tables |= {
                (kind, m, grade) for m, t in row.get("thresholds", {}).items() if t["min"] is not None
            }
    assert in_tables == listed


def test_explanation_names_the_article_and_keeps_the_facts():
    result = grading.grade("production_safety", {"deaths": 3})
    assert result.as_json() == {
        "grade": "III",
        "label": "较大",
        "basis": ["较大: 死亡 3 人 ≥ 3 (生产安全事故报告和调查处理条例 第三条第三项)"],
    }
    (fact,) = result.facts
    assert fact == {
        "grade": "III",
        "measure": "deaths",
        "value": 3,
        "op": ">=",
        "threshold": 3,
        "law": "生产安全事故报告和调查处理条例",
        "article": "第三条第三项",
        "confidence": "text",
    }


def test_the_highest_grade_reached_by_any_measure_wins():
    result = grading.grade("production_safety", {"deaths": 3, "serious_injuries": 50, "direct_loss_cny": 1})
    assert (result.grade, result.label) == ("II", "重大")
    assert result.basis == [
        "重大: 重伤（含急性工业中毒） 50 人 ≥ 50 (生产安全事故报告和调查处理条例 第三条第二项)"
    ]
    both = grading.grade("geological_damage", {"deaths": 10, "direct_loss_cny": 6_000_000})
    assert both.grade == "II" and len(both.basis) == 2
    assert "直接经济损失 600 万元 ≥ 500 万元" in both.basis[1]


def test_below_every_threshold_is_the_lowest_grade_or_none_for_relief():
    low = grading.grade("production_safety", {})
    assert (low.grade, low.label) == ("IV", "一般")
    assert low.basis[0].startswith("一般: 未达较大标准 — 死亡 0 人 < 3")
    assert "第三条第四项" in low.basis[0]
    none = grading.grade("natural_disaster_relief", {"dead_or_missing": 19, "needing_aid": 99_999})
    assert none.as_json()["grade"] is None and none.label is None
    assert none.basis[0].startswith("未达四级响应标准: 死亡和失踪 19 人 < 20")
    assert {f["op"] for f in none.facts} == {"<"}


def test_relief_counts_dead_and_missing_together_when_not_given():
    assert grading.grade("natural_disaster_relief", {"deaths": 15, "missing": 5}).grade == "IV"
    assert grading.grade("natural_disaster_relief", {"deaths": 15, "missing": 4}).grade is None
    given = grading.grade("natural_disaster_relief", {"dead_or_missing": 5, "deaths": 30})
    assert given.grade is None  # an explicit figure wins over the parts


def test_missing_persons_are_reported_but_not_counted_by_default():
    result = grading.grade("production_safety", {"deaths": 2, "missing": 5})
    assert result.grade == "IV"
    assert any("失踪 5 人" in line and "第十二条" in line for line in result.basis)
    local = tables.effective(
        "grading_production_safety",
        [
            (
                {"kinds": {"production_safety": {"settings": {"count_missing_as_deaths": True}}}},
                {"source": "x"},
            )
        ],
    )
    counted = grading.grade(
        "production_safety", {"deaths": 2, "missing": 5}, tables={"grading_production_safety": local}
    )
    assert counted.grade == "III"


@pytest.mark.parametrize(
    "measures",
    [
        {"deaths": -1},
        {"deaths": 2.5},
        {"deaths": "3"},
        {"deaths": True},
        {"deaths": None},
        {"injured": 4},
        {"direct_loss_cny": float("nan")},
    ],
)
def test_bad_measures_are_clear_errors(measures):
    with pytest.raises(ValidationFailed) as err:
        grading.grade("production_safety", measures)
    assert err.value.details[0]["field"] == next(iter(measures))


def test_integral_floats_are_accepted_and_unknown_kinds_refused():
    assert grading.grade("production_safety", {"direct_loss_cny": 1e7}).grade == "III"
    with pytest.raises(ValidationFailed) as err:
        grading.grade("traffic", {})
    assert err.value.details[0]["field"] == "kind"


def test_event_categories_table():
    table = grading.categories()
    assert table["version"] and table["source"]
    assert [c["code"] for c in table["categories"]] == ["natural", "accident", "health", "social"]
    assert grading.subcategory("natural.geological")["grading"] == "geological_damage"
    assert grading.subcategory("accident.road_traffic")["supplementary_days"] == 7
    assert grading.subcategory("accident.fire")["supplementary_days"] == 7
    assert grading.subcategory("accident.production")["category"] == "accident"
    assert grading.subcategory("nope") is None
    topics = {t["code"] for t in tables.load("topics.json")["topics"]}
    for category in table["categories"]:
        for sub in category["subcategories"]:
            assert sub["code"].startswith(category["code"] + ".")
            assert sub["grading"] in (None, *tables.KINDS)
            assert sub["topic"] in (None, *topics)
            assert sub["gbt35561"] is None
            assert sub["supplementary_days"] == (
                7 if sub["code"] in ("accident.road_traffic", "accident.fire") else 30
            )
