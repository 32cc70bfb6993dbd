"""Scorecards: every town and village of the demo has one, with every item of its checklists; the
share for the assessment sums them; an item turns met when its data change (a volunteer team
reaching 10 members) and back when they change again."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from yingji.core.db import Actor
from yingji.forces.models import Team, TeamMember
from yingji.org.models import Jurisdiction
from yingji.readiness import codes, scorecards
from yingji.readiness.codes import ItemState


def test_every_town_and_village_has_a_scorecard(city):
    with city.db.reading() as s:
        cards = scorecards.compute(s, city.county_a)
        places = s.scalar(
            select(func.count())
            .select_from(Jurisdiction)
            .where(Jurisdiction.level.in_(("town", "village")), Jurisdiction.code.startswith(city.county_a))
        )
    assert len(cards) == places > 0
    town_items = sum(len(m.items) for m in codes.models_of("town"))
    village_items = sum(len(m.items) for m in codes.models_of("village"))
    for c in cards:
        assert c.total == (town_items if c.place.level == "town" else village_items)
        assert 0 <= c.met <= c.total
        for r in c.items:
            assert r.met == (r.state != ItemState.MISSING)
            assert r.met or r.missing  # a missing item says what is missing
    # the demo's organisation: every town has its committee, every village its station
    assert all(
        next(r for r in c.items if r.item.key == "organisation").rules[0] == ("service_station", True)
        for c in cards
        if c.place.level == "village"
    )


def test_share_sums_the_scorecards(city):
    with city.db.reading() as s:
        shares = scorecards.share(s, [city.county_a, city.county_b, city.town_a])
        a = scorecards.compute(s, city.county_a)
        t = [c for c in a if c.place.code.startswith(city.town_a)]
    assert shares[city.county_a] == (sum(c.met for c in a), sum(c.total for c in a))
    assert shares[city.town_a] == (sum(c.met for c in t), sum(c.total for c in t))
    assert shares[city.county_b][1] > 0


def _team_item(session, village):
    card = next(c for c in scorecards.compute(session, village) if c.place.code == village)
    return next(r for r in card.items if r.item.ref == "village_5you.team")


def test_a_scorecard_changes_when_its_data_change(city):
    village = city.village_a
    with city.db.writing(Actor.system("tests")) as s:
        team = Team(
            code=f"T-RDY-{village}", name="测试志愿者队", kind="village_volunteer", jurisdiction_code=village
        )
        s.add(team)
        s.flush()
        # the village's other volunteer teams leave the count: only this team's members decide
        s.execute(
            Team.__table__.update()
            .where(Team.jurisdiction_code == village, Team.kind == "village_volunteer", Team.id != team.id)
            .values(active=False)
        )
        for i in range(9):
            s.add(
                TeamMember(
                    team_id=team.id, jurisdiction_code=village, name=f"队员{i}", mobile=f"1990000{i:04d}"
                )
            )
        s.flush()
        assert _team_item(s, village).state == ItemState.MISSING
        s.add(TeamMember(team_id=team.id, jurisdiction_code=village, name="队员十", mobile="19900009999"))
        s.flush()
        assert _team_item(s, village).state == ItemState.MET
        s.execute(delete(TeamMember).where(TeamMember.team_id == team.id, TeamMember.name == "队员十"))
        assert _team_item(s, village).state == ItemState.MISSING
        s.rollback()
