"""Authority over warnings: an imported CAP Update or Cancel changes a stored warning only when its
sender is the warning's sender (or a configured authority) and the importer may change that
warning; red and orange changes wait for another leader, as their issue did.

The attack this closes (issue 10): the town officer of one street, who cannot even see the city's
red warning, imported a Cancel referencing it with sender ``x@example``; delivery stopped and the
all-clear went to 142,056 phones."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.warnings.capbuild import is_stored, message, status_of, stored_alert
from tests.warnings.conftest import create
from yingji.auth.models import SecurityEvent, User
from yingji.auth.roles import Perm, permissions_of
from yingji.delivery.models import Dispatch

SENDER = "bureau@yingji.test"
STRANGER = "x@example"
USERS = [
    "admin",
    "commander",
    "duty",
    "staff",
    "county",
    "town",
    "town_b",
    "gridleader",
    "gridworker",
    "teamleader",
    "keeper",
    "viewer",
]


def _places(city) -> dict[str, tuple[str, str]]:
    """Each user's (role, jurisdiction) and a place outside it."""
    with city.db.reading() as session:
        rows = session.execute(select(User.username, User.role, User.jurisdiction_code)).all()
    return {name: (role, code) for name, role, code in rows}


def _outside(city, code: str) -> str:
    if code == city.city:
        return "52"  # the province above the city
    return city.county_b if not code.startswith(city.county_b) else city.county_a


def _import(client, body: bytes):
    return client.post("/api/v1/warnings/cap", content=body, headers={"Content-Type": "application/xml"})


@pytest.mark.parametrize("msg_type", ["Cancel", "Update"])
def test_every_role_own_and_other_place_own_and_other_sender(api, city, msg_type):
    places = _places(city)
    outcomes = []
    for username in USERS:
        role, code = places[username]
        may_publish = Perm.WARNING_PUBLISH in permissions_of(role)
        client = api(username)
        for where, place in (("own", code), ("other", _outside(city, code))):
            for who in ("own", "other"):
                target_id, ref = stored_alert(city.db, place, SENDER)
                sender = SENDER if who == "own" else STRANGER
                identifier = f"urn:test:{uuid.uuid4().hex}"
                r = _import(client, message(sender, identifier, msg_type, [ref]))
                case = (username, where, who)
                if not may_publish:
                    expected = (403, "forbidden")
                elif who == "other" or where == "other":
                    expected = (403, "warning_authority_refused")
                else:
                    expected = (201, None)
                got = (r.status_code, r.json().get("error", {}).get("code"))
                outcomes.append((case, got == expected, got, expected))
                if expected[0] == 403:
                    # nothing changed, nothing stored
                    assert status_of(city.db, target_id) == "published", case
                    assert not is_stored(city.db, sender, identifier), case
                    if expected[1] == "warning_authority_refused":
                        assert r.json()["error"]["message"] and r.json()["error"]["message_en"], case
                else:
                    ended = "lifted" if msg_type == "Cancel" else "updated"
                    assert status_of(city.db, target_id) == ended, case
    wrong = [o for o in outcomes if not o[1]]
    assert wrong == [], wrong
    assert len(outcomes) == len(USERS) * 4
    # every refusal is a security event (rate-limited: counted per user and minute)
    refused = {}
    for (username, _, _), _ok, got, _ in outcomes:
        if got[1] == "warning_authority_refused":
            refused[username] = refused.get(username, 0) + 1
    with city.db.reading() as session:
        events = session.execute(
            select(SecurityEvent.username, func.sum(SecurityEvent.count))
            .where(SecurityEvent.kind == "warning_authority_refused", SecurityEvent.username.in_(refused))
            .group_by(SecurityEvent.username)
        ).all()
    counted = dict(events)
    assert all(counted.get(u, 0) >= n for u, n in refused.items()), (refused, counted)


