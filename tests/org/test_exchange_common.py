"""The helpers every sheet import shares (org.exchange.common): the rows planned with their repeats
refused, records held outside the importer's area, cells read as dates, numbers, mobiles."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from yingji.org.exchange import common
from yingji.org.sheets import Column

COLUMNS = [Column("code", "编号", "Number", True), Column("name", "名称", "Name", False)]


def _messages(errors: common.RowErrors) -> list[tuple[int, str, str, dict]]:
    return [(e["row"], e["column"], e["message"], e["params"]) for e in errors.items]


def test_planned_checks_each_row_and_refuses_a_repeat_naming_the_first_row():
    errors = common.RowErrors()
    repeats = common.Repeats(errors, COLUMNS, "name", "The same thing is already on row {other}.")
    rows = [
        (2, {"code": "A", "name": "甲"}),
        (3, {"code": "", "name": "乙"}),  # the required code missing
        (4, {"code": "bad", "name": "丙"}),  # refused by the check
        (5, {"code": "a", "name": "丁"}),  # the same key as row 2
        (6, {"code": "B", "name": "戊"}),
        (7, {"code": "A", "name": "己"}),  # the first row is named, not the last
    ]

    def check(rownum, r):
        if r["code"] == "bad":
            errors.add(rownum, COLUMNS[0], r["code"], "Bad.")
            return None
        return {"key": r["code"].upper()}

    plan = common.planned(rows, COLUMNS, check, lambda v: v["key"], repeats)

    assert plan == [(2, {"key": "A"}), (6, {"key": "B"})]
    assert _messages(errors) == [
        (3, "编号", "A value is required.", {}),
        (4, "编号", "Bad.", {}),
        (5, "名称", "The same thing is already on row {other}.", {"other": 2}),
        (7, "名称", "The same thing is already on row {other}.", {"other": 2}),
    ]
    assert errors.items[2]["value"] == "丁"  # the repeated row's own cell


def test_refuse_held_names_the_key_of_a_record_outside_the_area():
    principal = SimpleNamespace(covers=lambda code: code.startswith("3301"))
    errors = common.RowErrors()
    mine, theirs = SimpleNamespace(jurisdiction_code="330102"), SimpleNamespace(jurisdiction_code="330201")
    held = [(2, "X1", mine), (3, "X2", None), (4, "X3", theirs)]

    common.refuse_held(errors, principal, COLUMNS[0], "{device_id} is taken.", held, name="device_id")

    assert _messages(errors) == [(4, "编号", "{device_id} is taken.", {"device_id": "X3"})]


def test_update_sets_what_differs_and_the_result_counts_it():
    obj = SimpleNamespace(name="甲", note=None, active=False)
    result = common.ImportResult()

    changed = common.update(obj, {"name": "甲", "note": "新", "active": True})
    result.tally(changed)
    result.tally(common.update(obj, {"name": "甲", "note": "新"}))

    assert changed == {"note": "新", "active": True} and (obj.note, obj.active) == ("新", True)
    assert result.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}


def test_cells_as_dates_numbers_mobiles_and_lengths():
    assert common.written_date("2027年5月1日") == common.written_date("2027/5/1") == date(2027, 5, 1)
    assert common.written_date("2027-05-01T00:00:00") == date(2027, 5, 1)  # an Excel date
    assert common.written_date("2027-13-01") is None and common.written_date("五月一日") is None
    assert common.iso_date(" 2027/05/01 ") == common.iso_date("2027.05.01") == date(2027, 5, 1)
    assert common.iso_date("2027/5/1") is None and common.iso_date("") is None
    assert [common.number_in(v, 0, 10) for v in ("", "3.5", "11", "x")] == [None, 3.5, False, False]

    errors = common.RowErrors()
    assert common.mobile_cell(errors, 2, COLUMNS[1], "") == (True, None)
    assert common.mobile_cell(errors, 2, COLUMNS[1], "12345") == (False, None)
    assert common.too_long(errors, 3, COLUMNS, {"code": "ABCD", "name": "甲乙"}, {"code": 3, "name": 2}) == [
        "code"
    ]
    assert _messages(errors) == [(2, "名称", "Not a mobile number.", {}), (3, "编号", "Too long.", {})]
