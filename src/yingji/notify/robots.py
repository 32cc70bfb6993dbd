"""Group-robot webhooks: WeCom (企业微信群机器人) and DingTalk (钉钉自定义机器人).

Both take one JSON message per POST to the group's webhook URL and answer ``{"errcode": 0,
"errmsg": "ok"}``. Message formats are the platforms' own: ``markdown`` with mentions by mobile
(WeCom ``text.mentioned_mobile_list``; DingTalk ``at.atMobiles``). DingTalk robots with 加签 need
``&timestamp=…&sign=…`` on the URL: sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}"))), timestamp in milliseconds.

A message to a robot is one delivery per group: ``address`` unused, ``subject`` the title, ``body``
the markdown, ``data["at_mobiles"]`` the people to mention.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import ClassVar
from urllib.parse import parse_qsl, quote_plus, urlsplit

from pydantic import HttpUrl, SecretStr
from sqlalchemy.orm import Session

from yingji.core.redact import redact
from yingji.notify.adapter_base import (
    AdapterConfig,
    Later,
    http_client,
    post_each,
    post_json,
    secret,
)
from yingji.notify.channels import Message, Receipt, ReceiptState

# "Sending too fast" answers: the message was not taken, so the job retries later.
THROTTLED_CODES = {45009, 130101}


def _query_values(url: str) -> list[str]:
    """The values in a webhook's query string (the robot's key or access token)."""
    return [value for _, value in parse_qsl(urlsplit(url).query)]


class WeComRobotConfig(AdapterConfig):
    webhook_url: HttpUrl  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…

    secret_fields: ClassVar[tuple[str, ...]] = ()

    def secret_values(self) -> list[str]:
        return super().secret_values() + _query_values(str(self.webhook_url))

    def public(self) -> dict:
        out = super().public()
        out["webhook_url"] = _mask_query(str(self.webhook_url))
        return out


class DingTalkRobotConfig(AdapterConfig):
    webhook_url: HttpUrl  # https://oapi.dingtalk.com/robot/send?access_token=…
    sign_secret: SecretStr | None = None  # SEC… of a robot with 加签

    secret_fields: ClassVar[tuple[str, ...]] = ("sign_secret",)

    def secret_values(self) -> list[str]:
        return super().secret_values() + _query_values(str(self.webhook_url))

    def public(self) -> dict:
        out = super().public()
        out["webhook_url"] = _mask_query(str(self.webhook_url))
        return out


def _mask_query(url: str) -> str:
    """The access token is in the query string: show the address, not the token."""
    return url.split("?", 1)[0] + ("?********" if "?" in url else "")


def dingtalk_signature(secret_value: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret_value}".encode()
    digest = hmac.new(secret_value.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def signed_dingtalk_url(url: str, secret_value: str, timestamp_ms: int | None = None) -> str:
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_signature(secret_value, ts)}"


def wecom_body(m: Message) -> dict:
    mobiles = list(m.data.get("at_mobiles") or [])
    if mobiles:  # markdown cannot mention by mobile; text can
        return {
            "msgtype": "text",
            "text": {"content": f"{m.subject}\n{m.body}", "mentioned_mobile_list": mobiles},
        }
    return {"msgtype": "markdown", "markdown": {"content": f"## {m.subject}\n{m.body}"}}


def dingtalk_body(m: Message) -> dict:
    mobiles = list(m.data.get("at_mobiles") or [])
    mentions = "".join(f" @{x}" for x in mobiles)
    return {
        "msgtype": "markdown",
        "markdown": {"title": m.subject, "text": f"## {m.subject}\n{m.body}{mentions}"},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


class _RobotChannel:
    name = ""

    def _url(self) -> str:
        raise NotImplementedError

    def _body(self, m: Message) -> dict:
        raise NotImplementedError

    def send(self, session: Session | None, batch: list[Message]) -> list[Receipt]:
        """One POST per message; errcode 0 means the group has it."""

        def judge(m: Message, reply) -> Receipt:
            code = reply.get("errcode", -1) if isinstance(reply, dict) else -1
            if code in THROTTLED_CODES:
                raise Later(f"throttled (errcode {code})")
            if code == 0:
                return Receipt(m.key, ReceiptState.DELIVERED, self.name)
            detail = f"errcode {code}: {reply.get('errmsg', '') if isinstance(reply, dict) else ''}"
            return Receipt(m.key, ReceiptState.FAILED, self.name, redact(detail)[:200])

        with http_client(self.config) as client:

            def post(m: Message):
                return post_json(client, self._url(), self._body(m), {"X-Idempotency-Key": m.key or ""})

            return post_each(self.name, batch, post, judge)


class WeComRobotChannel(_RobotChannel):
    name = "wecom"

    def __init__(self, config: WeComRobotConfig) -> None:
        self.config = config

    def _url(self) -> str:
        return str(self.config.webhook_url)

    def _body(self, m: Message) -> dict:
        return wecom_body(m)


class DingTalkRobotChannel(_RobotChannel):
    name = "dingtalk"

    def __init__(self, config: DingTalkRobotConfig) -> None:
        self.config = config

    def _url(self) -> str:
        url = str(self.config.webhook_url)
        if self.config.sign_secret:
            return signed_dingtalk_url(url, secret(self.config.sign_secret))
        return url

    def _body(self, m: Message) -> dict:
        return dingtalk_body(m)
