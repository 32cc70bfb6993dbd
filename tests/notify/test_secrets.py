"""Secrets never reach a log line or a stored text.

A warning reaches WeCom and DingTalk group robots (one answering, one unreachable, one refusing and
echoing its key), the SMS gateway (API key, callback token and a token in its URL; its first batch
answered 503) and SMTP with a password, all with known secrets, against real servers on 127.0.0.1.
The jobs are run by a real ``yingji -v worker`` (every logger at DEBUG: httpx, httpcore, SQLAlchemy's
statements and rows). Its whole output, the jobs' errors and payloads, the deliveries' details, the
audit log and the endpoints page are searched for every secret; the flows must have happened (the
servers got the messages, the failures were recorded), so the search is not of nothing.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text, update

from tests.delivery.conftest import emit, make_warning, staff_of
from tests.notify.servers import DINGTALK_SECRET, Gateway, SmtpServer, free_port
from yingji.core import clock
from yingji.core.db import Actor
from yingji.core.redact import install_filter, redact
from yingji.delivery import signing
from yingji.delivery.models import ChannelEndpoint, Delivery
from yingji.jobs.models import Job
from yingji.notify import adapters
from yingji.notify.adapter_base import ChannelUnavailable
from yingji.notify.channels import Message
from yingji.org.models import Person

WECOM_KEY = "wecomkey-5f1c9a7e3b"
DEAD_KEY = "deadrobot-8e2d4c6a1f"
ECHO_KEY = "echokey-7a3b9c1d5e"
DT_TOKEN = "dtaccess-4b8f2e6c0a"
SMS_API_KEY = "smsapikey-1c3e5g7i9k"
SMS_URL_TOKEN = "smsurltoken-2d4f6h8j0l"
SMS_CALLBACK = "smscallback-9z8y7x6w5v"
SMTP_PASSWORD = "smtppass-3e5r7t9y1u"
SECRETS = [WECOM_KEY, DEAD_KEY, ECHO_KEY, DT_TOKEN, DINGTALK_SECRET, SMS_API_KEY, SMS_URL_TOKEN]
SECRETS += [SMS_CALLBACK, SMTP_PASSWORD]
KINDS = "delivery.send,delivery.fanout_residents"


@pytest.fixture(autouse=True)
def app_secret(monkeypatch):
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    signing.app_secret.cache_clear()
    yield
    signing.app_secret.cache_clear()


def leaks(haystack: str) -> list[str]:
    return [s for s in SECRETS if s in haystack]


def run_worker(url: str, tmp_path) -> str:
    """``yingji -v worker --once``: what it writes is the worker log."""
    env = dict(
        os.environ, YINGJI_DATABASE_URL=url, YINGJI_SECRET_KEY="test-secret", YINGJI_VAR_DIR=str(tmp_path)
    )
    done = subprocess.run(
        [sys.executable, "-m", "yingji", "-v", "worker", "--once", "--kinds", KINDS],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def rows_after(session, table: str, first_id: int, where: str = "") -> str:
    """Every column of the table's rows from ``first_id`` on, as text."""
    rows = session.execute(text(f"SELECT * FROM {table} WHERE id >= :first {where}"), {"first": first_id})
    return "\n".join(repr(tuple(r)) for r in rows)


def next_id(session, table: str) -> int:
    return (session.scalar(text(f"SELECT max(id) FROM {table}")) or 0) + 1


