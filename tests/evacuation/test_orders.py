"""Orders: households frozen from the registry (grouped by household, head = first resident),
one task per grid cell with its grid workers, idempotent by key, scope, the order's moves (409)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from yingji.auth.models import AuditEntry, User
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.evacuation import orders
from yingji.evacuation.models import EvacuationOrder, EvacuationTask, HazardThreat
from yingji.evacuation.schemas import LiftIn, OrderIn
from yingji.monitoring.models import HazardPoint
from yingji.org.models import GridAssignment, GridCell
from yingji.residents.models import Resident

from .conftest import households, issue, principal_of


def test_households_frozen_and_tasks_per_cell(city):
    order_id = issue(city.db, "town", [city.village_a])
    mine = households(city.db, order_id)
    with city.db.reading() as session:
        rows = session.execute(
            select(
                Resident.id,
                Resident.name,
                Resident.jurisdiction_code,
                Resident.household,
                Resident.vulnerability,
            )
            .where(Resident.village_code == city.village_a, Resident.active)
            .order_by(Resident.id)
        ).all()
        order = session.get(EvacuationOrder, order_id)
        tasks = session.scalars(select(EvacuationTask).where(EvacuationTask.order_id == order_id)).all()
        staff = {}
        for cell_id, person_id in session.execute(
            select(GridAssignment.grid_cell_id, GridAssignment.person_id).where(
                GridAssignment.grid_cell_id.in_([t.grid_cell_id for t in tasks])
            )
        ):
            staff.setdefault(cell_id, set()).add(person_id)
        cells = dict(
            session.execute(
                select(GridCell.jurisdiction_code, GridCell.id).where(
                    GridCell.level == 3, GridCell.jurisdiction_code.startswith(city.village_a)
                )
            ).all()
        )
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "evacuation_orders", AuditEntry.entity_id == str(order_id))
        )
    expected: dict[tuple[str, str], list] = {}
    for r in rows:
        expected.setdefault((r.jurisdiction_code, r.household), []).append(r)
    assert len(mine) == len(expected) == order.households_total
    assert order.people_total == len(rows) == sum(h.people for h in mine)
    for h in mine:
        members = expected[(h.jurisdiction_code, h.household)]
        assert h.head_name == members[0].name  # the first resident by id
        assert h.people == len(members)
        assert h.vulnerable == sum(1 for m in members if m.vulnerability > 0)
        assert h.state == "pending"
        if h.jurisdiction_code in cells:
            assert h.grid_cell_id == cells[h.jurisdiction_code]
    assert {t.grid_cell_id for t in tasks} == {h.grid_cell_id for h in mine if h.grid_cell_id}
    assert sum(t.households_total for t in tasks) == len([h for h in mine if h.grid_cell_id])
    for t in tasks:
        assert set(t.assignee_ids) == staff.get(t.grid_cell_id, set())
    assert any(t.assignee_ids for t in tasks)
    assert audits == 1  # one audit entry for the issue (households are not row-audited)


def test_idempotent_by_client_key(city):
    key = uuid.uuid4().hex
    first = issue(city.db, "town", [city.group_a], client_key=key)
    again = issue(city.db, "town", [city.group_a], client_key=key)
    assert first == again


def test_area_outside_the_issuers_jurisdiction_is_refused(city):
    with pytest.raises(Forbidden):
        issue(city.db, "town", [city.town_b])
    with pytest.raises(Forbidden):
        issue(city.db, "gridworker", [city.group_a])  # no EVACUATION_ORDER
    with pytest.raises(ValidationFailed):
        issue(city.db, "town", [])


def test_moves_along_the_table(city):
    order_id = issue(city.db, "town", [city.group_a])
    p = principal_of(city.db, "town")
    with city.db.writing(p.as_actor()) as session, pytest.raises(Conflict):
        orders.close(session, p, order_id)  # active → closed is not a move
    with city.db.writing(p.as_actor()) as session:
        assert orders.lift(session, p, order_id, LiftIn(note="险情解除")).state == "lifted"
    with city.db.writing(p.as_actor()) as session, pytest.raises(Conflict):
        orders.lift(session, p, order_id, LiftIn(note="again"))
    with city.db.writing(p.as_actor()) as session, pytest.raises(Conflict):
        orders.cancel(session, p, order_id, LiftIn(note="误发"))
    with city.db.writing(p.as_actor()) as session:
        assert orders.close(session, p, order_id).state == "closed"
    with city.db.reading() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "evacuation_orders", AuditEntry.entity_id == str(order_id)
            )
        ).all()
    assert len(actions) == 3  # issue, lift, close


def test_order_from_a_hazard_points_threat_list(city):
    p = principal_of(city.db, "county")
    with city.db.reading() as session:
        point_id, n = session.execute(
            select(HazardThreat.hazard_point_id, func.count())
            .join(HazardPoint, HazardPoint.id == HazardThreat.hazard_point_id)
            .where(HazardPoint.jurisdiction_code.startswith(city.county_a))
            .group_by(HazardThreat.hazard_point_id)
            .order_by(HazardThreat.hazard_point_id)
        ).first()
    with city.db.writing(p.as_actor()) as session:
        order = orders.issue(
            session, p, OrderIn(title="隐患点转移", source="hazard", hazard_point_id=point_id)
        )
        assert order.households_total == n
        assert order.hazard_kind == "geological"


def test_order_from_the_red_warning(city, api):
    from yingji.warnings.models import Warning

    with city.db.reading() as session:
        warning_id = session.scalar(
            select(Warning.id).where(
                Warning.template_key == "geohazard_weather_risk",
                Warning.level == "red",
                Warning.status == "published",
            )
        )
    r = api("county").post(
        "/api/v1/evacuation/orders",
        json={"title": "红色预警转移", "source": "warning", "warning_id": warning_id},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["warning_id"] == warning_id and body["households_total"] > 0
    assert all(code.startswith(city.county_a) for code in body["area_codes"])
    # a town officer's order from the same warning covers only the town
    r = api("town").post(
        "/api/v1/evacuation/orders",
        json={"title": "镇转移", "source": "warning", "warning_id": warning_id},
    )
    if r.status_code == 201:  # the town lies in the warning's area
        assert all(code.startswith(city.town_a) for code in r.json()["area_codes"])
    else:
        assert r.status_code == 422


def test_grid_workers_told_through_the_inbox_not_for_drills(city):
    from yingji.evacuation.jobs import NOTIFY_JOB
    from yingji.jobs.models import Job
    from yingji.jobs.worker import Worker
    from yingji.notify.models import InboxMessage

    order_id = issue(city.db, "town", [city.group_a])
    Worker(city.db, kinds=[NOTIFY_JOB], name="tests").run_until_idle()
    with city.db.reading() as session:
        worker_id = session.scalar(select(User.id).where(User.username == "gridworker"))
        told = session.scalars(
            select(InboxMessage).where(InboxMessage.dedupe_key == f"evacuation:{order_id}:{worker_id}")
        ).all()
    assert len(told) == 1 and told[0].severity == "urgent"
    from yingji.drills.models import Drill

    p = principal_of(city.db, "town")
    with city.db.writing(p.as_actor()) as session:
        drill_id = session.scalar(select(Drill.id).limit(1))
        if drill_id is None:
            return
        drill = orders.issue(
            session, p, OrderIn(title="演练转移", area_codes=[city.group_a]), drill_id=drill_id
        )
        assert drill.drill_id == drill_id
    with city.db.reading() as session:
        payloads = session.scalars(select(Job.payload).where(Job.kind == NOTIFY_JOB)).all()
    assert {"order_id": order_id} in payloads
    assert {"order_id": drill.id} not in payloads  # a drill's order reaches nobody


def test_a_double_tap_issues_one_order(city):
    import threading

    key = uuid.uuid4().hex
    got: list[int] = []
    errors: list[BaseException] = []

    def tap() -> None:
        try:
            got.append(issue(city.db, "town", [city.group_a], client_key=key))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tap) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(got)) == 1
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(EvacuationOrder.client_key == key)) == 1
