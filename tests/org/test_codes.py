import pytest

from yingji.org import codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("520000000000", "52"),
        ("520600000000", "5206"),
        ("520602000000", "520602"),
        ("520602001000", "520602001"),
        ("520602001001", "520602001001"),
        ("520602001001003", "520602001001003"),
        ("520602", "520602"),
        (" 5206 ", "5206"),
    ],
)
def test_normalise(raw, expected):
    assert codes.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "52A6", "1234567", "52060200100", "1" * 13, "5206-02"])
def test_normalise_rejects(raw):
    with pytest.raises(ValueError):
        codes.normalise(raw)


def test_division_code_12_and_levels():
    assert codes.division_code_12("520602") == "520602000000"
    assert codes.division_code_12("520602001001003") == "520602001001003"
    assert codes.level_of("520602001") == "town"
    assert codes.ancestors("520602001001") == ["52", "5206", "520602", "520602001"]


def test_subtree_bounds_are_a_range_of_exactly_the_subtree():
    low, high = codes.subtree_bounds("520609")
    inside = ["520609", "520609001", "520609999999"]
    outside = ["52060", "520610", "520608999", "5206"]
    assert all(low <= c < high for c in inside)
    assert not any(low <= c < high for c in outside)
