"""Check-in and check-out: by ID number (hashed, last four kept), by mobile, by household, walk-in;
full or closed → bilingual 409 unless an audited override; idempotent by client_key; concurrent
check-ins never overfill (threads on SQLite and PostgreSQL); the evacuation mark in the same
transaction."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.shelters.conftest import key
from yingji.auth.models import AuditEntry, User
from yingji.auth.scope import Principal
from yingji.core.errors import YingjiError
from yingji.evacuation.codes import MarkOutcome
from yingji.evacuation.models import EvacuationHousehold
from yingji.residents import idnumber
from yingji.residents.models import Resident
from yingji.shelters import checkin
from yingji.shelters.models import Shelter, ShelterStay
from yingji.shelters.schemas import CheckInIn

ID = "11010519491231002"
ID = ID + idnumber.check_digit(ID)  # a valid 18-character number


def test_id_number_helper():
    assert idnumber.normalise(" 11010519491231002x ".upper()) == "11010519491231002X"
    with pytest.raises(idnumber.BadIdNumber):
        idnumber.normalise("110105194912310021" if ID[-1] != "1" else "110105194912310022")
    with pytest.raises(idnumber.BadIdNumber):
        idnumber.normalise("12345")
    h, tail = idnumber.hash_and_tail(ID, "k")
    assert len(h) == 64 and tail == ID[-4:] and ID not in h
    assert idnumber.hash_and_tail(ID, "other")[0] != h  # keyed


# What the evacuation service answers for a mark the accounting took.
APPLIED = SimpleNamespace(outcome=MarkOutcome.APPLIED)


def _resident(city) -> Resident:
    """A resident of town A with a known ID number and mobile."""
    with city.db.writing(Principal.system().as_actor()) as session:
        r = session.scalar(
            select(Resident)
            .where(Resident.jurisdiction_code.startswith(city.town_a), Resident.active)
            .order_by(Resident.id.desc())
        )
        r.id_hash, r.id_tail = idnumber.hash_and_tail(ID)
        r.mobile = "16612345678"
        session.flush()
        session.expunge(r)
    return r


def test_find_and_check_in_by_id_phone_household(city, api, make_shelter):
    town = api("town")
    res = _resident(city)
    s = make_shelter()
    by_id = town.post("/api/v1/shelters/people", json={"id_number": ID})
    assert by_id.status_code == 200 and by_id.json()[0]["resident_id"] == res.id
    assert by_id.json()[0]["id_tail"] == ID[-4:] and by_id.json()[0]["household_size"] >= 1
    assert (
        town.post("/api/v1/shelters/people", json={"mobile": "16612345678"}).json()[0]["resident_id"]
        == res.id
    )
    hh = town.post(
        "/api/v1/shelters/people", json={"home_code": res.jurisdiction_code, "household": res.household}
    )
    assert res.id in [p["resident_id"] for p in hh.json()]
    bad = town.post("/api/v1/shelters/people", json={"id_number": "110105194912310029"})
    assert bad.status_code == 422 and "身份证号" in bad.json()["error"]["details"][0]["message"]

    c = town.post(
        f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "id_number": ID, "people": 2}
    )
    assert c.status_code == 201, c.text
    body = c.json()
    assert body["stay"]["name"] == res.name and body["stay"]["id_tail"] == ID[-4:] and body["occupancy"] == 2
    c2 = town.post(
        f"/api/v1/shelters/{s['id']}/checkins",
        json={
            "client_key": key(),
            "home_code": res.jurisdiction_code,
            "household": res.household,
            "people": 1,
        },
    )
    assert c2.status_code == 201 and c2.json()["occupancy"] == 3
    walk = town.post(
        f"/api/v1/shelters/{s['id']}/checkins",
        json={"client_key": key(), "name": "过路人", "mobile": "13800001234"},
    )
    assert walk.status_code == 201 and walk.json()["stay"]["household"] is None
    nameless = town.post(f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key()})
    assert nameless.status_code == 422
    with city.db.reading() as session:
        stored = session.scalars(select(ShelterStay).where(ShelterStay.shelter_id == s["id"])).all()
    assert all(ID not in str(vars(st)) for st in stored)

    out = town.post(f"/api/v1/shelters/stays/{body['stay']['id']}/checkout", json={"client_key": key()})
    assert out.status_code == 200 and out.json()["state"] == "out"
    again = town.post(f"/api/v1/shelters/stays/{body['stay']['id']}/checkout", json={"client_key": key()})
    assert again.status_code == 200
    assert town.get(f"/api/v1/shelters/{s['id']}").json()["occupancy"] == 2
    assert (
        api("town_b")
        .post(f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "name": "x"})
        .status_code
        == 404
    )


def test_full_and_closed_are_bilingual_conflicts_and_override_is_audited(city, api, make_shelter):
    town = api("town")
    s = make_shelter(usable_area_m2=10)  # 5 places
    first = town.post(
        f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "name": "甲", "people": 5}
    )
    assert first.status_code == 201 and first.json()["status"] == "full"
    full = town.post(
        f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "name": "乙", "people": 2}
    )
    assert full.status_code == 409
    err = full.json()["error"]
    assert "空位" in err["message"] and "free places" in err["message_en"]
    k = key()
    over = town.post(
        f"/api/v1/shelters/{s['id']}/checkins",
        json={"client_key": k, "name": "乙", "people": 2, "override_note": "暴雨夜间，无处可去"},
    )
    assert over.status_code == 201 and over.json()["occupancy"] == 7 and over.json()["capacity"] == 7
    detail = town.get(f"/api/v1/shelters/{s['id']}").json()
    assert detail["capacity_stated"] and any("override" in (e["note"] or "") for e in detail["events"])
    assert [e["kind"] for e in detail["events"]][-2:] == ["full", "opened"]
    with city.db.reading() as session:
        notes = session.scalars(
            select(AuditEntry.note).where(
                AuditEntry.entity == "shelters",
                AuditEntry.action == "override",
                AuditEntry.entity_id == str(s["id"]),
            )
        ).all()
    assert any("暴雨夜间" in n for n in notes)

    closed = make_shelter(opened=False)
    r = town.post(f"/api/v1/shelters/{closed['id']}/checkins", json={"client_key": key(), "name": "丙"})
    assert (
        r.status_code == 409 and "未启用" in r.json()["error"]["message"] and r.json()["error"]["message_en"]
    )
    r = town.post(
        f"/api/v1/shelters/{closed['id']}/checkins",
        json={"client_key": key(), "name": "丙", "override_note": "现场紧急启用"},
    )
    assert r.status_code == 201 and r.json()["status"] == "open"


def test_idempotent_check_in(api, make_shelter):
    town = api("town")
    s = make_shelter()
    body = {"client_key": key(), "name": "重复", "people": 3}
    a = town.post(f"/api/v1/shelters/{s['id']}/checkins", json=body)
    b = town.post(f"/api/v1/shelters/{s['id']}/checkins", json=body)
    assert a.status_code == 201 and b.status_code == 200 and not b.json()["created"]
    assert a.json()["stay"]["id"] == b.json()["stay"]["id"] and b.json()["occupancy"] == 3


def test_concurrent_check_ins_never_exceed_capacity(city, make_shelter):
    s = make_shelter(usable_area_m2=20)  # 10 places
    with city.db.reading() as session:
        principal = Principal.of(session.scalar(select(User).where(User.username == "town")))
    results: list = []
    start = threading.Barrier(8)

    def one(i: int) -> None:
        start.wait()
        try:
            with city.db.writing(principal.as_actor()) as session:
                checkin.check_in(
                    session, principal, s["id"], CheckInIn(client_key=key(), name=f"并发{i}", people=3)
                )
            results.append("ok")
        except YingjiError as exc:
            results.append(exc.status_code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with city.db.reading() as session:
        shelter = session.get(Shelter, s["id"])
        people = session.scalar(select(func.sum(ShelterStay.people)).where(ShelterStay.shelter_id == s["id"]))
    assert results.count("ok") == 3 and results.count(409) == 5
    assert shelter.occupancy == people == 9 <= shelter.capacity


def test_evacuated_household_is_marked_in_the_same_transaction(city, api, make_shelter, monkeypatch):
    """The evacuation service's mark is called with the household of an active order (monkeypatched:
    the evacuation engineer implements it)."""
    from yingji.evacuation import marks

    res = _resident(city)
    calls = []
    monkeypatch.setattr(
        checkin,
        "evacuation_household",
        lambda session, code, hh: (
            (4242, 99) if (code, hh) == (res.jurisdiction_code, res.household) else None
        ),
    )
    monkeypatch.setattr(
        marks,
        "mark_sheltered",
        lambda session, principal, household_id, shelter_id, client_key: (
            calls.append((household_id, shelter_id)) or APPLIED
        ),
    )
    monkeypatch.setattr(
        marks,
        "mark_left_shelter",
        lambda session, principal, household_id, client_key: calls.append(("left", household_id)) or APPLIED,
    )
    s = make_shelter()
    town = api("town")
    r = town.post(
        f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "resident_id": res.id, "people": 2}
    )
    assert r.status_code == 201 and r.json()["evacuation_marked"]
    assert r.json()["stay"]["household_id"] == 4242 and r.json()["stay"]["order_id"] == 99
    town.post(f"/api/v1/shelters/stays/{r.json()['stay']['id']}/checkout", json={"client_key": key()})
    assert calls == [(4242, s["id"]), ("left", 4242)]


def test_a_household_of_a_live_order_is_sheltered_in_the_accounting(city, api, make_shelter):
    """The real evacuation service: checking in a household of an active order marks it sheltered at
    this shelter, in the same transaction; checking out while the order is active makes it moved."""
    town = api("town")
    r = town.post(
        "/api/v1/evacuation/orders",
        json={
            "title": "安置点登记联动测试",
            "source": "manual",
            "area_codes": [city.village_a],
            "client_key": key(),
        },
    )
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    with city.db.reading() as session:
        hh = session.scalars(
            select(EvacuationHousehold).where(
                EvacuationHousehold.order_id == order_id, EvacuationHousehold.state == "pending"
            )
        ).first()
        resident = session.scalar(
            select(Resident).where(
                Resident.jurisdiction_code == hh.jurisdiction_code, Resident.household == hh.household
            )
        )
    s = make_shelter()
    r = town.post(
        f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "resident_id": resident.id}
    )
    assert r.status_code == 201, r.text
    stay = r.json()["stay"]
    assert r.json()["evacuation_marked"] and stay["household_id"]
    with city.db.reading() as session:
        marked = session.get(EvacuationHousehold, stay["household_id"])
        assert (marked.state, marked.shelter_id) == ("sheltered", s["id"])
    out = town.post(f"/api/v1/shelters/stays/{stay['id']}/checkout", json={"client_key": key()})
    assert out.status_code == 200, out.text
    with city.db.reading() as session:
        assert session.get(EvacuationHousehold, stay["household_id"]).state == "moved"
