"""Nothing of a drill reaches the public or a real channel: with the real gateway test servers
(SMS gateway, WeCom and DingTalk robots, loudspeaker controller, SMTP) configured and listening, a
drill's warning is published, fanned out and escalated, and the servers see zero connections —
every message is in the sandbox instead. The same servers then receive a real warning (so the test
would fail if they were not reachable)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.delivery.conftest import CALLBACK_TOKEN, KINDS, deliveries, run_jobs
from tests.exercise.conftest import make_drill
from tests.notify.servers import BROADCAST_TOKEN, DINGTALK_SECRET, SMS_TOKEN, Gateway, SmtpServer
from yingji.core.db import Actor
from yingji.delivery import flows, signing
from yingji.delivery.models import ChannelEndpoint, Dispatch, EscalationStep
from yingji.drills.models import DrillInject, DrillSandboxMessage
from yingji.jobs.models import Job
from yingji.warnings.models import Warning


@contextmanager
def only(db, dispatch_id: int):
    """Every other dispatch's delivery jobs (the demo city's warnings: sends, fan-outs, escalation
    steps) wait a year while this runs, so the workers here work on this dispatch alone."""
    with db.writing(Actor.system("tests")) as session:
        steps = dict(session.execute(select(EscalationStep.id, EscalationStep.dispatch_id)).all())
        others = []
        for job in session.scalars(select(Job).where(Job.kind.in_(KINDS), Job.state == "queued")):
            owner = job.payload.get("dispatch_id") or steps.get(job.payload.get("step_id"))
            if owner != dispatch_id:
                others.append((job.id, job.due_at))
        for job_id, due_at in others:
            session.execute(update(Job).where(Job.id == job_id).values(due_at=due_at + timedelta(days=365)))
    try:
        yield
    finally:
        with db.writing(Actor.system("tests")) as session:
            for job_id, due_at in others:
                session.execute(update(Job).where(Job.id == job_id).values(due_at=due_at))


@pytest.fixture(autouse=True)
def app_secret(monkeypatch):
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    signing.app_secret.cache_clear()
    yield
    signing.app_secret.cache_clear()


class Counted:
    """The gateway and the SMTP server, with every connection they accept counted."""

    def __init__(self, gw: Gateway, smtp: SmtpServer) -> None:
        self.gw, self.smtp, self.connections = gw, smtp, 0
        base = gw.server.RequestHandlerClass
        outer = self

        class Counting(base):
            def handle(self):
                outer.connections += 1
                super().handle()

        gw.server.RequestHandlerClass = Counting

    @property
    def total(self) -> int:
        return self.connections + len(self.smtp.sink.messages)


@pytest.fixture
def gateways(city):
    with Gateway() as gw, SmtpServer() as smtp:
        counted = Counted(gw, smtp)
        with city.db.writing(Actor.system("tests")) as session:
            endpoints = [
                ChannelEndpoint(
                    kind="sms",
                    name="短信网关",
                    jurisdiction_code=city.city,
                    config={
                        "url": gw.url("/sms"),
                        "api_key": SMS_TOKEN,
                        "batch_size": 50,
                        "callback_token": CALLBACK_TOKEN,
                    },
                    rate_per_s=100_000,
                ),
                ChannelEndpoint(
                    kind="email",
                    name="邮件",
                    jurisdiction_code=city.city,
                    config={"host": "127.0.0.1", "port": smtp.port, "sender": "yj@example.org"},
                    rate_per_s=100_000,
                ),
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
                    config={
                        "webhook_url": gw.url("/dingtalk?access_token=t"),
                        "sign_secret": DINGTALK_SECRET,
                    },
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
            session.add_all(endpoints)
            session.flush()
            ids = [e.id for e in endpoints]
        try:
            yield counted
        finally:
            with city.db.writing(Actor.system("tests")) as session:
                session.execute(
                    update(ChannelEndpoint).where(ChannelEndpoint.id.in_(ids)).values(enabled=False)
                )


def test_a_drill_warning_reaches_no_real_gateway(city, api, gateways, clock, app):
    county = api("county")
    drill = make_drill(city.db, city.county_a)
    inject = {
        "kind": "upstream_warning",
        "offset_minutes": 0,
        "title": "第二幕：市气象台发布暴雨红色预警",
        "place_code": city.village_a,
        "level": "red",
        "headline": "铜仁市气象台发布暴雨红色预警",
        "sender_name": "铜仁市气象台",
        "instruction": "请立即转移危险区域群众。",
        "hours": 6,
    }
    iid = county.post(f"/api/v1/drills/{drill}/injects", json=inject).json()["id"]
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    assert county.post(f"/api/v1/drills/{drill}/injects/{iid}/fire").json()["state"] == "injected"
    with city.db.reading() as session:
        warning_id = session.get(DrillInject, iid).warning_id
        warning = session.get(Warning, warning_id)
        assert warning.drill_id == drill and warning.cap_status == "Exercise"
        dispatch = session.scalar(select(Dispatch).where(Dispatch.warning_id == warning_id))
        assert dispatch.drill_id == drill
        identifier = warning.identifier

    with only(city.db, dispatch.id):
        run_jobs(city.db)
        clock.advance(timedelta(minutes=16))  # the red policy's resend and leader steps fall due
        run_jobs(city.db)
    assert gateways.total == 0  # not one connection to the SMS gateway, robots, loudspeaker, SMTP

    outside = [d for d in deliveries(city.db, dispatch.id) if d.channel != "inbox"]
    assert {d.channel for d in outside} >= {"sms", "wecom", "dingtalk", "broadcast"}
    assert {d.state for d in outside} == {"sent"}
    assert {d.detail for d in outside} == {"演练沙箱：未发往任何真实渠道"}
    inbox = deliveries(city.db, dispatch.id, channel="inbox")
    assert inbox  # the players on duty still receive it in the platform
    with city.db.reading() as session:
        kept = session.scalars(select(DrillSandboxMessage).where(DrillSandboxMessage.drill_id == drill)).all()
    assert len(kept) >= len(outside) and all(m.subject.startswith("【演练】") for m in kept)
    assert len(county.get(f"/api/v1/drills/{drill}/exercise/sandbox").json()) == min(len(kept), 200)

    # the players' acknowledgement of the warning is timed against the frozen escalation policy
    rows = county.get(f"/api/v1/drills/{drill}/exercise").json()["measurements"]
    [ack] = [m for m in rows if m["metric"] == "warning_ack"]
    assert ack["limit_seconds"] == 5 * 60 and ack["subject"].startswith("网格签收")

    # nothing public: not in the Atom index, no public CAP document, not on the public page
    public = api("viewer")
    assert identifier not in public.get("/public/warnings.atom").text
    assert public.get(f"/public/warnings/cap/{warning_id}.xml").status_code == 404

    # the same servers do take a real warning: the count above could have failed
    from tests.delivery.conftest import make_warning

    real = make_warning(city.db, city.county_a, area_codes=[city.group_a])
    with city.db.writing(Actor.system("tests")) as session:
        flows.on_warning_event(session, session.get(Warning, real), "published")
        real_dispatch = session.scalar(select(Dispatch.id).where(Dispatch.warning_id == real))
    with only(city.db, real_dispatch):
        run_jobs(city.db, KINDS)
    assert gateways.connections > 0
