"""Publication → deliveries: every grid leader and worker of the cells, the village cadres, the
in-app inbox of linked users, subscribed residents; sent once each through a real HTTP gateway."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from tests.delivery.conftest import cells, deliveries, emit, group_codes, make_warning, run_jobs, staff_of
from yingji.auth.models import User
from yingji.notify.models import InboxMessage
from yingji.org.models import Person, Position, Unit
from yingji.residents.models import Resident


def cadres_of(db, village):
    with db.reading() as session:
        return set(
            session.scalars(
                select(Position.person_id)
                .join(Unit, Unit.id == Position.unit_id)
                .where(Unit.kind == "service_station", Unit.jurisdiction_code == village)
            )
        )


def test_publish_reaches_staff_cadres_inbox_and_residents_once(city, sms):
    wid = make_warning(city.db, city.county_a, area_codes=[city.village_a])
    dispatch = emit(city.db, wid)
    groups = group_codes(city.db, city.village_a)
    assert [c.cell_code for c in cells(city.db, dispatch.id)] == groups
    assert dispatch.policy["steps"][0] == {"after_minutes": 5, "action": "resend"}  # frozen red policy

    staff = {p.id for g in groups for p in staff_of(city.db, g)}
    people_sms = deliveries(city.db, dispatch.id, channel="sms", recipient_kind="person")
    per_person = Counter(d.recipient_id for d in people_sms)
    assert staff | cadres_of(city.db, city.village_a) <= set(per_person)
    assert set(per_person.values()) == {1}
    roles = {d.recipient_id: d.role for d in people_sms}
    assert {roles[p] for p in staff} <= {"grid_leader", "grid_worker"}

    with city.db.reading() as session:
        gridworker = session.scalar(select(User).where(User.username == "gridworker"))
        subscribed = set(
            session.scalars(
                select(Resident.id).where(
                    Resident.village_code == city.village_a, Resident.subscribed, Resident.mobile.is_not(None)
                )
            )
        )
    inbox = deliveries(city.db, dispatch.id, channel="inbox")
    assert [d.recipient_id for d in inbox if d.recipient_id == gridworker.id] == [gridworker.id]

    run_jobs(city.db)
    resident_sms = deliveries(city.db, dispatch.id, channel="sms", recipient_kind="resident")
    assert {d.recipient_id for d in resident_sms} == subscribed and len(resident_sms) == len(subscribed)
    assert {d.state for d in deliveries(city.db, dispatch.id, channel="sms")} == {"sent"}
    assert {d.state for d in inbox} == {"queued"} and {
        d.state for d in deliveries(city.db, dispatch.id, channel="inbox")
    } == {"delivered"}

    marker = dispatch.headline
    counts = sms.gateway.per_recipient(marker)
    assert set(counts.values()) == {1}
    # Every SMS delivery of the dispatch (staff, cadres, residents, and team leaders or hazard monitors
    # that other tests placed in the area) reached the gateway exactly once.
    assert sum(counts.values()) == len(deliveries(city.db, dispatch.id, channel="sms"))
    with city.db.reading() as session:
        staff_phone = session.get(Person, next(iter(staff))).mobile
    texts = {m["to"]: m["content"] for m in sms.gateway.data.sms if marker in m["content"]}
    assert "/ack/" in texts[staff_phone] and dispatch.ack_code in texts[staff_phone]
    resident_phone = resident_sms[0].address
    assert "/ack/" not in texts[resident_phone]
    with city.db.reading() as session:
        got = session.scalars(
            select(InboxMessage.subject).where(
                InboxMessage.user_id == gridworker.id, InboxMessage.subject == marker
            )
        ).all()
    assert got == [marker]


def test_the_same_event_twice_makes_one_dispatch(city):
    wid = make_warning(city.db, city.county_a, area_codes=[city.village_a])
    first = emit(city.db, wid)
    second = emit(city.db, wid)
    assert first.id == second.id
    assert len({d.id for d in deliveries(city.db, first.id)}) == len(deliveries(city.db, first.id))


def test_without_a_gateway_sms_fail_visibly(city):
    """No enabled SMS endpoint anywhere above the warning: every SMS is failed with the reason."""
    wid = make_warning(city.db, city.county_b, area_codes=[city.town_other_county])
    dispatch = emit(city.db, wid)
    run_jobs(city.db)
    failed = deliveries(city.db, dispatch.id, channel="sms")
    assert failed and {d.state for d in failed} == {"failed"}
    assert {d.detail for d in failed} == {"no enabled sms endpoint for this jurisdiction"}


def test_rescue_team_leaders_in_the_area_are_told(city):
    import uuid

    from tests.conftest import unique_mobile
    from yingji.core.db import Actor
    from yingji.forces.models import Team, TeamMember

    phone = unique_mobile()
    with city.db.writing(Actor.system("tests")) as session:
        team = Team(
            code=f"T-{uuid.uuid4().hex[:8]}",
            name="镇应急救援队",
            kind="town_brigade",
            jurisdiction_code=city.town_a,
        )
        session.add(team)
        session.flush()
        session.add(
            TeamMember(
                team_id=team.id, jurisdiction_code=city.town_a, name="队长", mobile=phone, role="leader"
            )
        )
        session.add(
            TeamMember(team_id=team.id, jurisdiction_code=city.town_a, name="队员", mobile=unique_mobile())
        )
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.village_a]))
    leaders = [d for d in deliveries(city.db, dispatch.id, channel="sms") if d.role == "team_leader"]
    # Other teams may be based in the same village (the demo, other tests): ours is told, once.
    assert [d.address for d in leaders if d.recipient_kind == "member"].count(phone) == 1


def test_hazard_point_monitors_in_the_cells_are_told(city):
    import uuid

    from tests.conftest import unique_mobile
    from yingji.core.db import Actor
    from yingji.monitoring.models import HazardPoint
    from yingji.org.models import GridCell

    with city.db.writing(Actor.system("tests")) as session:
        monitor = Person(name="监测员", mobile=unique_mobile(), jurisdiction_code=city.group_a)
        session.add(monitor)
        session.flush()
        cell_id = session.scalar(select(GridCell.id).where(GridCell.code == city.group_a))
        session.add(
            HazardPoint(
                code=f"HP-{uuid.uuid4().hex[:8]}",
                name="滑坡隐患点",
                kind="geological",
                jurisdiction_code=city.group_a,
                grid_cell_id=cell_id,
                monitor_person_id=monitor.id,
            )
        )
        monitor_id = monitor.id
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.group_a]))
    (d,) = [x for x in deliveries(city.db, dispatch.id, channel="sms") if x.recipient_id == monitor_id]
    assert d.role == "monitor" and d.recipient_kind == "person"