@pytest.mark.slow
def test_worker_log_and_stored_errors_never_hold_a_secret(city, api, browser_client, tmp_path):
    with Gateway() as gw, SmtpServer(login=("yingji", SMTP_PASSWORD)) as smtp:
        gw.fail_next = 1  # the gateway's first batch: 503, the job fails with the URL in its error
        dead = f"http://127.0.0.1:{free_port()}"
        robots = [
            ("wecom", "群机器人", {"webhook_url": gw.url(f"/wecom?key={WECOM_KEY}")}),
            ("wecom", "停用的群", {"webhook_url": f"{dead}/cgi-bin/webhook/send?key={DEAD_KEY}"}),
            ("wecom", "拒收的群", {"webhook_url": gw.url(f"/wecom_refused?key={ECHO_KEY}")}),
            (
                "dingtalk",
                "钉钉群",
                {"webhook_url": gw.url(f"/dingtalk?access_token={DT_TOKEN}"), "sign_secret": DINGTALK_SECRET},
            ),
        ]
        providers = [
            (
                "sms",
                "短信网关",
                {
                    "url": gw.url(f"/sms?token={SMS_URL_TOKEN}"),
                    "api_key": SMS_API_KEY,
                    "callback_token": SMS_CALLBACK,
                    "batch_size": 50,
                },
            ),
            (
                "email",
                "邮件",
                {
                    "host": "127.0.0.1",
                    "port": smtp.port,
                    "username": "yingji",
                    "password": SMTP_PASSWORD,
                    "sender": "yj@example.org",
                },
            ),
        ]
        with city.db.reading() as session:
            first_audit = next_id(session, "audit_log")
        endpoint_ids = []
        # Through the API, as people configure them (and as the audit log records it).
        for kind, name, config in robots:
            r = api("town").post(
                "/api/v1/delivery/endpoints",
                json={"kind": kind, "name": name, "jurisdiction_code": city.village_a, "config": config},
            )
            assert r.status_code == 201, r.text
            endpoint_ids.append(r.json()["id"])
        for kind, name, config in providers:
            r = api("admin").post(
                "/api/v1/delivery/endpoints",
                json={"kind": kind, "name": name, "jurisdiction_code": city.city, "config": config},
            )
            assert r.status_code == 201, r.text
            endpoint_ids.append(r.json()["id"])
        staff = staff_of(city.db, city.group_a)[0]
        with city.db.writing(Actor.system("tests")) as session:
            session.get(Person, staff.id).email = "staff@example.org"
        try:
            dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.group_a]))
            logs = run_worker(city.db.settings.database_url, tmp_path)
            with city.db.writing(Actor.system("tests")) as session:
                # what the failed attempts left (a later success clears a job's error); the worker
                # also ran what the demo city had queued
                errors = session.scalars(select(Job.last_error).where(Job.last_error.is_not(None))).all()
                stored = rows_after(session, "jobs", 0)
                session.execute(  # the retries: due now
                    update(Job)
                    .where(Job.state == "queued", Job.kind == "delivery.send")
                    .values(due_at=clock.now())
                )
            logs += run_worker(city.db.settings.database_url, tmp_path)
            page = browser_client("town").get("/delivery/endpoints").text
            live = browser_client("admin").get(f"/warnings/{dispatch.warning_id}/live").text
        finally:
            with city.db.writing(Actor.system("tests")) as session:
                session.execute(
                    update(ChannelEndpoint).where(ChannelEndpoint.id.in_(endpoint_ids)).values(enabled=False)
                )
                session.get(Person, staff.id).email = None

        # The flows happened: messages arrived, failures were recorded where people read them.
        assert any(w["_key"] == WECOM_KEY for w in gw.data.wecom)
        assert any(d["markdown"]["title"] == dispatch.headline for d in gw.data.dingtalk)
        assert gw.data.sms and f"Bearer {SMS_API_KEY}" in gw.data.auth
        assert smtp.logins and smtp.logins[-1] == ("yingji", True) and smtp.sink.messages
        assert "HTTP Request: POST" in logs and "key=***" in logs
        with city.db.reading() as session:
            details = set(
                session.scalars(
                    select(Delivery.detail).where(
                        Delivery.dispatch_id == dispatch.id, Delivery.detail.is_not(None)
                    )
                )
            )
            assert any("ConnectError" in d and "key=***" in d for d in details), details
            assert any(d.startswith("HTTP 400") and "***" in d for d in details), details
            assert any("ChannelUnavailable" in e and "token=***" in e for e in errors), errors
            assert session.scalar(select(func.count()).where(Delivery.dispatch_id == dispatch.id)) > 0
            stored += "\n" + "\n".join(
                [
                    rows_after(session, "jobs", 0),
                    rows_after(session, "deliveries", 0, "AND detail IS NOT NULL"),
                    rows_after(session, "audit_log", first_audit),
                ]
            )
    assert leaks(logs) == [], [line for line in logs.splitlines() if leaks(line)][:5]
    assert leaks(stored) == []
    assert leaks(page) == [] and leaks(live) == []


