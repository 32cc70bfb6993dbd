"""``yingji duty``: now, import, check-reports, check-gaps against the test city database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.duty.conftest import local, make_people, make_unit
from tests.factories import xlsx
from yingji.duty.cli import duty


@pytest.fixture
def run(city, tmp_path):
    env = {
        "YINGJI_DATABASE_URL": city.db.settings.database_url,
        "YINGJI_VAR_DIR": str(tmp_path),
        "YINGJI_SECRET_KEY": "test-secret",
    }

    def invoke(*args: str):
        result = CliRunner().invoke(duty, list(args), env=env, catch_exceptions=False)
        return result

    return invoke


def test_now_for_a_place_and_for_a_unit(run, city, crew_factory):
    crew = crew_factory()
    result = run("now", "--place", city.town_a, "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    assert crew.roster_id in [d["roster_id"] for d in items]
    assert [d["jurisdiction_code"] for d in items][-1] == city.city  # the city last: nearest first
    text = run("now", "--unit", str(crew.unit_id))
    assert text.exit_code == 0 and "带班领导" in text.output
    assert run("now").exit_code == 2  # neither --unit nor --place


def test_import_creates_the_roster_and_rejects_a_bad_file(run, city, tmp_path):
    unit = make_unit(city.db, city.town_a)
    (_a, ma), (_b, mb) = make_people(city.db, city.town_a, 2)
    good = tmp_path / "roster.xlsx"
    good.write_bytes(
        xlsx(["角色", "手机号", "起始日期"], [["值班员", ma, "2035-01-01"], ["值班员", mb, "2035-01-01"]])
    )
    result = run("import", str(good), "--unit", str(unit))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(["角色", "手机号", "起始日期"], [["值班员", "123", "2035-01-01"]]))
    result = CliRunner().invoke(
        duty,
        ["import", str(bad), "--unit", str(unit)],
        env={
            "YINGJI_DATABASE_URL": city.db.settings.database_url,
            "YINGJI_SECRET_KEY": "x",
            "YINGJI_VAR_DIR": str(tmp_path),
        },
    )
    assert result.exit_code == 1 and "第 2 行" in result.output


def test_check_reports_and_gaps(run, clock):
    clock.freeze(local(2037, 1, 5, 9, 0))  # the jobs it plans are far from the real clock
    result = run("check-reports", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["counts"]) == {"received", "late", "missing", "pending"} and out["day"] == "2037-01-05"
    assert out["jobs_planned"] >= 4  # reminder and overdue jobs of towns and counties, today and tomorrow
    assert run("check-reports", "--json").exit_code == 0
    assert json.loads(run("check-reports", "--json").output)["jobs_planned"] == 0  # planned once
    gaps = run("check-gaps")
    assert gaps.exit_code == 0 and '"gaps"' in gaps.output
