"""The external channel adapters by kind: their config schema and class. The delivery domain stores
one config per endpoint and builds the adapter from it; the inbox (no config) is in ``inbox.py``."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from yingji.notify.adapter_base import AdapterConfig
from yingji.notify.broadcast import BroadcastChannel, BroadcastConfig
from yingji.notify.channels import Channel
from yingji.notify.robots import (
    DingTalkRobotChannel,
    DingTalkRobotConfig,
    WeComRobotChannel,
    WeComRobotConfig,
)
from yingji.notify.sms_gateway import SmsGatewayChannel, SmsGatewayConfig
from yingji.notify.smtp import SmtpChannel, SmtpConfig

ADAPTERS: dict[str, tuple[type[AdapterConfig], type]] = {
    "sms": (SmsGatewayConfig, SmsGatewayChannel),
    "email": (SmtpConfig, SmtpChannel),
    "wecom": (WeComRobotConfig, WeComRobotChannel),
    "dingtalk": (DingTalkRobotConfig, DingTalkRobotChannel),
    "broadcast": (BroadcastConfig, BroadcastChannel),
}
# Providers serve every recipient below their jurisdiction; targets are one group or loudspeaker.
PROVIDER_KINDS = ("sms", "email")
TARGET_KINDS = ("wecom", "dingtalk", "broadcast")


def parse(kind: str, config: dict[str, Any]) -> AdapterConfig:
    """Validate a config; raises KeyError for an unknown kind, ValidationError for bad values."""
    schema, _ = ADAPTERS[kind]
    return schema.model_validate(config)


def build(kind: str, config: dict[str, Any] | AdapterConfig) -> Channel:
    """An adapter ready to ``send(session, batch)``."""
    schema, cls = ADAPTERS[kind]
    parsed = config if isinstance(config, schema) else schema.model_validate(config)
    return cls(parsed)


def errors_of(exc: ValidationError) -> list[dict[str, str]]:
    """Field paths and pydantic's English text, for an error listing."""
    return [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
