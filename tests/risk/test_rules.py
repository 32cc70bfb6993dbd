"""The rule tables as pure functions: LEC and LS banding exactly at the boundaries under both
settings, the 一般/重大 checklist, the enforcement classes, the credit-code check character."""

from __future__ import annotations

import pytest

from yingji.risk import creditcode, rules


@pytest.mark.parametrize(
    ("d", "band"),
    [
        (320.1, "extreme"),
        (320, "high"),  # 160 < D ≤ 320
        (160.1, "high"),
        (160, "significant"),  # 70 < D ≤ 160
        (70.1, "significant"),
        (70, "general"),  # 20 ≤ D ≤ 70
        (20, "general"),
        (19.9, "slight"),  # D < 20
        (0.1, "slight"),
    ],
)
def test_lec_bands_at_the_boundaries(d, band):
    assert rules.lec_band(d) == band


@pytest.mark.parametrize(
    ("d", "mapping_a", "mapping_b"),
    [
        (320.1, "major", "major"),
        (320, "major", "high"),
        (160.1, "major", "high"),
        (160, "high", "general"),
        (70.1, "high", "general"),
        (70, "general", "low"),
        (20, "general", "low"),
        (19.9, "low", "low"),
    ],
)
def test_lec_levels_under_both_mappings(d, mapping_a, mapping_b):
    assert rules.lec_level(d, "A")[1] == mapping_a
    assert rules.lec_level(d, "B")[1] == mapping_b


def test_lec_scores_from_table_values_only():
    scored = rules.lec(10, 1, 7, "A")  # D = 70 exactly
    assert (scored.score, scored.band, scored.level, scored.banding) == (70, "general", "general", "LEC:A")
    assert rules.lec(10, 2, 1, "B").level == "low"  # D = 20 → 一般危险 band, 低 under B
    assert rules.lec(3, 6, 15, "A").level == "major"  # D = 270
    with pytest.raises(rules.RuleInputError):
        rules.lec(5, 6, 15, "A")  # 5 is not an L of the table
    with pytest.raises(rules.RuleInputError):
        rules.lec(3, 6, 15, "C")


@pytest.mark.parametrize(
    ("r", "standard", "alternative"),
    [
        (25, "major", "major"),
        (20, "major", "major"),
        (16, "high", "high"),
        (15, "high", "high"),
        (12, "general", "high"),
        (10, "general", "high"),
        (9, "general", "general"),
        (8, "low", "general"),
        (4, "low", "general"),
        (3, "low", "low"),
        (1, "low", "low"),
    ],
)
def test_ls_levels_under_both_bandings(r, standard, alternative):
    assert rules.ls_level(r, "standard") == standard
    assert rules.ls_level(r, "alternative") == alternative


def test_ls_needs_whole_scores_from_one_to_five():
    assert rules.ls(4, 5, "standard").score == 20
    for bad in ((0, 3), (6, 1), (2.5, 2)):
        with pytest.raises(rules.RuleInputError):
            rules.ls(*bad, "standard")


def test_grading_checklist():
    assert rules.grade({}) == "general"
    assert rules.grade({"needs_stop": False, "takes_time": False, "beyond_unit": False}) == "general"
    for criterion in ("needs_stop", "takes_time", "beyond_unit"):
        assert rules.grade({criterion: True}) == "major"
    with pytest.raises(rules.RuleInputError):
        rules.grade({"looks_bad": True})


def test_enforcement_classes_follow_the_first_criterion_that_holds():
    table = rules.tables.enforcement_defaults()
    unit = {"industry": "commerce", "scale": "micro", "hazardous_chemicals": False, "major_hazard": False}
    assert rules.classify(unit, table) == "D"
    assert rules.classify(unit | {"scale": "small"}, table) == "C"
    assert rules.classify(unit | {"scale": "medium"}, table) == "B"
    assert rules.classify(unit | {"hazardous_chemicals": True}, table) == "B"
    assert rules.classify(unit | {"hazardous_chemicals": True, "scale": "large"}, table) == "A"
    assert rules.classify(unit | {"major_hazard": True}, table) == "A"
    assert rules.classify(unit | {"industry": "non_coal_mine"}, table) == "A"
    assert rules.key_classes(table) == {"A"}
    picked = sum(rules.sampled(2026, i, 0.5) for i in range(4000))
    assert 1800 < picked < 2200 and rules.sampled(2026, 7, 0.5) == rules.sampled(2026, 7, 0.5)


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "9144030071526726XG", "91330100799655058B", "91110000600037341L"],
)
def test_credit_codes_with_their_check_character(code):
    assert creditcode.is_valid(code) and creditcode.normalise(code.lower()) == code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "9144030071526726X",  # 17 characters
        "91350100M000100YI3",  # I is not in the alphabet
        "9135A100M000100Y43",  # the division code must be digits
        "",
    ],
)
def test_bad_credit_codes(code):
    assert not creditcode.is_valid(code)


def test_made_codes_are_valid():
    code = creditcode.make("9", "1", "520602", "MA6DK0XW2")
    assert creditcode.is_valid(code)
    assert creditcode.check_char(code[:17]) == code[17]
