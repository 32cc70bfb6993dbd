"""What the external channel adapters share: a validated config with secrets, transport errors that
the job queue retries, and one HTTP client per adapter instance.

An adapter is ``Adapter(config).send(session, batch) -> receipts``: per-message outcomes come back as
receipts (``sent``, ``delivered``, ``failed``, ``duplicate``); a failure of the transport itself (no
connection, a timeout, a 5xx) raises :class:`ChannelUnavailable`, so the caller's job fails and is
retried with backoff, handing the gateway the same idempotency keys again.

Error texts (of exceptions and receipts) end up in job errors, delivery details and logs: they are
masked where they are made (``core.redact``), and every config registers its secrets so that a
server echoing one back is masked too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from yingji.core.redact import redact, register
from yingji.notify.channels import Receipt, ReceiptState

SECRET_MASK = "********"


class _MaskedError(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class ChannelUnavailable(_MaskedError):
    """The channel could not be reached or answered with a server error: retry later."""


class AdapterConfig(BaseModel):
    """Base of every adapter's settings. Unknown keys are refused (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    timeout_s: float = 10.0

    secret_fields: ClassVar[tuple[str, ...]] = ()

    def model_post_init(self, context: Any) -> None:
        register(*self.secret_values())

    def secret_values(self) -> list[str]:
        """The values to mask wherever they appear (logs, error texts)."""
        return [secret(getattr(self, name)) for name in self.secret_fields]

    def public(self) -> dict[str, Any]:
        """The config as shown back to users: secrets replaced by a mask (or empty when unset)."""
        out = self.model_dump(mode="json")
        for name in self.secret_fields:
            value = getattr(self, name)
            out[name] = SECRET_MASK if value and value.get_secret_value() else ""
        return out

    def stored(self) -> dict[str, Any]:
        """The config as stored in the database (secrets in clear: the column is not audited)."""
        out = self.model_dump(mode="json")
        for name in self.secret_fields:
            value = getattr(self, name)
            out[name] = value.get_secret_value() if value else ""
        return out


def secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value else ""


def http_client(config: AdapterConfig) -> httpx.Client:
    return httpx.Client(timeout=config.timeout_s, trust_env=False)


def post_json(client: httpx.Client, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    """POST JSON; transport errors and 5xx raise ChannelUnavailable, the JSON answer is returned."""
    try:
        response = client.post(url, json=body, headers=headers or {})
    except httpx.HTTPError as exc:
        # Not chained: the cause's own text may carry the URL, and a traceback cannot be masked
        # after the fact; its type and masked text are in this message.
        raise ChannelUnavailable(f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelUnavailable(f"{url}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise ChannelRefused(f"HTTP {response.status_code}: {redact(response.text)[:160]}")
    try:
        return response.json()
    except ValueError:
        return {}


class ChannelRefused(_MaskedError):
    """The channel refused the request itself (4xx): retrying the same request will not help."""


class Later(Exception):
    """Raised by a ``post_each`` judge: the gateway said "not now" (throttled); this message and the
    rest of the batch stay queued with ``detail``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def post_each(name: str, batch: list, post: Callable[[Any], Any], judge: Callable[[Any, Any], Any]) -> list:
    """One POST per message of ``batch`` (``post(m)`` → the JSON reply) and its receipt
    (``judge(m, reply)``). A refused request fails only its message; an unreachable gateway fails the
    call when nothing went out yet (the job retries), else leaves the rest queued for a later attempt
    (part of the batch is out), as a ``Later`` from the judge does."""

    def queued(rest: list, detail: str) -> list:
        return [Receipt(x.key, ReceiptState.QUEUED, name, detail) for x in rest]

    receipts: list = []
    for i, m in enumerate(batch):
        try:
            reply = post(m)
        except ChannelRefused as exc:
            receipts.append(Receipt(m.key, ReceiptState.FAILED, name, str(exc)[:200]))
            continue
        except ChannelUnavailable as exc:
            if i == 0:
                raise
            return receipts + queued(batch[i:], str(exc)[:200])
        try:
            receipts.append(judge(m, reply))
        except Later as later:
            return receipts + queued(batch[i:], later.detail)
    return receipts