def test_the_town_officer_cannot_end_the_citys_red_warning(api, city):
    """The issue's attack, on a warning composed and published here through approval."""
    duty, commander = api("duty"), api("commander")
    red = create(duty, city.village_a, "red", jurisdiction_code=city.city, channels=["SMS"])
    assert duty.post(f"/api/v1/warnings/{red['id']}/submit").status_code == 200
    assert commander.post(f"/api/v1/warnings/{red['id']}/approve", json={}).status_code == 200
    published = duty.post(f"/api/v1/warnings/{red['id']}/publish").json()
    # the reference as anyone reads it from the public CAP export
    cap = duty.get(f"/api/v1/warnings/{red['id']}/cap").text
    sent = cap.split("<sent>", 1)[1].split("</sent>", 1)[0]
    ref = f"{published['sender']},{published['identifier']},{sent}"
    dispatches_before = _dispatches(city, red["id"])
    town = api("town")
    assert town.get(f"/api/v1/warnings/{red['id']}").status_code == 404  # cannot even see it
    for sender in (STRANGER, published["sender"]):
        r = _import(town, message(sender, f"urn:test:{uuid.uuid4().hex}", "Cancel", [ref]))
        assert r.status_code == 403 and r.json()["error"]["code"] == "warning_authority_refused", r.text
    # the county of one district cannot end it either, nor the city's own duty officer with a
    # stranger's sender
    r = _import(api("county"), message(published["sender"], f"urn:test:{uuid.uuid4().hex}", "Cancel", [ref]))
    assert r.status_code == 403
    r = _import(duty, message(STRANGER, f"urn:test:{uuid.uuid4().hex}", "Cancel", [ref]))
    assert r.status_code == 403
    assert duty.get(f"/api/v1/warnings/{red['id']}").json()["status"] == "published"
    assert _dispatches(city, red["id"]) == dispatches_before  # no all-clear went out


def _dispatches(city, warning_id: int) -> list[tuple]:
    with city.db.reading() as session:
        return session.execute(
            select(Dispatch.id, Dispatch.event)
            .where(Dispatch.root_warning_id == warning_id)
            .order_by(Dispatch.id)
        ).all()


def test_a_red_change_by_import_waits_for_another_leader(api, city):
    target_id, ref = stored_alert(city.db, city.county_a, SENDER, level="red")
    county = api("county")
    identifier = f"urn:test:{uuid.uuid4().hex}"
    r = _import(county, message(SENDER, identifier, "Cancel", [ref], level="red"))
    assert r.status_code == 202 and r.json()["status"] == "submitted", r.text
    held = r.json()["id"]
    assert status_of(city.db, target_id) == "published"  # nothing changed yet
    # The importer cannot approve it; another leader can; then publishing lifts the warning.
    assert county.post(f"/api/v1/warnings/{held}/approve", json={}).status_code == 403
    assert county.post(f"/api/v1/warnings/{held}/publish").status_code == 409
    assert api("commander").post(f"/api/v1/warnings/{held}/approve", json={}).status_code == 200
    r = county.post(f"/api/v1/warnings/{held}/publish")
    assert r.status_code == 200 and r.json()["status"] == "lifted", r.text
    assert status_of(city.db, target_id) == "lifted"


def test_a_cancel_without_info_takes_its_targets_level(api, city):
    county = api("county")
    blue_id, blue_ref = stored_alert(city.db, city.county_a, SENDER, level="blue")
    r = _import(county, message(SENDER, f"urn:test:{uuid.uuid4().hex}", "Cancel", [blue_ref], info=False))
    assert r.status_code == 201 and status_of(city.db, blue_id) == "lifted", r.text
    red_id, red_ref = stored_alert(city.db, city.county_a, SENDER, level="red")
    r = _import(county, message(SENDER, f"urn:test:{uuid.uuid4().hex}", "Cancel", [red_ref], info=False))
    assert r.status_code == 202 and status_of(city.db, red_id) == "published", r.text


def test_a_held_import_is_checked_again_when_published(api, city):
    """A held Update whose target another message ended meanwhile cannot take effect twice."""
    target_id, ref = stored_alert(city.db, city.county_a, SENDER, level="orange")
    county = api("county")
    upd = _import(county, message(SENDER, f"urn:test:{uuid.uuid4().hex}", "Cancel", [ref], level="orange"))
    assert upd.status_code == 202
    first = _import(county, message(SENDER, f"urn:test:{uuid.uuid4().hex}", "Cancel", [ref], level="orange"))
    assert first.status_code == 202
    commander = api("commander")
    for r in (upd, first):
        assert commander.post(f"/api/v1/warnings/{r.json()['id']}/approve", json={}).status_code == 200
    assert county.post(f"/api/v1/warnings/{first.json()['id']}/publish").status_code == 200
    late = county.post(f"/api/v1/warnings/{upd.json()['id']}/publish")
    assert late.status_code == 409 and status_of(city.db, target_id) == "lifted"


def test_a_relayed_red_alert_imported_by_a_person_waits_for_approval(api, city):
    town = api("town")
    identifier = f"urn:test:{uuid.uuid4().hex}"
    r = town.post(
        "/api/v1/warnings/cap?relay=true",
        content=message(SENDER, identifier, "Alert", level="red"),
        headers={"Content-Type": "application/xml"},
    )
    assert r.status_code == 202 and r.json()["status"] == "submitted"
    # not relayed, not in force until approved
    assert _dispatches(city, r.json()["id"]) == []