def test_adapter_errors_and_every_logger_at_debug_are_masked():
    """The adapters on their own, with Yingji's logging (as every command sets it up) at DEBUG."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    try:
        install_filter([handler])  # what configure_logging does to the CLI's handler
        root.setLevel(logging.DEBUG)
        with Gateway() as gw, SmtpServer(login=("yingji", SMTP_PASSWORD)) as smtp:
            gw.fail_next = 1
            sms = adapters.build(
                "sms", {"url": gw.url(f"/sms?token={SMS_URL_TOKEN}"), "api_key": SMS_API_KEY}
            )
            message = Message(None, "暴雨红色预警", body="请转移", key="k1", address="13900000001")
            with pytest.raises(ChannelUnavailable) as unavailable:
                sms.send(None, [message])
            assert "token=***" in str(unavailable.value) and unavailable.value.__cause__ is None
            assert [r.state for r in sms.send(None, [message])] == ["sent"]
            refused = adapters.build("wecom", {"webhook_url": gw.url(f"/wecom_refused?key={ECHO_KEY}")})
            (receipt,) = refused.send(None, [Message(None, "预警", body="x", key="k2")])
            assert receipt.state == "failed" and receipt.detail.startswith("HTTP 400")
            good = {"host": "127.0.0.1", "port": smtp.port, "sender": "yj@example.org", "username": "yingji"}
            mail = Message(None, "预警", body="x", key="k3", address="a@example.org")
            assert [
                r.state
                for r in adapters.build("email", good | {"password": SMTP_PASSWORD}).send(None, [mail])
            ] == ["sent"]
            wrong = adapters.build("email", good | {"password": SMTP_PASSWORD + "x"})
            with pytest.raises(ChannelUnavailable) as bad_login:
                wrong.send(None, [mail])
            assert "SMTPAuthenticationError" in str(bad_login.value)
            logging.getLogger("yingji.tests").warning(
                "failed: %s; %s; %s",
                unavailable.value,
                receipt.detail,
                bad_login.value,
                exc_info=unavailable.value,
            )
            logging.getLogger("yingji.tests").info(
                "config %s", {"api_key": SMS_API_KEY, "password": SMTP_PASSWORD, "url": str(sms.config.url)}
            )
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logged = buffer.getvalue()
    assert f"/sms?token={SMS_URL_TOKEN}" not in logged and "HTTP Request: POST" in logged
    assert leaks(logged) == [], [line for line in logged.splitlines() if leaks(line)][:5]
    assert leaks(str(unavailable.value) + receipt.detail + str(bad_login.value)) == []


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (
            "POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx",
            "POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***",
        ),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1700000000000&sign=Ab%2Bc",
            "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1700000000000&sign=***",
        ),
        (
            "postgresql+psycopg://yingji:s3cr3t@db:5432/yingji",
            "postgresql+psycopg://yingji:***@db:5432/yingji",
        ),
        ("http://127.0.0.1:8000/healthz", "http://127.0.0.1:8000/healthz"),
        ("Authorization: Bearer yj_abcdefghijklmnopqrstuvwxyz", "Authorization: Bearer ***"),
        ("{'Authorization': 'Basic dXNlcjpwYXNz'}", "{'Authorization': 'Basic ***'}"),
        ("{'api_key': 'k-1234', 'password': None}", "{'api_key': '***', 'password': None}"),
        ('{"callback_token": "cb-1", "sign": "铜仁应急"}', '{"callback_token": "***", "sign": "铜仁应急"}'),
        ("client_key=load-1 Idempotency-Key: abc", "client_key=load-1 Idempotency-Key: abc"),
        ("token yj_abcdefghijklmnopqrstuvwxyz", "token yj_***"),
        ('"GET /ack/12.1700000000.abcdefABCDEF HTTP/1.1" 200', '"GET /ack/*** HTTP/1.1" 200'),
    ],
)
def test_what_redact_masks_and_keeps(raw, masked):
    assert redact(raw) == masked
