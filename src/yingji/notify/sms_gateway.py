"""A generic HTTP SMS gateway: batches of messages POSTed as JSON built from a configurable template.

Most Chinese SMS platforms take a JSON batch (numbers, text, a signature, an id per message) and
answer with one result per message; delivery reports arrive later on a callback (handled by the
delivery domain: ``POST /api/v1/notify/sms/receipts``). The request shape is a template, so a new
gateway is a configuration, not code::

    body_template    {"sign": "${sign}", "messages": "$messages"}
    message_template {"to": "${phone}", "content": "${text}", "id": "${key}"}

``$messages`` (a whole string) becomes the list of messages; ``${phone}``, ``${text}``, ``${key}``
and ``${sign}`` are substituted in strings. Each message's ``key`` is the delivery's idempotency key
(``yj-{delivery}-{round}``, the same on every retry), so the message template must carry ``${key}``:
a retried batch is recognised by the gateway instead of sent twice. The batch also carries an
``Idempotency-Key`` header (a digest of its keys).
"""

from __future__ import annotations

import hashlib
import json
from string import Template
from typing import Annotated, Any, ClassVar

from pydantic import Field, HttpUrl, SecretStr, StringConstraints, field_validator
from sqlalchemy.orm import Session

from yingji.notify.adapter_base import AdapterConfig, ChannelRefused, http_client, post_json, secret
from yingji.notify.channels import Message, Receipt, ReceiptState

DEFAULT_BODY = {"sign": "${sign}", "messages": "$messages"}
DEFAULT_MESSAGE = {"to": "${phone}", "content": "${text}", "id": "${key}"}


class SmsGatewayConfig(AdapterConfig):
    url: HttpUrl
    api_key: SecretStr | None = None
    auth_header: str = "Authorization"
    # kept as typed: the configs strip whitespace, which made "Bearer " into "Bearer" (key glued on)
    auth_prefix: Annotated[str, StringConstraints(strip_whitespace=False)] = "Bearer "
    sign: str = Field("应急管理", max_length=20)  # 短信签名
    batch_size: int = Field(500, ge=1, le=5000)
    body_template: dict[str, Any] = Field(default_factory=lambda: dict(DEFAULT_BODY))
    message_template: dict[str, Any] = Field(default_factory=lambda: dict(DEFAULT_MESSAGE))
    results_field: str = "results"
    result_key_field: str = "id"
    result_status_field: str = "status"
    accepted_values: list[str] = Field(default_factory=lambda: ["accepted", "queued", "sent", "ok"])
    duplicate_values: list[str] = Field(default_factory=lambda: ["duplicate"])
    callback_token: SecretStr | None = None  # what the gateway sends back on receipts and replies

    secret_fields: ClassVar[tuple[str, ...]] = ("api_key", "callback_token")

    @field_validator("message_template")
    @classmethod
    def _carries_the_key(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Without the key a message resent after a crash or a retry reaches the phone twice.
        if "${key}" not in json.dumps(value, ensure_ascii=False):
            raise ValueError("the message template must carry ${key}, the idempotency key")
        return value


def fill(template: Any, values: dict[str, str], messages: list | None = None) -> Any:
    """Substitute ``${name}`` in every string of a JSON template; ``"$messages"`` → the list."""
    if isinstance(template, dict):
        return {k: fill(v, values, messages) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values, messages) for v in template]
    if isinstance(template, str):
        if template == "$messages" and messages is not None:
            return messages
        return Template(template).safe_substitute(values)
    return template


class SmsGatewayChannel:
    name = "sms"

    def __init__(self, config: SmsGatewayConfig) -> None:
        self.config = config

    def send(self, session: Session | None, batch: list[Message]) -> list[Receipt]:
        """Send in gateway batches; one receipt per message, in order."""
        receipts: list[Receipt] = []
        size = self.config.batch_size
        with http_client(self.config) as client:
            for i in range(0, len(batch), size):
                receipts += self._send_batch(client, batch[i : i + size])
        return receipts

    def _send_batch(self, client, part: list[Message]) -> list[Receipt]:
        c = self.config
        sendable = [m for m in part if m.address]
        messages = [
            fill(c.message_template, {"phone": m.address or "", "text": m.body, "key": m.key or ""})
            for m in sendable
        ]
        body = fill(c.body_template, {"sign": c.sign}, messages)
        headers = {
            "Idempotency-Key": hashlib.sha256("|".join(m.key or "" for m in sendable).encode()).hexdigest()
        }
        if c.api_key:
            headers[c.auth_header] = c.auth_prefix + secret(c.api_key)
        answers: dict[str, str] = {}
        if sendable:
            try:
                reply = post_json(client, str(c.url), body, headers)
            except ChannelRefused as exc:
                return [Receipt(m.key, ReceiptState.FAILED, self.name, str(exc)[:200]) for m in part]
            results = reply.get(c.results_field) if isinstance(reply, dict) else None
            for r in results or []:
                if isinstance(r, dict):
                    answers[str(r.get(c.result_key_field))] = str(r.get(c.result_status_field, ""))
        out = []
        for m in part:
            if not m.address:
                out.append(Receipt(m.key, ReceiptState.FAILED, self.name, "no phone number"))
                continue
            status = answers.get(m.key or "", "accepted" if not answers else "missing")
            if status in c.duplicate_values:
                out.append(Receipt(m.key, ReceiptState.DUPLICATE, self.name))
            elif status in c.accepted_values:
                out.append(Receipt(m.key, ReceiptState.SENT, self.name))
            else:
                out.append(Receipt(m.key, ReceiptState.FAILED, self.name, f"gateway: {status}"[:200]))
        return out
