"""Exact answers of the rule-table loader (``rules/tables.py``): the shipped tables as they are on
disk, whole merged tables with the source marks of the rows an override replaced, the provenance
list, and the refusals of an override's own shape. Written against the mutants ``mutmut`` left
alive (docs/MUTATION.md); the validation of a merged table is in ``test_tables_checks.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yingji.core.errors import ValidationFailed
from yingji.rules import load, tables

RULES_DIR = Path(tables.__file__).resolve().parent


def details(call, *args) -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args)
    return caught.value.details


def on_disk(name: str) -> dict:
    return json.loads((RULES_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", tables.TABLE_NAMES)
def test_the_shipped_tables_load_unchanged_and_are_valid(name):
    assert tables.base(name) == on_disk(name)
    assert tables.table(None, name) == on_disk(name)
    assert tables.effective(name, []) == {**on_disk(name), "overrides": []}
    assert tables.validate(name, tables.base(name)) is None


def test_an_unknown_table_is_refused_by_name():
    assert details(tables.base, "grading_floods") == [{"field": "table", "message": "Unknown rule table."}]


def test_base_is_a_fresh_copy_all_the_way_down():
    first = tables.base("grading_production_safety")
    first["kinds"]["production_safety"]["grades"]["I"]["thresholds"]["deaths"]["min"] = 1
    first["kinds"]["production_safety"]["measures"].append("missing")
    assert tables.base("grading_production_safety") == on_disk("grading_production_safety")
    assert load("grading_production_safety.json") == on_disk("grading_production_safety")


def test_table_takes_the_effective_one_when_given_else_the_national_one():
    local = {"kinds": {}}
    assert tables.table({"relief_response": local}, "relief_response") is local
    assert tables.table({"relief_response": local}, "drill_frequency") == on_disk("drill_frequency")
    assert tables.table({}, "relief_response") == on_disk("relief_response")


def test_a_changed_threshold_replaces_the_row_and_cites_the_override():
    overlay = {
        "kinds": {
            "production_safety": {
                "grades": {
                    "III": {"thresholds": {"deaths": {"min": 2}}},
                    "II": {"thresholds": {"deaths": {"min": 8, "law": "某省条例", "article": "第五条"}}},
                },
                "settings": {"count_missing_as_deaths": True},
            }
        }
    }
    got = tables.effective("grading_production_safety", [(overlay, {"source": "某省办法 第三条"})])
    want = tables.base("grading_production_safety")
    ps = want["kinds"]["production_safety"]
    # the row is new: not the law, article or confidence of the national limit it replaced
    ps["grades"]["III"]["thresholds"]["deaths"] = {
        "min": 2,
        "law": "某省办法 第三条",
        "article": "",
        "confidence": "local",
    }
    ps["grades"]["II"]["thresholds"]["deaths"] = {
        "min": 8,
        "law": "某省条例",
        "article": "第五条",
        "confidence": "local",
    }
    ps["settings"]["count_missing_as_deaths"] = True  # a dict merges: the basis text stays
    want["overrides"] = [{"source": "某省办法 第三条"}]
    assert got == want


def test_a_changed_drill_interval_replaces_the_row_whole():
    overlay = {"subjects": {"special_plan": {"months": 24, "scope": "comprehensive"}}}
    got = tables.effective("drill_frequency", [(overlay, {"jurisdiction_code": "520602", "version": "v2"})])
    # no source: the place's code marks the row
    assert got["subjects"]["special_plan"] == {
        "months": 24,
        "scope": "comprehensive",
        "law": "520602",
        "article": "",
        "confidence": "local",
    }
    assert got["subjects"]["town"] == on_disk("drill_frequency")["subjects"]["town"]
    assert got["overrides"] == [{"jurisdiction_code": "520602", "version": "v2"}]


def test_a_row_without_source_or_place_cites_nothing():
    got = tables.effective("drill_frequency", [({"subjects": {"town": {"months": 6}}}, {"source": ""})])
    assert got["subjects"]["town"] == {"months": 6, "law": "", "article": "", "confidence": "local"}


def test_overlays_apply_farthest_first_and_each_is_listed():
    province = (
        {"obligations": {"production_safety": {"steps": {"to_county": {"to": "county", "minutes": 45}}}}},
        {"jurisdiction_code": "52", "version": "p1", "source": "省办法", "id": 1},
    )
    county = (
        {
            "obligations": {"production_safety": {"steps": {"to_county": {"to": "county", "minutes": 30}}}},
            "common_steps": {"village": {"to": "town", "minutes": 10, "channel": "oral"}},
        },
        {"jurisdiction_code": "520602", "version": "c1", "source": "", "id": 2},
    )
    got = tables.effective("reporting_obligations", [province, county])
    steps = got["obligations"]["production_safety"]["steps"]
    assert steps["to_county"] == {
        "to": "county",
        "minutes": 30,
        "law": "520602",
        "article": "",
        "confidence": "local",
    }
    assert (
        steps["to_city"]
        == on_disk("reporting_obligations")["obligations"]["production_safety"]["steps"]["to_city"]
    )
    assert got["common_steps"] == {
        "village": {
            "to": "town",
            "minutes": 10,
            "channel": "oral",
            "law": "520602",
            "article": "",
            "confidence": "local",
        }
    }
    assert got["overrides"] == [province[1], county[1]]
    assert got["overrides"][0] is not province[1]  # a copy of each provenance


def test_merge_adds_new_parts_and_replaces_what_is_not_a_dict():
    target = {"a": {"x": 1, "y": {"z": 2}}, "b": {"k": 1}, "c": [1, 2], "d": 5}
    overlay = {
        "a": {"y": {"w": 3}},  # dicts merge key by key
        "b": 7,  # a dict given as a value is replaced, not merged into
        "c": {"new": True},  # a dict where the target has none is taken as it is
        "n": {"steps": {"s": {"to": "town", "minutes": 5}}},  # a new part: not a row, copied whole
    }
    assert tables.merge(target, overlay, "src") is target
    assert target == {
        "a": {"x": 1, "y": {"z": 2, "w": 3}},
        "b": 7,
        "c": {"new": True},
        "d": 5,
        "n": {"steps": {"s": {"to": "town", "minutes": 5}}},
    }
    # a part that is not a row is a deep copy: changing the overlay later leaves the table alone
    overlay["n"]["steps"]["s"]["minutes"] = 99
    overlay["c"]["new"] = False
    assert target["n"]["steps"]["s"]["minutes"] == 5 and target["c"] == {"new": True}


def test_what_counts_as_a_row():
    for row in ({"min": None}, {"minutes": 0}, {"months": 1}):
        assert tables.merge({"r": {"law": "old", "zh": "旧"}}, {"r": row}, "new") == {
            "r": {**row, "law": "new", "article": "", "confidence": "local"}
        }
    # a dict without min / minutes / months merges into what is there
    assert tables.merge({"r": {"law": "old", "zh": "旧"}}, {"r": {"zh": "新"}}, "new") == {
        "r": {"law": "old", "zh": "新"}
    }
    assert tables.merge({}, {"r": ["min"]}, "new") == {"r": ["min"]}


def test_an_override_must_be_an_object_without_the_header():
    for data in (None, [], {}, "x", [{"kinds": {}}]):
        assert details(tables.check_overlay_shape, data) == [
            {"field": "data", "message": "Give the override as a JSON object."}
        ]
    assert details(
        tables.check_overlay_shape, {"version": "2", "kinds": {}, "source": "x", "overrides": []}
    ) == [
        {"field": "data.overrides", "message": "Set this in the override's own fields."},
        {"field": "data.source", "message": "Set this in the override's own fields."},
        {"field": "data.version", "message": "Set this in the override's own fields."},
    ]
    assert tables.check_overlay_shape({"kinds": {}}) is None
