"""Tip-offs completed: kinds beyond the hidden danger (not forced into the dangers table), the check,
the reward by rule (the verifier may not approve, no other amount), payment, the reporter sealed and
shown only to reward approvers of the place, statistics and the concealments the veto reads."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.risk.test_tipoff import public, token
from yingji.auth import service as auth_service
from yingji.auth.models import AuditEntry
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.risk.danger_models import Danger
from yingji.risk.tipoffs import sealed, stats
from yingji.risk.tipoffs.models import Tipoff


@pytest.fixture(scope="module")
def other_county(city, app) -> TestClient:
    """A REWARD_APPROVE holder of the other county (sees nothing of the first county's tip-offs)."""
    name = f"cb_{uuid.uuid4().hex[:6]}"
    with city.db.writing(Actor.system("tests")) as session:
        user = auth_service.create_user(
            session,
            Principal.system(),
            username=name,
            password=PASSWORD,
            display_name="乙县应急局",
            role="county_officer",
            jurisdiction_code=city.county_b,
        )
        secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
    c = TestClient(app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {secret}"
    return c


def tip(app, city, kind: str, phone: str | None = "13912345678", address: str | None = None) -> dict:
    c = public(app, address or f"10.8.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
    data = {
        "tipoff_token": token(c),
        "town": city.town_a,
        "what": f"举报内容{uuid.uuid4().hex[:6]}",
        "kind": kind,
    }
    if phone:
        data |= {"contact_name": "举报群众甲", "contact_phone": phone}
    r = c.post("/risk/tipoff", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    ref = r.headers["location"].split("ref=")[1]
    with city.db.reading() as session:
        row = session.scalar(select(Tipoff).where(Tipoff.public_ref == ref))
        return {"id": row.id, "ref": ref, "danger_id": row.danger_id}


def verify(client, tipoff_id: int, **body):
    assert client.post(f"/api/v1/risk/tipoffs/{tipoff_id}/start").status_code == 200
    return client.post(f"/api/v1/risk/tipoffs/{tipoff_id}/verify", json={"evidence": "现场核查笔录"} | body)


def test_kinds_other_than_dangers_stay_out_of_the_dangers_table(city, app, clock):
    clock.freeze(datetime(2031, 4, 1, 2, 0, tzinfo=UTC))
    danger = tip(app, city, "major_danger")
    illegal = tip(app, city, "illegal_operation")
    assert danger["danger_id"] is not None and illegal["danger_id"] is None
    with city.db.reading() as session:
        assert session.get(Danger, danger["danger_id"]).public_ref == danger["ref"]
        assert session.scalar(select(Danger).where(Danger.public_ref == illegal["ref"])) is None
        row = session.get(Tipoff, illegal["id"])
        assert "13912345678" not in (row.contact_sealed or "") and row.has_contact
        assert sealed.unseal(row.contact_sealed, city.db.settings.secret_key) == {
            "name": "举报群众甲",
            "phone": "13912345678",
        }
    c = public(app, "10.8.250.1")
    bad = {"tipoff_token": token(c), "town": city.town_a, "what": "不知道的类别", "kind": "gossip"}
    assert c.post("/risk/tipoff", data=bad, follow_redirects=False).status_code == 422


def test_reward_flow_by_rule_with_two_people(city, app, api, clock):
    clock.freeze(datetime(2031, 4, 2, 2, 0, tzinfo=UTC))
    t = tip(app, city, "illegal_operation")
    town, county = api("town"), api("county")
    r = verify(town, t["id"], verdict="true", penalty_cny=50_000)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["reward_state"], body["reward_cny"]) == ("substantiated", "proposed", 7500)
    assert town.post(f"/api/v1/risk/tipoffs/{t['id']}/approve", json={"amount_cny": 7500}).status_code == 403
    wrong = county.post(f"/api/v1/risk/tipoffs/{t['id']}/approve", json={"amount_cny": 9000})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "amount_outside_rule"
    ok = county.post(f"/api/v1/risk/tipoffs/{t['id']}/approve", json={"amount_cny": 7500})
    assert ok.status_code == 200 and ok.json()["reward_state"] == "approved"
    pay = {"amount_cny": 7000, "paid_on": "2031-04-02", "method": "bank", "receipt": "JL-001"}
    assert county.post(f"/api/v1/risk/tipoffs/{t['id']}/pay", json=pay).status_code == 422
    future = pay | {"amount_cny": 7500, "paid_on": "2031-05-02"}
    assert county.post(f"/api/v1/risk/tipoffs/{t['id']}/pay", json=future).status_code == 422
    paid = county.post(f"/api/v1/risk/tipoffs/{t['id']}/pay", json=pay | {"amount_cny": 7500})
    assert paid.status_code == 200 and (paid.json()["state"], paid.json()["reward_state"]) == (
        "closed",
        "paid",
    )
    status = public(app, "10.8.250.2").get("/risk/tipoff/status", params={"ref": t["ref"]})
    assert "奖励已发放" in status.text


def test_the_verifier_may_not_approve(city, app, api, clock):
    clock.freeze(datetime(2031, 4, 3, 2, 0, tzinfo=UTC))
    t = tip(app, city, "concealment")
    county = api("county")
    missing = verify(county, t["id"], verdict="true")
    assert missing.status_code == 422  # a concealment needs the deaths and the grade
    r = county.post(
        f"/api/v1/risk/tipoffs/{t['id']}/verify",
        json={"verdict": "partly", "evidence": "调查报告", "concealed_deaths": 2, "accident_grade": "larger"},
    )
    assert r.status_code == 200 and r.json()["reward_cny"] == 80_000
    refused = county.post(f"/api/v1/risk/tipoffs/{t['id']}/approve", json={"amount_cny": 80_000})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "verifier_may_not_approve"
    assert (
        api("admin").post(f"/api/v1/risk/tipoffs/{t['id']}/approve", json={"amount_cny": 80_000}).status_code
        == 200
    )


def test_concealment_reward_is_capped_and_unfounded_closes(city, app, api, clock):
    clock.freeze(datetime(2031, 4, 4, 2, 0, tzinfo=UTC))
    town = api("town")
    big = tip(app, city, "false_report")
    r = verify(town, big["id"], verdict="true", concealed_deaths=9, accident_grade="major")
    assert r.json()["reward_cny"] == 300_000  # 9 × 50,000 capped at 300,000
    no = tip(app, city, "illegal_operation")
    r = verify(town, no["id"], verdict="false")
    assert (r.json()["state"], r.json()["reward_state"]) == ("closed", "none")
    anonymous = tip(app, city, "illegal_operation", phone=None)
    r = verify(town, anonymous["id"], verdict="true", penalty_cny=10_000)
    assert (r.json()["state"], r.json()["reward_cny"]) == ("closed", None)  # nobody to pay
    again = town.post(f"/api/v1/risk/tipoffs/{no['id']}/verify", json={"verdict": "true", "evidence": "x"})
    assert again.status_code == 409


def test_identity_is_shown_only_to_reward_approvers_of_the_place(city, app, api, other_county, clock):
    clock.freeze(datetime(2031, 4, 5, 2, 0, tzinfo=UTC))
    t = tip(app, city, "major_danger", phone="13987654321")
    town, county = api("town"), api("county")
    listing = town.get("/api/v1/risk/tipoffs").text + county.get("/api/v1/risk/tipoffs").text
    one = county.get(f"/api/v1/risk/tipoffs/{t['id']}").text
    danger = county.get(f"/api/v1/risk/dangers/{t['danger_id']}").text
    assert all("13987654321" not in text and "举报群众甲" not in text for text in (listing, one, danger))
    assert town.get(f"/api/v1/risk/tipoffs/{t['id']}/contact").status_code == 403  # no REWARD_APPROVE
    assert other_county.get(f"/api/v1/risk/tipoffs/{t['id']}/contact").status_code == 404
    assert other_county.get(f"/api/v1/risk/tipoffs/{t['id']}").status_code == 404
    assert all(x["id"] != t["id"] for x in other_county.get("/api/v1/risk/tipoffs?size=200").json()["items"])
    assert api("gridworker").get("/api/v1/risk/tipoffs").status_code == 403
    opened = county.get(f"/api/v1/risk/tipoffs/{t['id']}/contact")
    assert opened.status_code == 200 and opened.json()["phone"] == "13987654321"
    export = county.get("/api/v1/risk/tipoffs/stats/export", params={"year": 2031})
    assert export.status_code == 200
    cells = [
        str(c.value) for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row
    ]
    assert not any("13987654321" in c for c in cells)
    with city.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "risk_tipoffs", AuditEntry.entity_id == str(t["id"])
            )
        ).all()
        assert {e.action for e in entries} >= {"open_contact"}
        dumped = " ".join(f"{e.before} {e.after} {e.note}" for e in entries)
        assert "13987654321" not in dumped and "举报群众甲" not in dumped


def test_statistics_and_the_concealments_the_veto_reads(city, app, api, clock):
    clock.freeze(datetime(2032, 2, 1, 2, 0, tzinfo=UTC))
    town = api("town")
    hidden = tip(app, city, "concealment")
    verify(town, hidden["id"], verdict="true", concealed_deaths=1, accident_grade="general")
    false = tip(app, city, "concealment")
    verify(town, false["id"], verdict="false")
    s = api("county").get("/api/v1/risk/tipoffs/stats", params={"year": 2032}).json()
    kinds = {r["key"]: r for r in s["by_kind"]}
    assert kinds["concealment"]["count"] >= 2 and kinds["concealment"]["checked"] >= 2
    # Other tests may send tip-offs in 2032 too (the public channel's limit test): ours are February's.
    months = {r["key"]: r for r in s["by_month"]}
    assert "2032-02" in months and all(k.startswith("2032-") for k in months)
    assert all(r["key"].startswith(city.county_a) and len(r["key"]) == 9 for r in s["by_place"])
    with city.db.reading() as session:
        found = stats.concealments(session, [city.county_a, city.town_a, city.county_b], 2032)
        assert hidden["id"] in found[city.county_a] and hidden["id"] in found[city.town_a]
        assert false["id"] not in found[city.county_a] and found[city.county_b] == []
        assert hidden["id"] not in stats.concealments(session, [city.county_a], 2031)[city.county_a]


def test_pages(city, app, clock):
    from tests.conftest import log_in

    clock.freeze(datetime(2031, 4, 6, 2, 0, tzinfo=UTC))
    t = tip(app, city, "illegal_operation", phone="13911112222")
    county = log_in(app, "county")
    assert county.get("/risk/tipoffs").status_code == 200
    assert county.get("/risk/tipoffs/stats?year=2031").status_code == 200
    page = county.get(f"/risk/tipoffs/{t['id']}")
    assert page.status_code == 200 and "13911112222" not in page.text
    assert county.form(f"/risk/tipoffs/{t['id']}/start", follow_redirects=False).status_code == 303
    r = county.form(
        f"/risk/tipoffs/{t['id']}/verify",
        {"verdict": "true", "evidence": "处罚决定书", "penalty_cny": "100000"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    again = county.get(f"/risk/tipoffs/{t['id']}")
    assert "15000" in again.text
    opened = county.form(f"/risk/tipoffs/{t['id']}/contact")
    assert opened.status_code == 200 and "13911112222" in opened.text
    assert log_in(app, "town").form(f"/risk/tipoffs/{t['id']}/contact").status_code == 403


def test_a_receipt_from_before_tipoff_rows_still_answers(city, app, clock):
    clock.freeze(datetime(2031, 4, 7, 2, 0, tzinfo=UTC))
    t = tip(app, city, "hidden_danger")
    with city.db.writing(Actor.system("tests")) as session:  # an upgraded database: the danger alone
        session.delete(session.get(Tipoff, t["id"]))
    page = public(app, "10.8.250.3").get("/risk/tipoff/status", params={"ref": t["ref"]})
    assert page.status_code == 200 and t["ref"] in page.text and "没有" not in page.text
