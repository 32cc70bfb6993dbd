"""Exact problems ``tables.validate`` finds in a merged rule table: field, message and their order,
for the grading tables, the reporting obligations (and their circles of waiting steps), the drill
frequencies and the limits of disaster reporting. A table of the wrong shape is refused with a
problem (a 422), never a crash. Written against the mutants ``mutmut`` left alive (docs/MUTATION.md)."""

from __future__ import annotations

import pytest

from yingji.core.errors import ValidationFailed
from yingji.rules import messages as msg
from yingji.rules import tables

WRONG = "This part of the rule table has the wrong shape."
CIRCLE = "The reporting steps wait on each other in a circle."
NO_ENTRY = "This rule table has no such entry."
LEVEL, CHANNEL, STEP = "Unknown reporting level.", "Unknown reporting channel.", "Unknown reporting step."
GRADE, MEASURE, KIND = "Unknown grade.", "Not a measure the rules know.", "Unknown kind."
MONTHS = "Give a whole number of months from 1 to 120."
HHMM = "Give a time of day as HH:MM."


def problems(name: str, tbl: dict) -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        tables.validate(name, tbl)
    return caught.value.details


def p(field: str, message: str) -> dict:
    return {"field": field, "message": message}


@pytest.mark.parametrize("name", ["grading_production_safety", "grading_geological", "relief_response"])
def test_a_grading_table_needs_kinds(name):
    for tbl in ({}, {"kinds": {}}, {"kinds": []}, {"kinds": None}):
        assert problems(name, tbl) == [p("kinds", "This rule table has no kinds.")]


def test_grading_problems_kind_by_kind_and_grade_by_grade():
    ps = {
        "settings": {
            "count_missing_as_deaths": 1,
            "count_missing_as_deaths_basis": "why",
            "local_flag": False,
        },
        "grades": {
            "V": {"thresholds": {}},
            "IV": {"thresholds": {"deaths": {"min": 40}, "serious_injuries": {"min": 0}}},
            "I": {
                "label": "特别重大",
                "thresholds": {
                    "deaths": {"min": 30, "law": "x", "article": "", "confidence": "local", "note": ""},
                    "injured": {"min": 1},
                    "missing": {"min": 5, "source": "x"},
                    "serious_injuries": {"min": -1},
                    "direct_loss_cny": {"min": True},
                },
            },
            "II": {
                "thresholds": {
                    "deaths": {"min": 40},
                    "direct_loss_cny": {"min": None},
                    "missing": [3],
                    "serious_injuries": {"min": 2.5},
                }
            },
            "III": {
                "thresholds": {
                    "deaths": {"min": 35},
                    "direct_loss_cny": {"min": 10},
                    "serious_injuries": {"min": 0},
                }
            },
        },
    }
    tbl = {
        "kinds": {
            "flood": {"grades": {}},
            "production_safety": ps,
            "geological_damage": {"settings": [], "grades": {}},
            "geological_threat": {"grades": {"I": {"thresholds": [1]}, "II": 5, "III": {"label": "none"}}},
            "natural_disaster_relief": {"settings": {}},
        }
    }
    g = "kinds.production_safety.grades"
    assert problems("grading_production_safety", tbl) == [
        p("kinds.flood", KIND),
        p("kinds.production_safety.settings.count_missing_as_deaths", "Give true or false."),
        # grades are checked from I down, whatever order the table gives them in
        p(f"{g}.I.thresholds.injured", MEASURE),
        p(f"{g}.I.thresholds.missing", WRONG),
        p(f"{g}.I.thresholds.serious_injuries", msg.WHOLE_NUMBER),
        p(f"{g}.I.thresholds.direct_loss_cny", msg.WHOLE_NUMBER),
        p(f"{g}.II.thresholds.deaths", "A lower grade cannot need more than a higher one."),
        p(f"{g}.II.thresholds.missing", WRONG),
        p(f"{g}.II.thresholds.serious_injuries", msg.WHOLE_NUMBER),
        # III (35 ≤ II's 40) passes; IV is compared with III, the nearest grade above that names deaths
        p(f"{g}.IV.thresholds.deaths", "A lower grade cannot need more than a higher one."),
        p(f"{g}.V", GRADE),
        p("kinds.geological_damage", WRONG),
        p("kinds.geological_threat.grades.I", WRONG),
        p("kinds.geological_threat.grades.II", WRONG),
        p("kinds.natural_disaster_relief", WRONG),
    ]
    assert problems("relief_response", {"kinds": {"production_safety": 5}}) == [
        p("kinds.production_safety", WRONG)
    ]


