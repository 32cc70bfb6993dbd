"""IP broadcast (村村响 loudspeaker) controllers over HTTP: the text is read out by the controller's
text-to-speech, repeated, on the terminals (or zones) of the village.

Request (JSON, ``Authorization: Bearer`` token)::

    POST {url}  {"id": key, "terminals": [...], "text": "...", "tts": {"voice": "female",
                 "speed": 0, "repeat": 3}, "priority": "emergency", "volume": 90}

Answer ``{"code": 0, "task_id": "…"}`` when the controller has taken the broadcast; any other code
fails that message. The key lets the controller refuse a second broadcast of the same message.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, HttpUrl, SecretStr
from sqlalchemy.orm import Session

from yingji.notify.adapter_base import (
    AdapterConfig,
    http_client,
    post_each,
    post_json,
    secret,
)
from yingji.notify.channels import Message, Receipt, ReceiptState


class BroadcastConfig(AdapterConfig):
    url: HttpUrl
    token: SecretStr | None = None
    terminals: list[str] = Field(default_factory=list)  # empty: every terminal of the controller
    voice: str = "female"
    repeat: int = Field(3, ge=1, le=10)
    volume: int = Field(90, ge=0, le=100)

    secret_fields: ClassVar[tuple[str, ...]] = ("token",)


def tts_text(m: Message) -> str:
    """What the loudspeaker says: the headline, then the body, without markdown marks."""
    body = m.body.replace("#", "").replace("*", "").replace(">", "")
    return f"{m.subject}。{body}".strip()


class BroadcastChannel:
    name = "broadcast"

    def __init__(self, config: BroadcastConfig) -> None:
        self.config = config

    def send(self, session: Session | None, batch: list[Message]) -> list[Receipt]:
        c = self.config
        headers = {"Authorization": f"Bearer {secret(c.token)}"} if c.token else {}

        def body(m: Message) -> dict:
            return {
                "id": m.key,
                "terminals": list(m.data.get("terminals") or c.terminals),
                "text": tts_text(m),
                "tts": {"voice": c.voice, "speed": 0, "repeat": c.repeat},
                "priority": "emergency",
                "volume": c.volume,
            }

        def judge(m: Message, reply) -> Receipt:
            code = reply.get("code", -1) if isinstance(reply, dict) else -1
            if code == 0:
                return Receipt(m.key, ReceiptState.SENT, self.name, str(reply.get("task_id") or "")[:200])
            if reply.get("duplicate"):
                return Receipt(m.key, ReceiptState.DUPLICATE, self.name)
            return Receipt(m.key, ReceiptState.FAILED, self.name, f"controller code {code}")

        with http_client(c) as client:
            return post_each(
                self.name, batch, lambda m: post_json(client, str(c.url), body(m), headers), judge
            )
