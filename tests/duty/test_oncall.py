"""``on_duty``: for a unit, and for a place (its duty units and those above it, nearest first),
with leave taken into account; and the scoped API over it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.duty.conftest import link_user, local
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.duty import leave as leave_service
from yingji.duty import oncall
from yingji.duty.schemas import LeaveDecision, LeaveIn


def _approved_leave(city, crew, person, deputy, start, end):
    system = Principal.system(what="tests")
    with city.db.writing(Actor.system("tests")) as session:
        lv, _ = leave_service.report(
            session,
            system,
            LeaveIn(
                person_id=person,
                unit_id=crew.unit_id,
                starts_at=start,
                ends_at=end,
                destination="贵阳",
                deputy_person_id=deputy,
            ),
        )
        leave_service.decide(session, system, lv.id, LeaveDecision(approve=True))
        return lv.id


def test_on_duty_for_a_unit_gives_names_and_full_phones(city, crew_factory):
    crew = crew_factory(starts_on=date(2031, 1, 1))
    with city.db.reading() as session:
        [on] = oncall.on_duty(session, unit_id=crew.unit_id, at=local(2031, 1, 2, 12, 0))
    assert on.roster_id == crew.roster_id and on.shift.day == date(2031, 1, 2)
    assert on.leader.person_id == crew.leaders[1][0] and on.leader.mobile == crew.leaders[1][1]
    assert [p.person_id for p in on.officers] == [crew.officers[1][0]]
    assert [p.person_id for p in on.backups] == [crew.backups[0][0]]
    assert on.shift.gaps == []


def test_on_duty_for_a_place_lists_its_duty_units_nearest_first(city, crew_factory):
    town = crew_factory(city.town_a, starts_on=date(2031, 1, 1))
    county = crew_factory(city.county_a, starts_on=date(2031, 1, 1))
    other_town = crew_factory(city.town_b, starts_on=date(2031, 1, 1))
    with city.db.reading() as session:
        found = oncall.on_duty(session, jurisdiction_code=city.group_a, at=local(2031, 1, 1, 9))
    ids = [d.roster_id for d in found]
    assert town.roster_id in ids and county.roster_id in ids and other_town.roster_id not in ids
    assert ids.index(town.roster_id) < ids.index(county.roster_id)
    lengths = [len(d.jurisdiction_code) for d in found]
    assert lengths == sorted(lengths, reverse=True)  # nearest (deepest) first
    assert all(city.group_a.startswith(d.jurisdiction_code) for d in found)


def test_a_leader_on_approved_leave_is_replaced_by_the_deputy(city, crew_factory):
    crew = crew_factory(starts_on=date(2031, 2, 1), leaders=2)
    l0, l1 = crew.ids("leaders")
    deputy = crew.officers[2][0]
    _approved_leave(city, crew, l0, deputy, local(2031, 2, 1, 10), local(2031, 2, 4, 10))
    with city.db.reading() as session:
        roster = session.get(oncall.Roster, crew.roster_id)
        days = oncall.resolve(session, roster, [date(2031, 2, 1) + timedelta(days=i) for i in range(5)])
    leaders = [[(p.person_id, p.acting_for_id) for p in s.leaders] for s in days]
    # l0 is on the 1st and 3rd (away: the deputy acts), l1 on the 2nd and 4th; the 5th l0 is back.
    assert leaders == [[(deputy, l0)], [(l1, None)], [(deputy, l0)], [(l1, None)], [(l0, None)]]
    assert [a.person.person_id for a in days[0].away] == [l0] and days[0].gaps == []


def test_leave_without_a_deputy_leaves_a_gap(city, crew_factory):
    crew = crew_factory(starts_on=date(2031, 3, 1), leaders=1, officers=1)
    _approved_leave(city, crew, crew.officers[0][0], None, local(2031, 3, 2, 0), local(2031, 3, 2, 12))
    with city.db.reading() as session:
        roster = session.get(oncall.Roster, crew.roster_id)
        days = oncall.resolve(session, roster, [date(2031, 3, 1), date(2031, 3, 2), date(2031, 3, 3)])
    # The leave overlaps the shifts of the 1st (until 08:30 on the 2nd) and of the 2nd.
    assert [s.gaps for s in days] == [["officer"], ["officer"], []]


def test_now_api_masks_phones_for_roles_without_contact_rights(api, city, crew_factory, clock):
    crew = crew_factory(starts_on=date(2031, 4, 1))
    clock.freeze(local(2031, 4, 1, 12))
    full = api("town").get("/api/v1/duty/now", params={"unit": crew.unit_id}).json()["items"][0]
    assert full["shift"]["leader"]["mobile"] == crew.leaders[0][1]
    place = api("county").get("/api/v1/duty/now", params={"place": city.town_a}).json()["items"]
    assert crew.roster_id in [d["roster_id"] for d in place]
    assert all(d["jurisdiction_code"].startswith(city.county_a) for d in place)  # not the city: out of scope
    assert api("town_b").get("/api/v1/duty/now", params={"unit": crew.unit_id}).status_code == 404
    assert api("town_b").get("/api/v1/duty/now", params={"place": city.town_a}).status_code == 404
    assert api("county").get("/api/v1/duty/now", params={"place": "12x"}).status_code == 422
    board = api("county").get("/api/v1/duty/board").json()
    assert crew.roster_id in [d["roster_id"] for d in board["below"]]


def test_demo_rosters_cover_the_city_counties_and_towns(city):
    with city.db.reading() as session:
        chain = oncall.on_duty(session, jurisdiction_code=city.village_a)
    codes = [d.jurisdiction_code for d in chain]
    assert city.town_a in codes and city.county_a in codes and city.city in codes
    demo = [d for d in chain if d.unit_name.endswith(("应急管理办公室", "应急指挥中心"))]
    assert demo and all(d.leader is not None and d.officers for d in demo)


def test_user_ids_on_duty_route_notifications_to_the_accounts_on_shift(city, crew_factory):
    crew = crew_factory(city.town_a, starts_on=date(2031, 7, 1))
    officer = crew.officers[0][0]  # on the shift of 1 July
    before = link_user(city.db, "town", officer)
    try:
        with city.db.reading() as session:
            town_user = session.scalar(select(User.id).where(User.username == "town"))
            ids = oncall.user_ids_on_duty(session, city.group_a, at=local(2031, 7, 1, 12))
            later = oncall.user_ids_on_duty(session, city.group_a, at=local(2031, 7, 2, 12))
        assert town_user in ids and town_user not in later
    finally:
        link_user(city.db, "town", before)