def test_a_local_grading_table_with_equal_limits_and_no_settings_is_valid():
    tbl = {
        "kinds": {
            "production_safety": {
                "grades": {
                    "I": {"thresholds": {"deaths": {"min": 3}}},
                    "II": {"thresholds": {"deaths": {"min": 3}}},
                    "IV": {"floor": True},
                }
            }
        }
    }
    assert tables.validate("grading_production_safety", tbl) is None
    # a grade left out is skipped, not the end of the check: III is compared with I
    tbl["kinds"]["production_safety"]["grades"] = {
        "I": {"thresholds": {"deaths": {"min": 3}}},
        "III": {"thresholds": {"deaths": {"min": 4}}},
    }
    assert problems("grading_production_safety", tbl) == [
        p(
            "kinds.production_safety.grades.III.thresholds.deaths",
            "A lower grade cannot need more than a higher one.",
        )
    ]


def test_obligations_of_the_wrong_shape():
    assert tables.validate("reporting_obligations", {}) is None
    for tbl in ({"obligations": []}, {"common_steps": []}, {"obligations": {}, "common_steps": None}):
        assert problems("reporting_obligations", tbl) == [p("obligations", WRONG)]
    assert problems("reporting_obligations", {"kind_obligations": []}) == [p("kind_obligations", WRONG)]
    links = {
        "production_safety": "ps",
        "flood": "ps",
        "geological_damage": "geo",
        "geological_threat": ["ps"],
    }
    tbl = {"obligations": {"ps": {"steps": {}}}, "kind_obligations": links}
    assert problems("reporting_obligations", tbl) == [
        p("kind_obligations.flood", KIND),
        p("kind_obligations.geological_damage", KIND),
        p("kind_obligations.geological_threat", KIND),
    ]


def test_each_reporting_step_is_checked_field_by_field():
    common = {
        "village": {"to": "town", "minutes": 10, "channel": "oral"},
        "relay": {"to": "county", "minutes": 5, "after": "village"},  # a common step may wait on another
        "bad": {"to": "street", "minutes": 5, "after": "to_city"},  # …but not on an obligation's step
    }
    steps = {
        "ok": {
            "to": "county",
            "minutes": 0,
            "after": "relay",
            "grades": ["I", "II", "III", "IV"],
            "when": {"deaths": 0, "direct_loss_cny": 5},
            "law": "x",
            "article": "y",
            "confidence": "local",
            "zh": "z",
        },
        "off": {"disabled": True, "to": "nowhere", "minutes": -1},
        "extra": {"to": "county", "minutes": 5, "phone": "110"},
        "scalar": 5,
        "all_wrong": {
            "to": "street",
            "channel": "fax",
            "minutes": -1,
            "after": "nowhere",
            "grades": ["V"],
            "when": {"injured": 1},
        },
        "floaty": {"to": "city", "minutes": 1.5, "grades": "I", "when": {"deaths": -1}},
        "odd": {"to": "national", "channel": "copy", "after": ["ok"], "grades": [["I"]], "when": []},
    }
    tbl = {
        "common_steps": common,
        "obligations": {
            "broken": 5,
            "no_steps": {"zh": "x"},
            "steps_list": {"steps": []},
            "ps": {"steps": steps},
        },
    }
    s = "obligations.ps.steps"
    assert problems("reporting_obligations", tbl) == [
        p("obligations.broken", WRONG),
        p("obligations.steps_list", WRONG),
        p(f"{s}.extra", WRONG),
        p(f"{s}.scalar", WRONG),
        p(f"{s}.all_wrong.to", LEVEL),
        p(f"{s}.all_wrong.channel", CHANNEL),
        p(f"{s}.all_wrong.minutes", msg.WHOLE_NUMBER),
        p(f"{s}.all_wrong.after", STEP),
        p(f"{s}.all_wrong.grades", GRADE),
        p(f"{s}.all_wrong.when", MEASURE),
        p(f"{s}.floaty.minutes", msg.WHOLE_NUMBER),
        p(f"{s}.floaty.grades", GRADE),
        p(f"{s}.floaty.when", MEASURE),
        p(f"{s}.odd.minutes", msg.WHOLE_NUMBER),
        p(f"{s}.odd.after", STEP),
        p(f"{s}.odd.grades", GRADE),
        p(f"{s}.odd.when", MEASURE),
        p("common_steps.bad.to", LEVEL),
        p("common_steps.bad.after", STEP),
    ]