def test_a_configured_authority_may_act_within_its_place(api, city):
    county = api("county")
    province = "provincial-bureau@yingji.test"
    r = county.post(
        "/api/v1/warnings/authorities",
        json={"sender": SENDER, "authority": province, "jurisdiction_code": city.county_a},
    )
    assert r.status_code == 201, r.text
    # a county officer cannot configure authorities over another county
    other = county.post(
        "/api/v1/warnings/authorities",
        json={"sender": SENDER, "authority": province, "jurisdiction_code": city.county_b},
    )
    assert other.status_code == 403
    assert api("town").post(
        "/api/v1/warnings/authorities", json={"sender": SENDER, "authority": province}
    ).status_code in (403, 404)
    inside_id, inside_ref = stored_alert(city.db, city.town_a, SENDER)
    r = _import(county, message(province, f"urn:test:{uuid.uuid4().hex}", "Cancel", [inside_ref]))
    assert r.status_code == 201 and status_of(city.db, inside_id) == "lifted"
    # outside the configured place (the city's own warning), the authority does not apply
    outside_id, outside_ref = stored_alert(city.db, city.city, SENDER)
    r = _import(api("duty"), message(province, f"urn:test:{uuid.uuid4().hex}", "Cancel", [outside_ref]))
    assert r.status_code == 403 and status_of(city.db, outside_id) == "published"
    listed = county.get("/api/v1/warnings/authorities").json()["items"]
    assert any(a["authority"] == province for a in listed)
    assert county.delete(f"/api/v1/warnings/authorities/{listed[0]['id']}").status_code == 204


def test_a_local_red_lift_needs_another_leaders_approval(api, city):
    duty, commander = api("duty"), api("commander")
    red = create(duty, city.village_a, "red", channels=["SMS"])
    duty.post(f"/api/v1/warnings/{red['id']}/submit")
    commander.post(f"/api/v1/warnings/{red['id']}/approve", json={})
    assert duty.post(f"/api/v1/warnings/{red['id']}/publish").status_code == 200
    r = duty.post(f"/api/v1/warnings/{red['id']}/lift", json={"reason": "雨停了"})
    assert r.status_code == 202 and r.json()["status"] == "submitted" and r.json()["msg_type"] == "Cancel"
    lift = r.json()["id"]
    assert duty.get(f"/api/v1/warnings/{red['id']}").json()["status"] == "published"
    again = duty.post(f"/api/v1/warnings/{red['id']}/lift", json={"reason": "再次"})
    assert again.status_code == 409  # one pending lift at a time
    assert duty.post(f"/api/v1/warnings/{lift}/publish").status_code == 409  # not approved yet
    assert commander.post(f"/api/v1/warnings/{lift}/approve", json={}).status_code == 200
    done = duty.post(f"/api/v1/warnings/{lift}/publish")
    assert done.status_code == 200 and done.json()["status"] == "lifted", done.text
    assert duty.get(f"/api/v1/warnings/{red['id']}").json()["status"] == "lifted"
    assert done.json()["identifier"] and done.json()["references"]


def test_a_blue_lift_is_immediate(api, city):
    duty = api("duty")
    blue = create(duty, city.village_a, "blue")
    duty.post(f"/api/v1/warnings/{blue['id']}/publish")
    r = duty.post(f"/api/v1/warnings/{blue['id']}/lift", json={"reason": "结束"})
    assert r.status_code == 200 and r.json()["status"] == "lifted"


def test_the_lift_page_says_approval_is_needed(browser_client, api, city):
    duty, commander = api("duty"), api("commander")
    red = create(duty, city.village_a, "orange")
    duty.post(f"/api/v1/warnings/{red['id']}/submit")
    commander.post(f"/api/v1/warnings/{red['id']}/approve", json={})
    duty.post(f"/api/v1/warnings/{red['id']}/publish")
    page = browser_client("duty")
    html = page.get(f"/warnings/{red['id']}").text
    assert "申请解除" in html
    r = page.form(f"/warnings/{red['id']}/lift", {"reason": "险情解除"}, follow_redirects=True)
    assert r.status_code == 200 and "另一位领导" in r.text
    assert "申请解除" in r.text  # the history names the action in Chinese
    assert page.get(f"/warnings/{red['id']}").text.count("等待审批") >= 1
