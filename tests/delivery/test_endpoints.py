"""Channel endpoints: validated configs, secrets never shown back, scope; a village's WeCom and
DingTalk robots and loudspeaker reached by a warning through real servers, each once."""

from __future__ import annotations

from sqlalchemy import update

from tests.delivery.conftest import deliveries, emit, make_warning, run_jobs
from tests.notify.servers import BROADCAST_TOKEN, DINGTALK_SECRET
from yingji.core.db import Actor
from yingji.delivery.models import ChannelEndpoint


def test_endpoint_configs_are_validated_and_secrets_masked(city, api):
    body = {
        "kind": "sms",
        "name": "乡镇短信",
        "jurisdiction_code": city.town_a,
        "config": {"url": "http://127.0.0.1:9/sms", "api_key": "k-123", "callback_token": "cb-1"},
        "enabled": False,
    }
    assert api("viewer").post("/api/v1/delivery/endpoints", json=body).status_code == 403
    assert api("town_b").post("/api/v1/delivery/endpoints", json=body).status_code == 403
    bad = api("town").post("/api/v1/delivery/endpoints", json=body | {"config": {"url": "nope"}})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "config.url"
    # A message template must hand the gateway each message's idempotency key (retries are
    # recognised by it): one without ${key} is refused.
    keyless = body["config"] | {"message_template": {"to": "${phone}", "content": "${text}"}}
    bad = api("town").post("/api/v1/delivery/endpoints", json=body | {"config": keyless})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "config.message_template"
    keyed = keyless | {"message_template": {"to": "${phone}", "content": "${text}", "ref": "${key}"}}
    assert api("town").post("/api/v1/delivery/endpoints", json=body | {"config": keyed}).status_code == 201
    created = api("town").post("/api/v1/delivery/endpoints", json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["config"]["api_key"] == "********" and "k-123" not in created.text
    # An edit that leaves the secret masked keeps it.
    patched = api("town").patch(
        f"/api/v1/delivery/endpoints/{out['id']}",
        json={"config": {"url": "http://127.0.0.1:10/sms", "api_key": "********"}},
    )
    assert patched.status_code == 200
    with city.db.reading() as session:
        stored = session.get(ChannelEndpoint, out["id"]).config
    assert stored["api_key"] == "k-123" and stored["url"] == "http://127.0.0.1:10/sms"
    assert stored["callback_token"] == "cb-1"  # left out: kept, like a masked one
    assert api("town_b").get(f"/api/v1/delivery/endpoints/{out['id']}").status_code == 404
    assert out["id"] in [e["id"] for e in api("town").get("/api/v1/delivery/endpoints").json()]


def test_endpoints_page(city, browser_client):
    c = browser_client("town")
    assert c.get("/delivery/endpoints").status_code == 200
    r = c.form(
        "/delivery/endpoints",
        {
            "kind": "wecom",
            "name": "测试群",
            "jurisdiction_code": city.village_a,
            "config": '{"webhook_url": "x"}',
        },
    )
    assert r.status_code == 422
    ok = c.form(
        "/delivery/endpoints",
        {
            "kind": "wecom",
            "name": "测试群",
            "jurisdiction_code": city.village_a,
            "config": '{"webhook_url": "http://127.0.0.1:9/wecom?key=k"}',
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with city.db.writing(Actor.system("tests")) as session:  # keep it out of the other tests
        session.execute(update(ChannelEndpoint).where(ChannelEndpoint.name == "测试群").values(enabled=False))


def test_village_groups_and_loudspeakers_get_the_warning_once(city, sms):
    gw = sms.gateway
    with city.db.writing(Actor.system("tests")) as session:
        robots = [
            ChannelEndpoint(
                kind="wecom",
                name="村群",
                jurisdiction_code=city.village_a,
                config={"webhook_url": gw.url("/wecom?key=village")},
                rate_per_s=100,
            ),
            ChannelEndpoint(
                kind="dingtalk",
                name="镇钉钉群",
                jurisdiction_code=city.town_a,
                config={"webhook_url": gw.url("/dingtalk?access_token=t"), "sign_secret": DINGTALK_SECRET},
                rate_per_s=100,
            ),
            ChannelEndpoint(
                kind="broadcast",
                name="村村响",
                jurisdiction_code=city.village_a,
                config={"url": gw.url("/broadcast"), "token": BROADCAST_TOKEN, "terminals": ["T1"]},
                rate_per_s=100,
            ),
        ]
        session.add_all(robots)
        session.flush()
        ids = [r.id for r in robots]
    try:
        dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.group_a]))
        run_jobs(city.db)
        got = {d.channel: d.state for d in deliveries(city.db, dispatch.id, recipient_kind="endpoint")}
        assert got == {"wecom": "delivered", "dingtalk": "delivered", "broadcast": "sent"}
        mine = [w for w in gw.data.wecom if dispatch.headline in w["markdown"]["content"]]
        assert len(mine) == 1 and mine[0]["_key"] == "village"
        assert len([d for d in gw.data.dingtalk if d["markdown"]["title"] == dispatch.headline]) == 1
        spoken = [b for b in gw.data.broadcast if b["text"].startswith(dispatch.headline)]
        assert len(spoken) == 1 and spoken[0]["terminals"] == ["T1"]
    finally:
        with city.db.writing(Actor.system("tests")) as session:
            session.execute(update(ChannelEndpoint).where(ChannelEndpoint.id.in_(ids)).values(enabled=False))