def test_steps_that_wait_on_each_other_in_a_circle():
    tbl = {
        "common_steps": {"c1": {"to": "town", "minutes": 5, "after": "p2"}},
        "obligations": {
            "loop": {
                "steps": {
                    "a": {"to": "county", "minutes": 5, "after": "b"},  # waits on a circle it is not in
                    "b": {"to": "city", "minutes": 5, "after": "c"},
                    "c": {"to": "province", "minutes": 5, "after": "b"},
                    "self": {"to": "national", "minutes": 5, "after": "self"},
                    "fine": {"to": "county", "minutes": 5, "after": "d"},
                    "d": {"to": "county", "minutes": 5},
                }
            },
            # the common step closes a circle through this obligation's steps only
            "through_common": {
                "steps": {
                    "p1": {"to": "county", "minutes": 5, "after": "c1"},
                    "p2": {"to": "city", "minutes": 5, "after": "p1"},
                }
            },
            "untouched": {"steps": {"x": {"to": "county", "minutes": 5}}},
        },
    }
    assert problems("reporting_obligations", tbl) == [
        p("obligations.loop.steps.a", CIRCLE),
        p("obligations.loop.steps.b", CIRCLE),
        p("obligations.loop.steps.c", CIRCLE),
        p("obligations.loop.steps.self", CIRCLE),
        p("obligations.through_common.steps.c1", CIRCLE),
        p("obligations.through_common.steps.p1", CIRCLE),
        p("obligations.through_common.steps.p2", CIRCLE),
        p("common_steps.c1.after", STEP),
    ]


def test_after_received_means_the_receipt_even_beside_a_step_of_that_name():
    # grading.reporting_deadlines starts a step with after "received" at the receipt, whatever
    # the steps are called, so no step waits on the one named "received" and none is in a circle
    steps = {
        "received": {"to": "town", "minutes": 5, "after": "received"},
        "next": {"to": "county", "minutes": 5, "after": "received"},
        "then": {"to": "city", "minutes": 5, "after": "next"},
    }
    assert tables.validate("reporting_obligations", {"obligations": {"ps": {"steps": steps}}}) is None


def test_a_malformed_step_in_a_chain_is_reported_not_followed():
    local = {
        "obligations": {
            "production_safety": {
                "steps": {
                    "to_county": 5,
                    "to_city": {"to": "city", "minutes": 60, "after": ["to_county"]},
                }
            }
        }
    }
    merged = tables.effective("reporting_obligations", [(local, {"source": "s"})])
    assert problems("reporting_obligations", merged) == [
        p("obligations.production_safety.steps.to_county", WRONG),
        p("obligations.production_safety.steps.to_city.after", STEP),
    ]


