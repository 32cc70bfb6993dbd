"""The owner is shown where the item is: the incident list, page and inbox, the tip-off list and page,
the call log, 我的接报, the duty board and the shift hand-over; the page forms hand over and accept."""

from __future__ import annotations

import io
import re
import uuid

from openpyxl import load_workbook

from tests.conftest import log_in
from tests.incidents.conftest import point_in
from tests.ownership.conftest import owned_rows, user_id
from tests.risk.test_tipoff_rewards import tip


def test_pages_show_the_owner_and_hand_over(city, app, api, people, clock):
    lon, lat = point_in(city.db, city.village_a)
    inc = (
        api("town")
        .post("/api/v1/incidents", json={"category": "accident.fire", "lon": lon, "lat": lat})
        .json()
    )
    owner = inc["owner"]["owner_name"]
    town = log_in(app, "town")
    page = town.get(f"/incidents/{inc['id']}")
    assert page.status_code == 200
    assert 'id="owner"' in page.text and "首接" in page.text and owner in page.text
    assert f'action="/ownership/owned/{inc["owner"]["id"]}/handover"' in page.text
    listing = town.get("/incidents", params={"q": inc["number"]})
    assert "负责人" in listing.text and owner in listing.text
    assert owner in town.get("/incidents/inbox").text
    assert inc["number"].split("-")[0] and owner in town.get("/incidents/panel/inbox").text
    mine = town.get("/ownership/mine")
    assert mine.status_code == 200 and f"/incidents/{inc['id']}" in mine.text

    colleague_id = user_id(city.db, people["colleague"])
    r = town.form(
        f"/ownership/owned/{inc['owner']['id']}/handover",
        {"to_user_id": str(colleague_id), "note": "交给二号", "next": f"/incidents/{inc['id']}#owner"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/incidents/{inc['id']}#owner"
    # the old owner may not hand it on any more (a bilingual refusal)
    again = town.form(f"/ownership/owned/{inc['owner']['id']}/handover", {"to_user_id": str(colleague_id)})
    assert again.status_code == 403 and "只有" in again.text
    colleague = log_in(app, people["colleague"])
    shown = colleague.get("/ownership/mine")
    assert "交给二号" in shown.text and "/ownership/handovers/" in shown.text
    entry_id = int(shown.text.split('action="/ownership/handovers/', 1)[1].split("/", 1)[0])
    # a foreign "next" is not followed
    r = colleague.form(
        f"/ownership/handovers/{entry_id}/accept", {"next": "//evil.example"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/ownership/mine"
    assert owned_rows(city.db, "incident", inc["id"])[0].owner_user_id == colleague_id
    assert "确认接收" in colleague.get(f"/incidents/{inc['id']}").text  # the log: accepted, when


def test_tipoff_and_call_pages_show_the_owner(city, app, api, people, clock):
    t = tip(app, city, "illegal_operation")
    town = log_in(app, "town")
    page = town.get(f"/risk/tipoffs/{t['id']}")
    assert f'action="/risk/tipoffs/{t["id"]}/claim"' in page.text
    r = town.form(f"/risk/tipoffs/{t['id']}/claim", follow_redirects=False)
    assert r.status_code == 303
    name = owned_rows(city.db, "tipoff", t["id"])[0].owner_name
    page = town.get(f"/risk/tipoffs/{t['id']}")
    assert name in page.text and "首接" in page.text and f'/risk/tipoffs/{t["id"]}/claim"' not in page.text
    assert name in town.get("/risk/tipoffs").text

    duty = log_in(app, "duty")
    form = duty.get("/duty/calls")
    assert form.status_code == 200 and 'name="client_key"' in form.text
    ck = form.text.split('name="client_key" value="', 1)[1].split('"', 1)[0]
    data = {
        "summary": "群众反映河堤渗水",
        "caller_name": "王五",
        "caller_phone": "13700003333",
        "client_key": ck,
    }
    r = duty.form("/duty/calls", data, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert duty.form("/duty/calls", data, follow_redirects=False).headers["location"] == r.headers["location"]
    shown = duty.get(r.headers["location"])
    assert "群众反映河堤渗水" in shown.text and 'id="owner"' in shown.text and "首接" in shown.text
    bad = duty.form("/duty/calls", {"summary": "", "client_key": "k" * 12})
    assert bad.status_code == 422
    xlsx = duty.get("/duty/calls/export", params={"q": "河堤渗水"})
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "来电时间" and any("河堤渗水" in (r[3] or "") for r in rows[1:])
    assert "我的接报" in duty.get("/duty/board").text
    hand = duty.get("/duty/handover")
    assert hand.status_code == 200 and "owned-now" in hand.text and "群众反映河堤渗水"[:6] in hand.text


def test_the_handover_form_hands_the_items_by_name(city, app, api, people, clock):
    from datetime import UTC, datetime

    clock.freeze(datetime(2041, 3, 4, 2, 0, tzinfo=UTC))  # a shift nobody has handed over yet
    call = api("duty").post("/api/v1/duty/calls", json={"summary": "交班前来电"}).json()
    duty = log_in(app, "duty")
    page = duty.get("/duty/handover")
    assert 'name="hand"' in page.text and "交班前来电" in page.text and 'name="to_user_id"' in page.text
    roster = re.search(r'action="/duty/handover/(\d+)"', page.text).group(1)
    owned_id = owned_rows(city.db, "call", call["id"])[0].id
    form = {
        "summary": "本班平稳",
        "shift_date": "2041-03-04",
        "client_key": uuid.uuid4().hex,
        "hand": str(owned_id),
        "to_user_id": str(user_id(city.db, people["duty2"])),
    }
    r = duty.form(f"/duty/handover/{roster}", form, follow_redirects=False)
    assert r.status_code == 303, r.text[r.text.find("duty-errors") :][:600]
    assert owned_rows(city.db, "call", call["id"])[0].owner_user_id == user_id(city.db, people["duty2"])
    assert "移交给" in duty.get(r.headers["location"]).text
