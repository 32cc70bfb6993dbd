"""The overview's tiles on a known dataset in a fresh database: every count, and scope (a town sees
only its town, a county's figures leave the other county out, ``within`` outside is a 404)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from yingji.auth.roles import PERMISSIONS, Role
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.core.errors import NotFound
from yingji.delivery.models import Delivery, Dispatch, DispatchCell
from yingji.forces.models import Team
from yingji.incidents.models import Incident, IncidentReport, ReportingDeadline
from yingji.monitoring.models import Alarm, HazardPoint, Sensor
from yingji.org.models import Jurisdiction
from yingji.overview import service
from yingji.overview.situation import today_start
from yingji.response.models import ResponseActivation, ResponseTask
from yingji.warnings.models import Warning

PLACES = [
    ("52", "贵州省", "province", None),
    ("5206", "铜仁市", "city", "52"),
    ("520602", "碧江区", "county", "5206"),
    ("520603", "万山区", "county", "5206"),
    ("520602001", "灯塔街道", "town", "520602"),
    ("520602002", "环北街道", "town", "520602"),
    ("520603001", "仁山街道", "town", "520603"),
    ("520602001001", "甲村", "village", "520602001"),
    ("520602001001001", "甲村一组", "group", "520602001001"),
    ("520602001001002", "甲村二组", "group", "520602001001"),
    ("520603001001", "乙村", "village", "520603001"),
    ("520603001001001", "乙村一组", "group", "520603001001"),
]
TOWN_A, TOWN_A2, TOWN_B = "520602001", "520602002", "520603001"


def who(code: str, role: Role = Role.COMMANDER) -> Principal:
    return Principal(1, "t", "t", role.value, code, PERMISSIONS[role])


def _incident(
    s, code: str, *, grade="IV", status="verified", days_ago: float = 0.05, merged_into=None
) -> Incident:
    when = clock.now() - timedelta(days=days_ago)
    row = Incident(
        number=f"O-{uuid.uuid4().hex[:12]}",
        title="测试",
        category="accident.production",
        jurisdiction_code=code,
        occurred_at=when,
        received_at=when,
        status=status,
        grade=grade,
        merged_into_id=merged_into,
    )
    s.add(row)
    s.flush()
    return row


@pytest.fixture(scope="module")
def data(databases):
    db = databases.make("overview")
    now = clock.now()
    with db.writing(Actor.system("tests")) as s:
        s.add_all(Jurisdiction(code=c, name=n, level=lvl, parent_code=p) for c, n, lvl, p in PLACES)
        s.flush()
        # Incidents: open in town A (I reported, II responding, IV verified ×2), town A2 (III
        # stabilised), county B (none graded reported), closed and merged ones that never count.
        a1 = _incident(s, TOWN_A, grade="I", status="reported")
        a2 = _incident(s, TOWN_A, grade="II", status="responding")
        _incident(s, TOWN_A, grade="IV")
        _incident(s, TOWN_A, grade="IV")
        a5 = _incident(s, TOWN_A2, grade="III", status="stabilised")
        b1 = _incident(s, TOWN_B, grade=None, status="reported")
        _incident(s, TOWN_A, status="closed")
        _incident(s, TOWN_A, grade="I", merged_into=a1.id)
        # Last year's same days: two in town A, one in B; 40 days ago: outside both windows.
        for code in (TOWN_A, TOWN_A, TOWN_B):
            _incident(s, code, status="closed", days_ago=365 + 3)
        _incident(s, TOWN_A, status="closed", days_ago=40)
        midnight = today_start(now)
        # Reports today: first + follow-up on a1, first on b1; one yesterday-ish (2 days ago).
        for inc, seq, kind, ago in (
            (a1, 1, "first", 0.01),
            (a1, 2, "follow_up", 0.005),
            (b1, 1, "first", 0.01),
            (a5, 1, "first", 2),
        ):
            s.add(
                IncidentReport(
                    incident_id=inc.id,
                    seq=seq,
                    kind=kind,
                    # "Today's" reports never fall before local midnight: a run just after midnight
                    # (Beijing) would otherwise push them into yesterday.
                    received_at=max(now - timedelta(days=ago), midnight)
                    if ago < 1
                    else now - timedelta(days=ago),
                    jurisdiction_code=inc.jurisdiction_code,
                )
            )
        # Deadlines: open past due (A), open not yet due (A), late (A, 3 days ago), missed (B),
        # late 60 days ago.
        for inc, state, due in (
            (a1, "open", now - timedelta(hours=1)),
            (a2, "open", now + timedelta(hours=1)),
            (a2, "late", now - timedelta(days=3)),
            (b1, "missed", now - timedelta(days=1)),
            (a5, "late", now - timedelta(days=60)),
        ):
            s.add(
                ReportingDeadline(
                    incident_id=inc.id,
                    jurisdiction_code=inc.jurisdiction_code,
                    to_level="county",
                    to_code=inc.jurisdiction_code[:6],
                    due_at=due,
                    basis="t",
                    state=state,
                )
            )
        # Tasks: overdue open (A), overdue done (A), open not due (A), overdue open (B).
        for inc, seq, state, due in (
            (a2, 1, "assigned", -1),
            (a2, 2, "done", -1),
            (a2, 3, "in_progress", 2),
            (b1, 1, "acknowledged", -1),
        ):
            s.add(
                ResponseTask(
                    incident_id=inc.id,
                    seq=seq,
                    title="任务",
                    assignee_kind="unit",
                    assignee_name="某单位",
                    due_at=now + timedelta(hours=due),
                    state=state,
                    issued_by_code=inc.jurisdiction_code[:6],
                    jurisdiction_code=inc.jurisdiction_code,
                )
            )
        # Responses: level 2 in force (A), level 3 ended (A), level 4 in force (B).
        s.add(ResponseActivation(incident_id=a2.id, level=2, decided_by="指挥长", jurisdiction_code=TOWN_A))
        s.add(
            ResponseActivation(
                incident_id=a2.id,
                level=3,
                decided_by="指挥长",
                jurisdiction_code=TOWN_A,
                ended_at=now,
                ended_how="adjusted",
            )
        )
        s.add(ResponseActivation(incident_id=b1.id, level=4, decided_by="县长", jurisdiction_code=TOWN_B))
        # Warnings: red in force (county A) with a dispatch over two cells (one acknowledged) and three
        # deliveries (two delivered); orange in force (county B); yellow expired; blue lifted.
        red = Warning(
            sender="t",
            status="published",
            level="red",
            jurisdiction_code="520602",
            expires=now + timedelta(days=1),
        )
        orange = Warning(
            sender="t", status="published", level="orange", jurisdiction_code="520603", expires=None
        )
        s.add_all(
            [
                red,
                orange,
                Warning(
                    sender="t",
                    status="published",
                    level="yellow",
                    jurisdiction_code="520602",
                    expires=now - timedelta(hours=1),
                ),
                Warning(sender="t", status="lifted", level="blue", jurisdiction_code="520602"),
            ]
        )
        s.flush()
        d = Dispatch(
            warning_id=red.id,
            root_warning_id=red.id,
            event="published",
            identifier="x",
            level="red",
            headline="h",
            jurisdiction_code="520602",
            ack_code="A1",
        )
        s.add(d)
        s.flush()
        s.add(
            DispatchCell(dispatch_id=d.id, grid_cell_id=1, cell_code="520602001001001", acknowledged_at=now)
        )
        s.add(DispatchCell(dispatch_id=d.id, grid_cell_id=2, cell_code="520602001001002"))
        for rid, state in ((1, "delivered"), (2, "acknowledged"), (3, "failed")):
            s.add(
                Delivery(
                    dispatch_id=d.id,
                    channel="sms",
                    recipient_kind="person",
                    recipient_id=rid,
                    role="grid_worker",
                    cell_code="520602001001001",
                    state=state,
                )
            )
        # Alarms: red + yellow open on point P (town A), orange acknowledged on Q (town B), cleared on P.
        p = HazardPoint(code="P1", name="滑坡点", kind="geological", jurisdiction_code="520602001001")
        q = HazardPoint(code="Q1", name="山洪沟", kind="flash_flood", jurisdiction_code="520603001001")
        s.add_all([p, q])
        s.flush()
        for i, (point, level, state) in enumerate(
            ((p, "red", "open"), (p, "yellow", "open"), (q, "orange", "acknowledged"), (p, "blue", "cleared"))
        ):
            sensor = Sensor(
                code=f"S{i}",
                name="雨量计",
                kind="rain_gauge",
                unit="mm",
                hazard_point_id=point.id,
                jurisdiction_code=point.jurisdiction_code,
            )
            s.add(sensor)
            s.flush()
            s.add(
                Alarm(
                    rule_key=f"default:{i}",
                    sensor_id=sensor.id,
                    hazard_point_id=point.id,
                    jurisdiction_code=point.jurisdiction_code,
                    metric="value",
                    direction="above",
                    level=level,
                    action="notify",
                    raise_at=1,
                    clear_at=0.5,
                    state=state,
                    raised_at=now,
                    value=2,
                    peak_value=2,
                    last_value=2,
                )
            )
        # Teams: two on call and one deployed in county A, one resting in county B.
        for i, (code, readiness) in enumerate(
            ((TOWN_A, "on_call"), (TOWN_A, "on_call"), (TOWN_A2, "deployed"), (TOWN_B, "resting"))
        ):
            s.add(
                Team(
                    code=f"T{i}",
                    name=f"队{i}",
                    kind="fire_rescue",
                    jurisdiction_code=code,
                    readiness=readiness,
                )
            )
    return db


def test_city_counts(data):
    with data.reading() as s:
        ov = service.overview(s, who("5206"), use_cache=False)
    inc = ov.incidents
    assert inc.open == 6
    assert {f.key: f.count for f in inc.by_grade} == {"I": 1, "II": 1, "III": 1, "IV": 2, "none": 1}
    assert {f.key: f.count for f in inc.by_status} == {
        "reported": 2,
        "verified": 2,
        "responding": 1,
        "stabilised": 1,
    }
    assert inc.by_grade[0].link == "/incidents?status=open&grade=I&drill=real"
    assert (ov.reports.today, ov.reports.first, ov.reports.follow_up) == (3, 2, 1)
    o = ov.overdue
    assert (o.deadlines_overdue, o.late_30d, o.missed_30d, o.tasks_overdue) == (1, 1, 1, 2)
    assert ov.responses.in_force == 2
    assert {f.key: f.count for f in ov.responses.by_level} == {"1": 0, "2": 1, "3": 0, "4": 1}
    w = ov.warnings
    assert w.in_force == 2
    levels = {r.level: r for r in w.by_level}
    assert (levels["red"].count, levels["orange"].count, levels["yellow"].count, levels["blue"].count) == (
        1,
        1,
        0,
        0,
    )
    assert (levels["red"].cells, levels["red"].acknowledged_cells, levels["red"].ack_share) == (2, 1, 50)
    assert (levels["red"].deliveries, levels["red"].delivered, levels["red"].delivery_share) == (3, 2, 67)
    assert levels["orange"].ack_share is None  # nothing sent: no share, not 0 %
    a = ov.alarms
    assert a.active == 3 and a.points_in_alarm == 2
    assert {f.key: f.count for f in a.by_level} == {"red": 1, "orange": 1, "yellow": 1, "blue": 0}
    t = ov.teams
    assert (t.total, t.ready, t.deployed, t.resting) == (4, 2, 1, 1)
    assert t.ready_link == "/forces/teams?readiness=on_call"
    tr = ov.trends
    assert len(tr.days) == 30 and tr.total == 7 and tr.total_last_year == 3  # closed today counts too
    assert tr.change == pytest.approx(133.3)
    assert dict(zip(tr.place_codes, tr.place_current, strict=True)) == {"520602": 6, "520603": 1}
    assert dict(zip(tr.place_codes, tr.place_last_year, strict=True)) == {"520602": 2, "520603": 1}
    assert tr.days[-1] == clock.to_local(clock.now()).strftime("%m-%d")


def test_county_excludes_the_other_county(data):
    with data.reading() as s:
        ov = service.overview(s, who("520602", Role.COUNTY_OFFICER), use_cache=False)
    assert ov.incidents.open == 5
    assert (ov.reports.today, ov.overdue.missed_30d, ov.overdue.tasks_overdue) == (2, 0, 1)
    assert ov.responses.in_force == 1 and ov.warnings.in_force == 1
    assert ov.alarms.active == 2 and ov.alarms.points_in_alarm == 1
    assert ov.teams.total == 3
    assert set(ov.trends.place_codes) == {"520602001", "520602002"}  # its towns


def test_town_sees_only_its_town(data):
    with data.reading() as s:
        ov = service.overview(s, who(TOWN_A2, Role.TOWN_OFFICER), use_cache=False)
    assert ov.incidents.open == 1 and ov.incidents.by_grade[2].count == 1  # the III in A2
    assert ov.reports.today == 0 and ov.overdue.tasks_overdue == 0
    assert ov.warnings.in_force == 0 and ov.warnings.by_level[0].cells == 0
    assert ov.alarms.active == 0
    assert (ov.teams.total, ov.teams.deployed) == (1, 1)


def test_within_narrows_and_outside_is_404(data):
    with data.reading() as s:
        ov = service.overview(s, who("5206"), within="520603", use_cache=False)
        assert ov.name == "万山区" and ov.incidents.open == 1
        assert ov.incidents.link == "/incidents?status=open&drill=real&within=520603"
        with pytest.raises(NotFound):
            service.overview(s, who("520602", Role.COUNTY_OFFICER), within="520603", use_cache=False)


def test_cache_is_per_scope_and_invalidated(data):
    with data.reading() as s:
        first = service.overview(s, who("520602"), tiles=["incidents"])
        again = service.overview(s, who("520602"), tiles=["incidents"])
        assert again.incidents is first.incidents  # within the cache's seconds
        other = service.overview(s, who("520603"), tiles=["incidents"])
        assert other.incidents.open == 1
        slow = service.overview(s, who("520602"), tiles=["supplies"]).supplies
        service.invalidate("520602001")
        fresh = service.overview(s, who("520602"), tiles=["incidents", "supplies"])
        assert fresh.incidents is not first.incidents and fresh.incidents.open == 5
        assert fresh.supplies is slow  # supply gaps are kept minutes: no event moves them


def test_a_town_under_the_citys_warning_sees_it_in_force(data):
    """A warning issued above the town whose area reaches into it is in force for the town officer;
    one whose area lies elsewhere is not (what the map shades, the tile counts)."""
    from yingji.warnings.models import WarningArea, WarningInfo

    class Undo(Exception):
        """leaves the module's data as it was"""

    def issued_by_city(level: str, area: str) -> Warning:
        w = Warning(sender="city", status="published", level=level, jurisdiction_code="5206", expires=None)
        info = WarningInfo(
            seq=1,
            jurisdiction_code="5206",
            event="暴雨",
            urgency="Immediate",
            severity="Severe",
            certainty="Likely",
            categories=["Met"],
        )
        info.areas = [
            WarningArea(
                seq=1,
                jurisdiction_code="5206",
                area_desc=area,
                geocodes=[["行政区划代码", area + "0" * (12 - len(area))]],
            )
        ]
        w.infos = [info]
        return w

    with pytest.raises(Undo), data.writing(Actor.system("tests")) as s:
        s.add_all([issued_by_city("red", "520602"), issued_by_city("blue", "520603")])
        s.flush()
        ov = service.overview(s, who(TOWN_A2, Role.TOWN_OFFICER), use_cache=False)
        assert ov.warnings.in_force == 1 and ov.warnings.by_level[0].count == 1  # the red over its county
        other = service.overview(s, who(TOWN_B, Role.TOWN_OFFICER), use_cache=False)
        # the city's blue over county B; county B's own orange names no area, so it reaches no town
        assert other.warnings.in_force == 1 and other.warnings.by_level[3].count == 1
        raise Undo
