"""The forces demo: seed-003 totals on a full Tongren build, deterministic rows, the test city's teams."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from yingji.auth.models import User
from yingji.demo import builder
from yingji.forces import demo
from yingji.forces.models import MemberCertificate, Team, TeamMember
from yingji.org.models import Jurisdiction

START = dict.fromkeys(demo.TABLES, 1)


@pytest.mark.slow
def test_full_tongren_has_the_seed_003_numbers():
    options = builder.DemoOptions()
    rows = demo.generate(builder.generate(options), options, START)
    towns = [t for t in rows.teams if t["kind"] == "town_brigade"]
    villages = [t for t in rows.teams if t["kind"] == "village_volunteer"]
    assert (len(towns), sum(t["member_count"] for t in towns)) == (181, 6579)
    assert (len(villages), sum(t["member_count"] for t in villages)) == (2889, 55061)
    assert 3100 <= len(rows.teams) <= 3400
    assert len(rows.team_members) == sum(t["member_count"] for t in rows.teams)
    assert any(t["member_count"] < 10 for t in villages)  # something for the checks to find
    assert sum(t["readiness"] == "on_call" for t in rows.teams) > 0.8 * len(rows.teams)


def test_the_same_seed_gives_the_same_rows(clock):
    clock.freeze(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    options = builder.DemoOptions(counties=["520603"])
    data = builder.generate(options)
    a, b = demo.generate(data, options, START), demo.generate(data, options, START)
    assert a.teams == b.teams and a.team_members == b.team_members
    other = demo.generate(data, builder.DemoOptions(counties=["520603"], seed=7), START)
    assert [t["member_count"] for t in other.teams] != [t["member_count"] for t in a.teams]


def test_the_test_city_has_its_forces(city):
    with city.db.reading() as session:
        towns = session.scalar(
            select(func.count()).where(Jurisdiction.level == "town", Jurisdiction.code.startswith("52060"))
        )
        brigades = session.scalar(
            select(func.count()).where(Team.kind == "town_brigade", Team.code.like("%-ZHDD"))
        )
        assert brigades == towns
        village_teams = session.scalar(
            select(func.count()).where(Team.kind == "village_volunteer", Team.code.like("%-YJD"))
        )
        villages = session.scalar(
            select(func.count()).where(Jurisdiction.level == "village", Jurisdiction.code.startswith("52060"))
        )
        assert 0.95 * villages <= village_teams < villages
        counted = session.scalar(select(func.sum(Team.member_count)).where(Team.code.like("%-YJD")))
        rows = session.scalar(
            select(func.count())
            .select_from(TeamMember)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.code.like("%-YJD"))
        )
        assert counted == rows
        assert session.scalar(select(func.count()).select_from(MemberCertificate)) > 0
        person = session.scalar(select(User.person_id).where(User.username == "teamleader"))
        assert person is not None
