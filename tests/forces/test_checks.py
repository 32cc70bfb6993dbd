"""Rule checks: volunteer teams of at least 10, leaders, certificates and insurance, and the daily warning."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tests.forces.helpers import add_members, new_team
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.forces import checks, jobs
from yingji.notify.inbox import users_with
from yingji.notify.models import InboxMessage
from yingji.org.models import Jurisdiction


def _ids(report: dict, kind: str, field: str = "team_id") -> set:
    return {f[field] for f in report["items"][kind]}


def test_volunteer_teams_need_ten_members_and_a_leader(api, city):
    town = api("town")
    small = new_team(town, city.village_a, name="九人队")
    add_members(town, small["id"], 8)
    add_members(town, small["id"], 1, role="leader")
    full = new_team(town, city.village_a, name="十人队")
    add_members(town, full["id"], 9)
    social = new_team(town, city.village_a, name="少人社会队", kind="social")  # not a volunteer team
    report = town.get("/api/v1/forces/checks", params={"within": city.village_a, "limit": 1000}).json()
    few = _ids(report, "few_members")
    assert small["id"] in few and social["id"] not in few
    assert full["id"] in few  # 9 members so far
    add_members(town, full["id"], 1, role="leader")
    report = town.get("/api/v1/forces/checks", params={"within": city.village_a, "limit": 1000}).json()
    assert full["id"] not in _ids(report, "few_members")
    no_leader = _ids(report, "no_leader")
    assert full["id"] not in no_leader and small["id"] not in no_leader and social["id"] in no_leader
    assert social["id"] in _ids(report, "not_registered") and social["id"] in _ids(
        report, "team_insurance_expired"
    )
    assert report["labels"]["few_members"] == "不足 10 人的志愿队伍"


def test_certificates_and_insurance_expired_or_expiring(api, city, clock):
    clock.freeze(datetime(2027, 3, 1, 4, 0))
    town = api("town")
    team = new_team(town, city.town_a, kind="town_brigade")
    today = date(2027, 3, 1)
    old, soon, fine = add_members(
        town,
        team["id"],
        3,
        certificates=[{"name": "急救员证", "expires_on": str(today + timedelta(days=20))}],
        insurance_until=str(today + timedelta(days=100)),
    )
    town.patch(
        f"/api/v1/forces/members/{old['id']}",
        json={
            "certificates": [{"name": "冲锋舟驾驶证", "expires_on": "2027-02-28"}],
            "insurance_until": "2027-01-01",
        },
    )
    town.patch(f"/api/v1/forces/members/{fine['id']}", json={"certificates": [{"name": "急救员证"}]})
    report = town.get(
        "/api/v1/forces/checks", params={"within": city.town_a, "limit": 1000, "days": 30}
    ).json()
    assert old["id"] in _ids(report, "certificate_expired", "member_id")
    assert old["id"] in _ids(report, "insurance_expired", "member_id")
    assert soon["id"] in _ids(report, "certificate_expiring", "member_id")
    assert soon["id"] not in _ids(report, "certificate_expired", "member_id")
    assert fine["id"] not in _ids(report, "certificate_expiring", "member_id") | _ids(
        report, "certificate_expired", "member_id"
    )
    narrow = town.get(
        "/api/v1/forces/checks", params={"within": city.town_a, "limit": 1000, "days": 10}
    ).json()
    assert soon["id"] not in _ids(narrow, "certificate_expiring", "member_id")
    expired = next(f for f in report["items"]["certificate_expired"] if f["member_id"] == old["id"])
    assert expired["what"] == "冲锋舟驾驶证" and expired["on"] == "2027-02-28"


def test_villages_without_a_team_and_scope(api, city):
    with city.db.reading() as session:
        missing = checks.run(
            session, Principal.system(city.county_a), only="village_without_team", limit=5000
        )
        villages = session.scalar(
            select(func.count()).where(
                Jurisdiction.level == "village", Jurisdiction.code.startswith("520602")
            )
        )
    assert 0 < missing.counts["village_without_team"] < villages  # the demo leaves a few villages out
    report = api("town_b").get("/api/v1/forces/checks").json()
    assert all(f["jurisdiction_code"].startswith(city.town_b) for v in report["items"].values() for f in v)
    assert api("town_b").get("/api/v1/forces/checks", params={"within": city.town_a}).status_code == 404
    assert api("town").get("/api/v1/forces/checks", params={"kind": "nonsense"}).status_code == 404


def test_the_daily_job_warns_each_owning_level_once(api, city):
    """Run again the same day, the job tells no one anything new. Counted by recipient and link,
    not by the dedupe key: a key that changed per run would pass a check on the key (UNIQUE)."""
    town = api("town")
    team = new_team(town, city.village_a, name="待整改队")
    add_members(town, team["id"], 3)
    link = f"/forces/checks?within={city.town_a}"

    def told_town() -> list[InboxMessage]:
        with city.db.reading() as session:
            officers = users_with(session, city.town_a, Perm.FORCES_MANAGE)
            assert officers, "the town has an officer who looks after forces"
            return session.scalars(
                select(InboxMessage).where(InboxMessage.user_id.in_(officers), InboxMessage.link == link)
            ).all()

    with city.db.writing(Actor.system("tests")) as session:
        told = jobs.warn_levels(session)
    assert told > 0
    rows = told_town()
    assert rows, "the town officer of the village's town is told"
    for _ in range(2):  # the same day again: nothing new
        with city.db.writing(Actor.system("tests")) as session:
            jobs.warn_levels(session)
        assert len(told_town()) == len(rows)
    assert rows[0].link == link and "救援力量" in rows[0].subject
