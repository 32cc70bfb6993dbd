"""The dual-prevention rules to the letter, written against mutation-test survivors
(docs/MUTATION.md): whole scores with their method and setting, exact error details (the field and
message an API 422 shows), the checks of a local enforcement classification one problem at a time,
and the sampled share exactly at its edge. Pure functions: no database."""

from __future__ import annotations

import hashlib
import math

import pytest

from yingji.risk import rules
from yingji.risk.rules import Scored

SHAPE = "This part of the rule table has the wrong shape."
RATIO = "Give a ratio from 0 to 1."
CHOOSE = "Choose a value from the table."


def refused(call, *args, **kwargs) -> tuple[str, str, str]:
    """(str, message, field) of the RuleInputError ``call`` raises."""
    with pytest.raises(rules.RuleInputError) as caught:
        call(*args, **kwargs)
    return str(caught.value), caught.value.message, caught.value.field


# -- scores -------------------------------------------------------------------------------------------
def test_whole_lec_and_ls_scores():
    assert rules.lec(3, 6, 15, "B") == Scored("LEC", 270, "high", "high", "LEC:B")
    assert rules.lec(3, 6, 15, "A") == Scored("LEC", 270, "high", "major", "LEC:A")
    assert rules.lec("10", "10", "100", "A") == Scored("LEC", 10000, "extreme", "major", "LEC:A")
    assert rules.ls(4, 3, "alternative") == Scored("LS", 12, None, "high", "LS:alternative")
    assert rules.ls("2", 2, "standard") == Scored("LS", 4, None, "low", "LS:standard")


@pytest.mark.parametrize(
    ("factors", "d"),
    [((0.1, 0.5, 1), 0.05), ((0.2, 0.5, 3), 0.3), ((0.5, 0.5, 7), 1.75), ((0.1, 3, 7), 2.1)],
)
def test_small_lec_scores_keep_their_decimals(factors, d):
    # D is rounded to 4 places only to drop float noise (0.2 × 0.5 × 3 = 0.30000000000000004).
    scored = rules.lec(*factors, "A")
    assert scored.score == d and (scored.band, scored.level) == ("slight", "low")


def test_score_dispatches_with_the_setting_of_each_method():
    lec = rules.score("LEC", {"l": 3, "e": 6, "c": 15, "s": 1}, lec_mapping="B", ls_banding="standard")
    assert lec == Scored("LEC", 270, "high", "high", "LEC:B")
    ls = rules.score("LS", {"l": 4, "s": 3, "e": 6}, lec_mapping="A", ls_banding="alternative")
    assert ls == Scored("LS", 12, None, "high", "LS:alternative")
    assert rules.score("LS", {"l": 5, "s": 4}, lec_mapping="B", ls_banding="standard").level == "major"


def test_score_refusals_name_the_field():
    assert refused(rules.score, "RISK", {}, lec_mapping="A", ls_banding="standard") == (
        "Choose LEC or LS.",
        "Choose LEC or LS.",
        "method",
    )
    assert refused(rules.score, "lec", {"l": 3, "e": 6, "c": 15}, lec_mapping="A", ls_banding="standard")[
        2
    ] == ("method")
    missing = {"l": 3, "e": 6, "c": 15}
    for factor in ("l", "e", "c"):
        values = {k: v for k, v in missing.items() if k != factor}
        assert refused(rules.score, "LEC", values, lec_mapping="A", ls_banding="standard") == (
            CHOOSE,
            CHOOSE,
            factor.upper(),
        )
    assert refused(rules.score, "LS", {"l": 3}, lec_mapping="A", ls_banding="standard")[1:] == (CHOOSE, "S")
    assert refused(rules.score, "LS", {"s": 3}, lec_mapping="A", ls_banding="standard")[1:] == (CHOOSE, "L")
    assert refused(rules.score, "LEC", missing, lec_mapping="C", ls_banding="standard")[2] == "lec_mapping"
    assert refused(rules.score, "LS", {"l": 1, "s": 1}, lec_mapping="A", ls_banding="wide")[2] == "ls_banding"


