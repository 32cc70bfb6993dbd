"""The in-app inbox: a level's officials are told once, see only their own messages."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.core.db import Actor
from yingji.notify import channels, inbox


def _tell_town(city, key=None, subject="测试通知"):
    with city.db.writing(Actor.system("tests")) as session:
        return inbox.notify_level(
            session,
            city.town_a,
            subject=subject,
            body="正文",
            link="/inbox",
            category="test",
            severity="warning",
            key=key,
        )


def test_a_level_is_told_once_per_key(api, city):
    key = f"test:{uuid.uuid4().hex}"
    first = _tell_town(city, key, "首次")
    again = _tell_town(city, key, "首次")
    assert [r.state for r in first] == ["delivered"] * len(first) and first
    assert [r.state for r in again] == ["duplicate"] * len(first)
    items = api("town").get("/api/v1/inbox").json()["items"]
    assert sum(1 for m in items if m["subject"] == "首次") == 1


def test_only_the_recipient_sees_and_reads_a_message(api, city):
    subject = f"私信{uuid.uuid4().hex[:6]}"
    _tell_town(city, None, subject)
    town = api("town").get("/api/v1/inbox", params={"unread": True}).json()
    mine = next(m for m in town["items"] if m["subject"] == subject)
    assert town["unread"] >= 1
    others = api("town_b").get("/api/v1/inbox").json()["items"]
    assert subject not in [m["subject"] for m in others]
    assert api("town_b").post(f"/api/v1/inbox/{mine['id']}/read").json() == {"changed": 0}
    assert api("town").post(f"/api/v1/inbox/{mine['id']}/read").json() == {"changed": 1}


def test_users_without_the_permission_are_not_told(city):
    with city.db.reading() as session:
        users = inbox.users_with(session, city.town_a, Perm.INCIDENT_MANAGE)
        keeper = session.scalar(select(User.id).where(User.username == "keeper"))
        town = session.scalar(select(User.id).where(User.username == "town"))
    assert town in users and keeper not in users


def test_channel_registry_and_pages(browser_client, city):
    assert channels.get("inbox").name == "inbox"
    _tell_town(city, None, "页面通知")
    c = browser_client("town")
    assert "页面通知" in c.get("/inbox").text
    assert 'class="badge badge-red"' in c.get("/inbox/badge").text
    assert c.form("/inbox/read", follow_redirects=False).status_code == 303
    assert c.get("/inbox/badge").text == ""
