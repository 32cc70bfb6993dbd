"""Channel endpoints per jurisdiction: SMS gateways and SMTP servers (providers), group robots and
loudspeaker controllers (targets). Configs are validated by the adapter's schema; secrets are
stored but never shown back, and an edit that leaves a secret blank (or masked) keeps the old one."""

from __future__ import annotations

from pydantic import ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require, visible, writable
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.text import Input
from yingji.delivery.models import ChannelEndpoint
from yingji.notify import adapters
from yingji.notify.adapter_base import SECRET_MASK
from yingji.org import codes
from yingji.org.models import Jurisdiction


class EndpointIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str = Field(pattern="^(sms|email|wecom|dingtalk|broadcast)$")
    name: str = Field(min_length=1, max_length=100)
    jurisdiction_code: str
    config: dict = Field(default_factory=dict)
    enabled: bool = True
    rate_per_s: float = Field(50.0, gt=0, le=100_000)


class EndpointPatch(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=100)
    config: dict | None = None
    enabled: bool | None = None
    rate_per_s: float | None = Field(None, gt=0, le=100_000)


def _validated(kind: str, config: dict, old: dict | None = None) -> dict:
    merged = dict(config)
    schema, _ = adapters.ADAPTERS[kind]
    for name in schema.secret_fields:
        if merged.get(name) in (None, "", SECRET_MASK) and old:
            merged[name] = old.get(name) or None
    try:
        return adapters.parse(kind, merged).stored()
    except ValidationError as exc:
        details = [
            {"field": f"config.{e['field']}", "message": "This value is not valid."}
            for e in adapters.errors_of(exc)
        ]
        raise ValidationFailed(details=details) from None


def to_out(e: ChannelEndpoint) -> dict:
    try:
        shown = adapters.parse(e.kind, e.config).public()
    except (ValidationError, KeyError):
        shown = {}
    return {
        "id": e.id,
        "kind": e.kind,
        "name": e.name,
        "jurisdiction_code": e.jurisdiction_code,
        "config": shown,
        "enabled": e.enabled,
        "rate_per_s": e.rate_per_s,
        "updated_at": e.updated_at,
    }


def search(
    session: Session, principal: Principal, kind: str | None = None, within: str | None = None
) -> list:
    require(principal, Perm.WARNING_DRAFT)
    stmt = select(ChannelEndpoint).where(in_scope(ChannelEndpoint.jurisdiction_code, principal))
    if kind:
        stmt = stmt.where(ChannelEndpoint.kind == kind)
    if within:
        low, high = codes.subtree_bounds(within)
        stmt = stmt.where(ChannelEndpoint.jurisdiction_code >= low, ChannelEndpoint.jurisdiction_code < high)
    return list(
        session.scalars(stmt.order_by(ChannelEndpoint.jurisdiction_code, ChannelEndpoint.id).limit(500))
    )


def get(session: Session, principal: Principal, endpoint_id: int) -> ChannelEndpoint:
    require(principal, Perm.WARNING_DRAFT)
    return visible(principal, session.get(ChannelEndpoint, endpoint_id))


def create(session: Session, principal: Principal, data: EndpointIn) -> ChannelEndpoint:
    try:
        code = codes.normalise(data.jurisdiction_code)
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "jurisdiction_code", "message": "Not a division code."}]
        ) from None
    writable(principal, code, Perm.WARNING_PUBLISH)
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    endpoint = ChannelEndpoint(
        kind=data.kind,
        name=data.name,
        jurisdiction_code=code,
        config=_validated(data.kind, data.config),
        enabled=data.enabled,
        rate_per_s=data.rate_per_s,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def update(session: Session, principal: Principal, endpoint_id: int, patch: EndpointPatch) -> ChannelEndpoint:
    endpoint = session.get(ChannelEndpoint, endpoint_id, with_for_update=True)
    if endpoint is None or not principal.covers(endpoint.jurisdiction_code):
        raise NotFound()
    writable(principal, endpoint.jurisdiction_code, Perm.WARNING_PUBLISH)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("config") is not None:
        endpoint.config = _validated(endpoint.kind, changes.pop("config"), endpoint.config)
    for key, value in changes.items():
        if value is not None:
            setattr(endpoint, key, value)
    session.flush()
    return endpoint