@pytest.mark.parametrize(
    ("call", "args", "field"),
    [
        (rules.lec, (5, 6, 15, "A"), "L"),  # 5 is an L of the LS table, not of LEC's
        (rules.lec, (3, 4, 15, "A"), "E"),
        (rules.lec, (3, 6, 20, "A"), "C"),
        (rules.lec, ("three", 6, 15, "A"), "L"),
        (rules.lec, (3, None, 15, "A"), "E"),
        (rules.lec, (3, 6, [15], "A"), "C"),
        (rules.ls, (6, 1, "standard"), "L"),
        (rules.ls, (1, 0.5, "standard"), "S"),  # 0.5 is an L of the LEC table, not an S
        (rules.ls, ("x", 1, "standard"), "L"),
        (rules.ls, (1, None, "standard"), "S"),
    ],
)
def test_a_factor_outside_its_table_names_the_factor(call, args, field):
    assert refused(call, *args) == (CHOOSE, CHOOSE, field)


def test_unknown_settings_and_scores_outside_the_table():
    assert refused(rules.lec_level, 100, "C") == (
        "Unknown LEC mapping.",
        "Unknown LEC mapping.",
        "lec_mapping",
    )
    assert refused(rules.ls_level, 9, "wide") == ("Unknown LS banding.", "Unknown LS banding.", "ls_banding")
    # Below the lowest band (R ≥ 1) no level applies.
    assert refused(rules.ls_level, 0.5, "standard") == (CHOOSE, CHOOSE, "score")
    assert refused(rules.ls_level, 0, "alternative") == (CHOOSE, CHOOSE, "score")


def test_grading_refusal_and_truthy_answers():
    assert refused(rules.grade, {"needs_stop": True, "looks_bad": False}) == (
        "Unknown checklist item.",
        "Unknown checklist item.",
        "checklist",
    )
    assert rules.grade({"takes_time": 1}) == "major"
    assert rules.grade({"needs_stop": 0, "takes_time": None, "beyond_unit": ""}) == "general"


# -- enforcement classification -----------------------------------------------------------------------
def test_classify_falls_back_to_d_when_no_criterion_holds():
    table = {
        "criteria": [
            {"class": "A", "when": {"major_hazard": True}},
            {"class": "B", "when": {"scales": ["large"]}},
        ]
    }
    assert rules.classify({"major_hazard": False, "scale": "small"}, table) == "D"
    assert rules.classify({"major_hazard": True, "scale": "small"}, table) == "A"
    both = {"criteria": [{"class": "C", "when": {"industries": ["tourism"], "hazardous_chemicals": False}}]}
    assert rules.classify({"industry": "tourism", "hazardous_chemicals": True}, both) == "D"  # AND, not OR
    assert rules.classify({"industry": "tourism"}, both) == "C"  # a missing flag reads as false


def test_sampling_takes_all_at_ratio_one_and_is_strict_at_its_edge():
    assert all(rules.sampled(2026, i, 1.0) for i in range(200))
    assert not any(rules.sampled(2026, i, 0.0) for i in range(200))
    for year, unit in ((2026, 7), (2027, 7), (2026, 123456)):
        # A unit's place in [0, 1) is its blake2b digest of "year:id" over 2³²; it is picked when
        # its place is below the ratio, so exactly at the ratio it is not.
        digest = hashlib.blake2b(f"{year}:{unit}".encode(), digest_size=4).digest()
        place = int.from_bytes(digest, "big") / 2**32
        assert not rules.sampled(year, unit, place)
        assert rules.sampled(year, unit, math.nextafter(place, 1))


def _table(**changes) -> dict:
    table = {
        "classes": {"A": {"key": True, "ratio": 1}, "B": {"key": False, "ratio": 0}},
        "criteria": [{"class": "A", "when": {"major_hazard": True}}, {"class": "B", "when": {}}],
    }
    return table | changes


