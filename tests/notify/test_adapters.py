"""The channel adapters against real servers on 127.0.0.1: the SMS gateway (template, batches,
idempotency keys, retryable failures), WeCom and DingTalk robots (real formats, DingTalk's signed
URL), the loudspeaker controller and SMTP with Chinese text through aiosmtpd."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote_plus

import pytest
from pydantic import ValidationError

from tests.notify.servers import BROADCAST_TOKEN, DINGTALK_SECRET, SMS_TOKEN, Gateway, SmtpServer
from yingji.notify import adapters
from yingji.notify.adapter_base import ChannelUnavailable
from yingji.notify.channels import Message
from yingji.notify.robots import dingtalk_signature, signed_dingtalk_url


@pytest.fixture
def gateway():
    with Gateway() as gw:
        yield gw


def sms(n: int, prefix: str = "k") -> list[Message]:
    return [
        Message(
            None, "暴雨红色预警", body=f"第{i}条 暴雨红色预警", key=f"{prefix}{i}", address=f"1390000{i:04d}"
        )
        for i in range(n)
    ]


def test_sms_gateway_sends_batches_from_the_template_with_keys(gateway):
    channel = adapters.build(
        "sms", {"url": gateway.url("/sms"), "api_key": SMS_TOKEN, "batch_size": 4, "sign": "铜仁应急"}
    )
    receipts = channel.send(None, sms(10))
    assert [r.state for r in receipts] == ["sent"] * 10
    assert [r.key for r in receipts] == [f"k{i}" for i in range(10)]
    assert gateway.data.sms_batches == 3  # 4 + 4 + 2
    assert set(gateway.data.auth) == {f"Bearer {SMS_TOKEN}"}
    first = gateway.data.sms[0]
    assert first == {"to": "13900000000", "content": "第0条 暴雨红色预警", "id": "k0", "sign": "铜仁应急"}
    assert len(set(gateway.data.batch_keys)) == 3


def test_sms_gateway_answers_duplicates_and_rejections_per_message(gateway):
    channel = adapters.build("sms", {"url": gateway.url("/sms")})
    channel.send(None, sms(3))
    gateway.reject_numbers.add("13900000004")
    receipts = channel.send(None, sms(5))  # the first three keys again
    assert [r.state for r in receipts] == ["duplicate"] * 3 + ["sent", "failed"]
    assert receipts[4].detail == "gateway: invalid_number"
    assert gateway.data.duplicates == 3 and len(gateway.data.sms) == 4
    nobody = channel.send(None, [Message(None, "x", body="x", key="nophone", address=None)])
    assert (nobody[0].state, nobody[0].detail) == ("failed", "no phone number")


def test_sms_gateway_server_errors_are_retryable(gateway):
    gateway.fail_next = 1
    channel = adapters.build("sms", {"url": gateway.url("/sms")})
    with pytest.raises(ChannelUnavailable):
        channel.send(None, sms(2))
    assert [r.state for r in channel.send(None, sms(2))] == ["sent", "sent"]
    closed = adapters.build("sms", {"url": "http://127.0.0.1:9/sms", "timeout_s": 2})
    with pytest.raises(ChannelUnavailable):
        closed.send(None, sms(1))


def test_sms_gateway_auth_prefix_survives_a_stored_config(gateway):
    """Configs strip whitespace: a stored config (``auth_prefix`` "Bearer " included) read back must
    not glue the key onto "Bearer"."""
    stored = adapters.parse("sms", {"url": gateway.url("/sms"), "api_key": SMS_TOKEN}).stored()
    assert adapters.build("sms", stored).send(None, sms(1))[0].state == "sent"
    assert gateway.data.auth == [f"Bearer {SMS_TOKEN}"]


def test_sms_config_is_validated_and_secrets_are_not_shown():
    with pytest.raises(ValidationError) as exc:
        adapters.parse("sms", {"url": "not a url"})
    assert "url" in str(exc.value)
    with pytest.raises(ValidationError):
        adapters.parse("sms", {"url": "http://127.0.0.1/sms", "batch_sise": 3})  # typo refused
    parsed = adapters.parse("sms", {"url": "http://127.0.0.1/sms", "api_key": "s3cret"})
    assert parsed.public()["api_key"] == "********" and parsed.stored()["api_key"] == "s3cret"


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret():
    ts = 1_700_000_000_000
    expected = base64.b64encode(
        hmac.new(b"SECabc", f"{ts}\nSECabc".encode(), hashlib.sha256).digest()
    ).decode()
    assert unquote_plus(dingtalk_signature("SECabc", ts)) == expected
    url = signed_dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", ts)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=")


def test_dingtalk_robot_signed_markdown_with_mentions(gateway):
    good = adapters.build(
        "dingtalk", {"webhook_url": gateway.url("/dingtalk?access_token=abc"), "sign_secret": DINGTALK_SECRET}
    )
    message = Message(None, "暴雨红色预警", body="请立即转移", key="d1", data={"at_mobiles": ["13900000001"]})
    assert [r.state for r in good.send(None, [message])] == ["delivered"]
    body = gateway.data.dingtalk[0]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "暴雨红色预警"
    assert "请立即转移" in body["markdown"]["text"] and body["at"] == {
        "atMobiles": ["13900000001"],
        "isAtAll": False,
    }
    wrong = adapters.build(
        "dingtalk", {"webhook_url": gateway.url("/dingtalk?access_token=abc"), "sign_secret": "SECwrong"}
    )
    receipt = wrong.send(None, [message])[0]
    assert receipt.state == "failed" and "310000" in receipt.detail
    assert gateway.data.dingtalk_rejected == 1
    shown = adapters.parse("dingtalk", {"webhook_url": gateway.url("/dingtalk?access_token=abc")}).public()
    assert "abc" not in shown["webhook_url"]


def test_wecom_robot_markdown_and_text_with_mobiles(gateway):
    channel = adapters.build("wecom", {"webhook_url": gateway.url("/wecom?key=robot-key")})
    plain = Message(None, "地质灾害橙色预警", body="注意防范", key="w1")
    mention = Message(
        None, "地质灾害橙色预警", body="注意防范", key="w2", data={"at_mobiles": ["13900000002"]}
    )
    assert [r.state for r in channel.send(None, [plain, mention])] == ["delivered", "delivered"]
    first, second = gateway.data.wecom
    assert first["msgtype"] == "markdown" and first["markdown"]["content"].startswith("## 地质灾害橙色预警")
    assert second["msgtype"] == "text" and second["text"]["mentioned_mobile_list"] == ["13900000002"]
    assert first["_key"] == "robot-key"


def test_broadcast_controller_gets_tts_text(gateway):
    channel = adapters.build(
        "broadcast", {"url": gateway.url("/broadcast"), "token": BROADCAST_TOKEN, "terminals": ["T1", "T2"]}
    )
    receipts = channel.send(None, [Message(None, "暴雨红色预警", body="**请**立即转移", key="b1")])
    assert receipts[0].state == "sent"
    sent = gateway.data.broadcast[0]
    assert sent["text"] == "暴雨红色预警。请立即转移" and sent["terminals"] == ["T1", "T2"]
    assert sent["id"] == "b1" and sent["tts"]["repeat"] == 3
    refused = adapters.build("broadcast", {"url": gateway.url("/broadcast"), "token": "wrong"})
    assert refused.send(None, [Message(None, "x", body="y", key="b2")])[0].state == "failed"


def test_smtp_sends_chinese_subject_and_body():
    with SmtpServer() as server:
        channel = adapters.build(
            "email", {"host": "127.0.0.1", "port": server.port, "sender": "yj@yingji.example"}
        )
        receipts = channel.send(
            None,
            [
                Message(
                    None,
                    "碧江区暴雨红色预警",
                    body="请立即转移到安置点。",
                    key="yj-5-1",
                    address="a@x.example",
                ),
                Message(None, "无地址", body="x", key="yj-6-1", address=None),
            ],
        )
        assert [r.state for r in receipts] == ["sent", "failed"]
        assert len(server.sink.messages) == 1
        rcpts, mail = server.sink.messages[0]
        assert rcpts == ["a@x.example"]
        assert mail["Subject"] == "碧江区暴雨红色预警"
        assert mail["Message-ID"] == "<yj-5-1@yingji.example>"
        assert "请立即转移到安置点。" in mail.get_content()
    closed = adapters.build(
        "email", {"host": "127.0.0.1", "port": server.port, "sender": "yj@yingji.example"}
    )
    with pytest.raises(ChannelUnavailable):
        closed.send(None, [Message(None, "x", body="x", key="k", address="a@x.example")])