def test_drill_frequency_subject_by_subject():
    subjects = {
        "flood_plan": {"months": 12},
        "special_plan": {
            "months": 24,
            "scope": "comprehensive",
            "law": "",
            "article": "",
            "confidence": "local",
            "zh": "",
            "note": "",
        },
        "department_plan": {"months": 36, "interval": 3},
        "town": 12,
        "village": {"disabled": True, "months": 0},
        "enterprise": {"months": 0},
        "enterprise_high_risk": {"months": 121},
        "onsite_procedure": {"months": 120, "scope": "tabletop"},
    }
    assert problems("drill_frequency", {"subjects": subjects}) == [
        p("subjects.flood_plan", NO_ENTRY),
        p("subjects.department_plan", WRONG),
        p("subjects.town", WRONG),
        p("subjects.enterprise.months", MONTHS),
        p("subjects.enterprise_high_risk.months", MONTHS),
        p("subjects.onsite_procedure.scope", "Write single or comprehensive."),
    ]
    more = {
        "town": {"months": 1, "scope": "single"},
        "village": {"months": 1.5},
        "enterprise": {"months": True},
    }
    assert problems("drill_frequency", {"subjects": {**more, "special_plan": {"scope": "single"}}}) == [
        p("subjects.village.months", MONTHS),
        p("subjects.enterprise.months", MONTHS),
        p("subjects.special_plan.months", MONTHS),
    ]
    for tbl in ({}, {"subjects": None}, {"subjects": {"town": {"months": 120, "scope": None}}}):
        assert tables.validate("drill_frequency", tbl) is None
    assert problems("drill_frequency", {"subjects": 5}) == [p("subjects", WRONG)]


def test_disaster_reporting_limits_and_the_continued_cycle():
    limits = {
        "initial.hamlet": {"minutes": 5},
        "initial.village": {
            **{k: "" for k in ("kind", "level", "from", "zh", "law", "article", "confidence", "note")},
            "minutes": 60,
            "hazards": [],
        },
        "initial.town": {"minutes": 90, "within": 1},
        "initial.county": 5,
        "initial.city": {"minutes": -1},
        "initial.province": {"days": 1.5},
        "continued.drought": {"days": 0, "minutes": 0},
        "zero.village": {"at": "24:00"},
        "zero.town": {"at": "23:59"},
        "zero.county": {"at": "9:00"},
        "zero.city": {"at": "00:00"},
        "zero.province": {"at": "12:60"},
        "final.village": {"at": "19:05"},
        "final.town": {"at": 900},
        "final.county": {"at": "20:00", "minutes": True},
        "final.city": {"at": "09:00 "},
        "final.province": {"at": "10:30", "days": 2},
    }
    tbl = {"limits": limits, "settings": {"continued_every_days": 0}}
    assert problems("disaster_reporting", tbl) == [
        p("limits.initial.hamlet", NO_ENTRY),
        p("limits.initial.town", WRONG),
        p("limits.initial.county", WRONG),
        p("limits.initial.city", msg.WHOLE_NUMBER),
        p("limits.initial.province", msg.WHOLE_NUMBER),
        p("limits.zero.village.at", HHMM),
        p("limits.zero.county.at", HHMM),
        p("limits.zero.province.at", HHMM),
        p("limits.final.town.at", HHMM),
        p("limits.final.county", msg.WHOLE_NUMBER),
        p("limits.final.city.at", HHMM),
        p("settings.continued_every_days", msg.WHOLE_NUMBER),
    ]


def test_the_continued_cycle_is_one_to_31_days():
    for settings in (None, {}, {"continued_every_days": 1}, {"continued_every_days": 31}):
        assert tables.validate("disaster_reporting", {"settings": settings}) is None
    for every in (0, 32, 7.0, True, "7"):
        assert problems("disaster_reporting", {"settings": {"continued_every_days": every}}) == [
            p("settings.continued_every_days", msg.WHOLE_NUMBER)
        ]
    assert problems("disaster_reporting", {"limits": 5, "settings": 5}) == [
        p("limits", WRONG),
        p("settings", WRONG),
    ]
    assert problems("disaster_reporting", {"limits": [1], "settings": {"continued_every_days": 32}}) == [
        p("limits", WRONG),
        p("settings.continued_every_days", msg.WHOLE_NUMBER),
    ]