def test_a_sound_classification_has_no_problems():
    assert rules.check_classification(rules.tables.enforcement_defaults()) == []
    assert rules.check_classification(_table()) == []
    every_condition = {
        "industries": ["tourism"],
        "scales": ["small"],
        "major_hazard": True,
        "hazardous_chemicals": False,
    }
    assert rules.check_classification(_table(criteria=[{"class": "B", "when": every_condition}])) == []


@pytest.mark.parametrize("data", [None, [], "A", {}, {"classes": None}, {"classes": ["A", "B"]}])
def test_a_classification_of_the_wrong_shape(data):
    assert rules.check_classification(data) == [{"field": "enforcement", "message": SHAPE}]


def test_each_class_needs_a_known_code_and_a_ratio_from_0_to_1():
    classes = {
        "A": {"key": True, "ratio": 0.5},
        "B": {"ratio": 1.5},
        "C": {"ratio": -0.01},
        "D": {"ratio": "0.5"},
        "E": {"ratio": 0.5},
        "a": {"ratio": 0.5},
    }
    assert rules.check_classification(_table(classes=classes, criteria=[{"class": "A", "when": {}}])) == [
        {"field": f"enforcement.classes.{code}", "message": RATIO} for code in ("B", "C", "D", "E", "a")
    ]
    no_ratio = {"A": {"key": True}, "B": {"key": False, "ratio": None}}
    assert rules.check_classification(_table(classes=no_ratio)) == [
        {"field": "enforcement.classes.A", "message": RATIO},
        {"field": "enforcement.classes.B", "message": RATIO},
    ]
    ends = {"A": {"key": True, "ratio": 1}, "B": {"ratio": 0}, "C": {"ratio": 1.0}, "D": {"ratio": 0.0}}
    assert rules.check_classification(_table(classes=ends)) == []


def test_a_class_that_is_not_an_object_is_a_problem_not_a_crash():
    classes = {"A": {"key": True, "ratio": 1}, "B": 0.5}
    assert rules.check_classification(_table(classes=classes)) == [
        {"field": "enforcement.classes.B", "message": RATIO}
    ]


def test_at_least_one_class_is_key():
    classes = {"A": {"key": False, "ratio": 1}, "B": {"ratio": 0.5}}
    assert rules.check_classification(_table(classes=classes)) == [
        {"field": "enforcement.classes", "message": "At least one class must be key."}
    ]


@pytest.mark.parametrize("criteria", [None, [], {}, "A", {"class": "A"}])
def test_at_least_one_criterion(criteria):
    data = _table(criteria=criteria)
    if criteria is None:
        del data["criteria"]
    # Nothing below the missing list is checked: the answer stops there.
    data["classes"] = {"A": {"key": False, "ratio": 2}}
    assert rules.check_classification(data) == [
        {"field": "enforcement.classes.A", "message": RATIO},
        {"field": "enforcement.classes", "message": "At least one class must be key."},
        {"field": "enforcement.criteria", "message": "Give at least one criterion."},
    ]


def test_each_criterion_needs_conditions_it_knows_and_a_known_class():
    criteria = [
        {"class": "A", "when": {"major_hazard": True}},  # 0: fine
        {"class": "C", "when": {}},  # 1: class C is not in this table
        {"class": "B", "when": {"employees": 50}},  # 2: unknown condition
        {"class": "B"},  # 3: no conditions at all
        {"class": "B", "when": ["scales"]},  # 4: conditions not an object
        "B",  # 5: not an object
        {"when": {}},  # 6: no class
        {"class": "B", "when": {"scales": ["small"], "hazardous_chemicals": True}},  # 7: fine
    ]
    assert rules.check_classification(_table(criteria=criteria)) == [
        {"field": f"enforcement.criteria.{i}", "message": SHAPE} for i in (1, 2, 3, 4, 5, 6)
    ]
