"""The channel interface: a channel takes a batch of messages and answers with one receipt each.

Adapters (in-app inbox now; SMS gateway, WeCom/DingTalk webhooks, SMTP, broadcast later) register
by name; a caller picks channels, never an implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.orm import Session

from yingji.core.redact import redact


@dataclass(frozen=True)
class Message:
    """One message to one recipient. ``key`` makes delivery idempotent (a retry sends nothing new)."""

    recipient_user_id: int | None
    subject: str
    body: str = ""
    link: str | None = None
    category: str = "general"
    severity: str = "info"
    jurisdiction_code: str | None = None
    key: str | None = None
    address: str | None = None  # phone number, e-mail, webhook … for external channels
    data: dict[str, Any] = field(default_factory=dict)


class ReceiptState(StrEnum):
    """What a channel says of one message: handed on (``SENT``), in the person's hands
    (``DELIVERED``), to be tried again (``QUEUED``), given up (``FAILED``), or already sent under its
    key (``DUPLICATE``)."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Receipt:
    key: str | None
    state: str  # a ReceiptState
    channel: str
    detail: str | None = None  # stored and shown on pages: masked here, whoever made it

    def __post_init__(self) -> None:
        if self.detail:
            object.__setattr__(self, "detail", redact(self.detail))


class Channel(Protocol):
    name: str

    def send(self, session: Session, batch: list[Message]) -> list[Receipt]: ...


_CHANNELS: dict[str, Callable[[], Channel]] = {}


def register(name: str, factory: Callable[[], Channel]) -> None:
    _CHANNELS[name] = factory


def get(name: str) -> Channel:
    from yingji.notify import inbox  # noqa: F401 - registers the in-app channel

    try:
        return _CHANNELS[name]()
    except KeyError:
        raise LookupError(f"no notification channel named {name!r}") from None
