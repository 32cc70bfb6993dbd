"""The public tip-off form: no login, a signed form token bound to a cookie, a per-address limit,
photos checked before anything is kept, nothing personal shown back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.risk.conftest import image_bytes
from yingji.risk.danger_models import Danger, DangerPhoto


def public(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def token(client) -> str:
    page = client.get("/risk/tipoff")
    assert page.status_code == 200 and "yingji_tipoff" in page.headers.get("set-cookie", "")
    return page.text.split('name="tipoff_token" value="', 1)[1].split('"', 1)[0]


def send(client, town: str, files=None, **fields):
    data = {"tipoff_token": token(client), "town": town, "what": "河边护栏缺失,孩子常去玩水"} | fields
    return client.post("/risk/tipoff", data=data, files=files, follow_redirects=False)


def test_a_tip_off_is_received_without_login(city, app, clock):
    clock.freeze(datetime(2031, 3, 1, 2, 0, tzinfo=UTC))
    c = public(app, "10.9.0.1")
    files = [
        ("photo", ("a.png", image_bytes(), "image/png")),
        ("photo", ("b.jpg", image_bytes("JPEG"), "image/jpeg")),
    ]
    r = send(
        c, city.town_a, files=files, contact_name="匿名群众", contact_phone="13900001111", where="北门河边"
    )
    assert r.status_code == 303, r.text[:300]
    ref = r.headers["location"].split("ref=")[1]
    thanks = c.get(r.headers["location"])
    assert ref in thanks.text and "13900001111" not in thanks.text and "匿名群众" not in thanks.text
    with city.db.reading() as session:
        d = session.scalar(select(Danger).where(Danger.public_ref == ref))
        # the reporter is sealed on the tip-off for the reward, not copied into the danger
        assert (d.source, d.status, d.jurisdiction_code, d.reporter_phone, d.reporter_name) == (
            "public",
            "found",
            city.town_a,
            None,
            None,
        )
        assert session.scalars(select(DangerPhoto.stage).where(DangerPhoto.danger_id == d.id)).all() == [
            "before",
            "before",
        ]
    status = c.get("/risk/tipoff/status", params={"ref": ref})
    assert status.status_code == 200 and "北门河边" not in status.text and "13900001111" not in status.text
    officer = api_detail(app, city, d.id)
    assert officer["reporter_phone"] is None


def api_detail(app, city, danger_id: int) -> dict:
    from tests.conftest import log_in

    client = log_in(app, "town")
    return client.get(f"/api/v1/risk/dangers/{danger_id}").json()


def test_without_the_form_token_nothing_is_taken(city, app, clock):
    clock.freeze(datetime(2031, 3, 2, 2, 0, tzinfo=UTC))
    c = public(app, "10.9.0.2")
    r = c.post("/risk/tipoff", data={"town": city.town_a, "what": "伪造的提交"}, follow_redirects=False)
    assert r.status_code == 403
    t = token(c)
    c.cookies.clear()  # a forged cross-site post has the token but not the browser's cookie
    r = c.post(
        "/risk/tipoff",
        data={"tipoff_token": t, "town": city.town_a, "what": "跨站提交"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    old = token(c)
    clock.advance(timedelta(hours=3))
    r = c.post(
        "/risk/tipoff",
        data={"tipoff_token": old, "town": city.town_a, "what": "过期表单"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_bad_photo_rejects_the_whole_report(city, app, clock):
    clock.freeze(datetime(2031, 3, 3, 2, 0, tzinfo=UTC))
    c = public(app, "10.9.0.3")
    with city.db.reading() as session:
        before = session.scalar(select(Danger.id).order_by(Danger.id.desc()).limit(1))
    files = [("photo", ("evil.jpg", b"<?php echo 1; ?>", "image/jpeg"))]
    r = send(c, city.town_a, files=files, what="带坏照片的举报")
    assert r.status_code == 422 and "照片" in r.text
    assert send(c, city.town_a, what="").status_code == 422
    assert send(c, "999999999", what="不存在的乡镇").status_code == 422
    with city.db.reading() as session:
        assert session.scalar(select(Danger.id).order_by(Danger.id.desc()).limit(1)) == before


def test_the_limit_per_address(city, app, clock):
    clock.freeze(datetime(2031, 3, 4, 2, 0, tzinfo=UTC))
    c = public(app, "10.9.0.4")
    other = public(app, "10.9.0.5")
    codes = [send(c, city.town_a, what=f"第{i}次举报的隐患").status_code for i in range(6)]
    assert codes == [303] * 5 + [429]
    assert send(c, city.town_a, files=[("photo", ("x.jpg", b"junk", "image/jpeg"))]).status_code == 429
    assert send(other, city.town_a).status_code == 303  # another address is not held back
    clock.advance(timedelta(minutes=61))
    assert send(c, city.town_a).status_code == 303  # a new hour, a new window


def test_a_form_sent_twice_is_one_report(city, app, clock):
    clock.freeze(datetime(2031, 3, 5, 2, 0, tzinfo=UTC))
    c = public(app, "10.9.0.6")
    data = {"tipoff_token": token(c), "town": city.town_a, "what": "同一表单提交两次"}
    first = c.post("/risk/tipoff", data=data, follow_redirects=False)
    second = c.post("/risk/tipoff", data=data, follow_redirects=False)  # a double tap on a weak network
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
