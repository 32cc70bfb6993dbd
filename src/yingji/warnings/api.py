"""Warnings API: compose, approve, publish, update, lift; CAP import, validation and export; feeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.http import raw_body
from yingji.files.openapi import file_answer
from yingji.warnings import (
    authority,
    capimport,
    capxml,
    compose,
    export,
    feedhosts,
    feeds,
    lifecycle,
    queries,
    recipients,
    values,
    versions,
)
from yingji.warnings.capmodel import info_dict
from yingji.warnings.codes import UNSENT, WarningStatus
from yingji.warnings.models import Warning, WarningFeed
from yingji.warnings.schemas import (
    CapImportOut,
    CapValidationOut,
    FeedHostIn,
    FeedHostList,
    FeedHostOut,
    FeedIn,
    FeedListOut,
    FeedOut,
    FeedPollOut,
    LevelsOut,
    LiftIn,
    MissingOut,
    RecipientPreviewOut,
    ReturnIn,
    ReviewIn,
    SenderAuthorityIn,
    SenderAuthorityList,
    SenderAuthorityOut,
    TemplatesOut,
    VersionListOut,
    WarningDetailOut,
    WarningIn,
    WarningListOut,
)

router = APIRouter(prefix="/api/v1/warnings", tags=["warnings"])
CAP_MIME = "application/cap+xml"


def summary(w: Warning) -> dict:
    """The list form of a warning."""
    return {
        "id": w.id,
        "identifier": w.identifier,
        "sender": w.sender,
        "status": w.status,
        "msg_type": w.msg_type,
        "cap_status": w.cap_status,
        "level": w.level,
        "event": w.event,
        "headline": w.headline,
        "jurisdiction_code": w.jurisdiction_code,
        "sender_name": w.sender_name,
        "sent": w.sent,
        "effective": w.effective,
        "onset": w.onset,
        "expires": w.expires,
        "root_id": w.root_id,
        "origin": w.origin,
        "drill_id": w.drill_id,  # injected by a drill (演练): sandboxed, never public
    }


def detail(session, w: Warning) -> dict:
    """The full form: CAP fields, lifecycle, what 第六十四条 still misses, the chain."""
    out = summary(w)
    out.update(
        {
            "sender_code": w.sender_code,
            "scope": w.scope,
            "codes": w.codes or [],
            "note": w.note,
            "references": w.references or [],
            "category": w.category,
            "template_key": w.template_key,
            "locked_fields": w.locked_fields or [],
            "description": w.description,
            "instruction": w.instruction,
            "area_desc": w.area_desc,
            "area_codes": w.area_codes(),
            "previous_id": w.previous_id,
            "revision": w.revision,
            "author_user_id": w.author_user_id,
            "approved_by_user_id": w.approved_by_user_id,
            "approved_at": w.approved_at,
            "review_note": w.review_note,
            "published_at": w.published_at,
            "ended_at": w.ended_at,
            "relay": w.relay,
            "missing": lifecycle.missing_contents(w) if w.status in UNSENT else [],
            "infos": [info_dict(i) for i in w.infos],
            "chain": [
                {"id": c.id, "msg_type": c.msg_type, "status": c.status, "identifier": c.identifier}
                for c in queries.chain(session, w)
            ],
        }
    )
    return out


async def _xml_body(request: Request) -> bytes:
    """The CAP document of the body, in UTF-8 whatever encoding it came in (so that the message kept
    as received is readable text, not UTF-16 bytes read as UTF-8)."""
    return capxml.as_utf8(await raw_body(request, "XML (application/xml)", capxml.MAX_CAP_BYTES))


@router.get("", response_model=WarningListOut)
def list_warnings(
    principal: CurrentPrincipal,
    session: DbSession,
    view: str = "all",
    status: str | None = None,
    level: str | None = None,
    q: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    found = queries.list_warnings(
        session, principal, view=view, status=status, level=level, q=q, page=page, size=size
    )
    return {"items": [summary(w) for w in found.items], "total": found.total, "page": found.page}


@router.get("/templates", response_model=TemplatesOut)
def list_templates(principal: CurrentPrincipal) -> dict:
    """Compose templates per event type, with their locked fields."""
    return {"templates": values.templates()}


@router.get("/levels", response_model=LevelsOut)
def list_levels(principal: CurrentPrincipal) -> dict:
    """Levels, the colour → CAP severity map in force, channel codes and CAP value lists."""
    return {
        "levels": values.levels(),
        "cap_severity": values.severity_map(),
        "channels": values.profile()["channels"],
        "article_64": list(lifecycle.ARTICLE_64),
        "cap_values": {
            k: v for k, v in values.cap_values().items() if isinstance(v, dict) and k != "cap11_upgrade"
        },
    }


@router.post("", status_code=201, response_model=WarningDetailOut)
def create_warning(data: WarningIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    warning = compose.create_draft(session, principal, data)
    return detail(session, warning)


@router.post("/cap", status_code=201, response_model=CapImportOut)
async def import_cap(
    request: Request, response: Response, principal: CurrentPrincipal, session: DbSession, relay: bool = False
) -> dict:
    """Import one CAP 1.2 (or 1.1) message from the XML body; 200 when it was already stored, 202
    when it waits for approval (``submitted``), 403 when it may not change the warning it
    references."""
    body = await _xml_body(request)
    try:
        result = capimport.import_message(
            session, principal, body, origin="import", origin_ref="api", relay=relay
        )
    except authority.AuthorityRefused as exc:
        authority.record_refusal(session, principal, exc, exc.target, note="api")
        raise
    response.status_code = (
        200 if result.duplicate else 202 if result.warning.status == WarningStatus.SUBMITTED else 201
    )
    return result.as_dict()


@router.post("/validate", response_model=CapValidationOut, response_model_exclude_unset=True)
async def validate_cap(request: Request, principal: CurrentPrincipal) -> dict:
    """Check a CAP message without storing it: ``valid`` and the problems (element, line)."""
    body = await _xml_body(request)
    try:
        message = capxml.parse(body)
    except capxml.CapRejected as exc:
        return {
            "valid": False,
            "problems": [
                {**d, "text": line} for d, line in zip(exc.details, capxml.describe(exc, "en"), strict=True)
            ],
        }
    return {"valid": True, "cap_version": message["cap_version"], "identifier": message["identifier"]}


@router.get("/feeds", response_model=FeedListOut)
def list_feeds(principal: CurrentPrincipal, session: DbSession) -> dict:
    return {"items": [_feed(f) for f in feeds.list_feeds(session, principal)]}


def _feed(f: WarningFeed) -> dict:
    return {
        k: getattr(f, k)
        for k in (
            "id",
            "name",
            "url",
            "kind",
            "jurisdiction_code",
            "enabled",
            "relay",
            "interval_s",
            "last_polled_at",
            "last_ok_at",
            "last_error",
            "imported_count",
        )
    }


@router.post("/feeds", status_code=201, response_model=FeedOut)
def create_feed(data: FeedIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _feed(feeds.create_feed(session, principal, data))


@router.post("/feeds/{feed_id}/poll", response_model=FeedPollOut)
def poll_feed(feed_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Poll a feed now (instead of waiting for its interval)."""
    feed = next((f for f in feeds.list_feeds(session, principal) if f.id == feed_id), None)
    if feed is None:
        from yingji.core.errors import NotFound

        raise NotFound()
    require(principal, Perm.WARNING_PUBLISH)
    return {"feed": _feed(feed), **feeds.poll(session, feed)}


@router.delete("/feeds/{feed_id}", status_code=204, response_class=Response)
def delete_feed(feed_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    feeds.delete_feed(session, principal, feed_id)
    return Response(status_code=204)


# -- who may act on whose warnings; where feeds may come from -----------------------------------
@router.get("/authorities", response_model=SenderAuthorityList)
def list_authorities(principal: CurrentPrincipal, session: DbSession) -> SenderAuthorityList:
    """Senders allowed to update or cancel another sender's warnings, in the principal's scope."""
    rows = authority.list_authorities(session, principal)
    return SenderAuthorityList(items=[SenderAuthorityOut.model_validate(r) for r in rows])


@router.post("/authorities", status_code=201, response_model=SenderAuthorityOut)
def add_authority(data: SenderAuthorityIn, principal: CurrentPrincipal, session: DbSession):
    row = authority.add_authority(
        session, principal, data.sender, data.authority, data.jurisdiction_code, data.note
    )
    return SenderAuthorityOut.model_validate(row)


@router.delete("/authorities/{authority_id}", status_code=204, response_class=Response)
def remove_authority(authority_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    authority.remove_authority(session, principal, authority_id)
    return Response(status_code=204)


@router.get("/feed-hosts", response_model=FeedHostList)
def list_feed_hosts(principal: CurrentPrincipal, session: DbSession) -> FeedHostList:
    """The hosts feeds may be fetched from (set by the administrator)."""
    return FeedHostList(
        items=[FeedHostOut.model_validate(r) for r in feedhosts.list_hosts(session, principal)]
    )


@router.post("/feed-hosts", status_code=201, response_model=FeedHostOut)
def add_feed_host(data: FeedHostIn, principal: CurrentPrincipal, session: DbSession):
    row = feedhosts.add_host(session, principal, data.pattern, data.allow_private, data.note)
    return FeedHostOut.model_validate(row)


@router.delete("/feed-hosts/{host_id}", status_code=204, response_class=Response)
def remove_feed_host(host_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    feedhosts.remove_host(session, principal, host_id)
    return Response(status_code=204)


@router.get("/{warning_id}", response_model=WarningDetailOut)
def get_warning(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, queries.get_warning(session, principal, warning_id))


@router.put("/{warning_id}", response_model=WarningDetailOut)
def edit_warning(warning_id: int, data: WarningIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, compose.edit_draft(session, principal, warning_id, data))


@router.post("/{warning_id}/submit", response_model=WarningDetailOut)
def submit(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, lifecycle.submit(session, principal, warning_id))


@router.post("/{warning_id}/approve", response_model=WarningDetailOut)
def approve(warning_id: int, data: ReviewIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, lifecycle.approve(session, principal, warning_id, data.note))


@router.post("/{warning_id}/reject", response_model=WarningDetailOut)
def reject(warning_id: int, data: ReviewIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, lifecycle.reject(session, principal, warning_id, data.note))


@router.post("/{warning_id}/return", response_model=WarningDetailOut)
def return_for_edit(warning_id: int, data: ReturnIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """退回修改: an approved warning not yet published goes back to draft, with the reason (for
    those who may approve or publish warnings where it is)."""
    return detail(session, lifecycle.return_for_edit(session, principal, warning_id, data.reason))


@router.post("/{warning_id}/publish", response_model=WarningDetailOut)
def publish(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, lifecycle.publish(session, principal, warning_id))


@router.post("/{warning_id}/update", status_code=201, response_model=WarningDetailOut)
def start_update(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A draft Update of the warning in force (edit it, then submit/publish)."""
    return detail(session, lifecycle.start_update(session, principal, warning_id))


@router.post("/{warning_id}/lift", response_model=WarningDetailOut)
def lift(
    warning_id: int, data: LiftIn, response: Response, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """解除: the Cancel message. Sent at once (200, ``lifted``) at levels without approval; a red or
    orange lift waits for another leader's approval (202, ``submitted``) and takes effect when it
    is published."""
    cancel = lifecycle.lift(session, principal, warning_id, data.reason)
    response.status_code = 202 if cancel.status == WarningStatus.SUBMITTED else 200
    return detail(session, cancel)


@router.get("/{warning_id}/check", response_model=MissingOut)
def check(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """What 突发事件应对法 第六十四条 still misses before this warning can be published."""
    warning = queries.get_warning(session, principal, warning_id)
    return {"missing": lifecycle.missing_contents(warning)}


@router.get("/{warning_id}/versions", response_model=VersionListOut)
def list_versions(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    queries.get_warning(session, principal, warning_id)
    rows = versions.history(session, warning_id)
    return {
        "items": [
            {
                "seq": v.seq,
                "action": v.action,
                "status": v.status,
                "at": v.at,
                "actor": v.actor,
                "note": v.note,
                "snapshot": v.snapshot,
            }
            for v in rows
        ]
    }


@router.get("/{warning_id}/preview", response_model=RecipientPreviewOut)
def preview(warning_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Who the warning would reach: counts by channel and by town (delivery), else the cells."""
    warning = queries.get_warning(session, principal, warning_id)
    return jsonable_encoder(recipients.preview(session, warning))


@router.get(
    "/{warning_id}/cap",
    response_class=Response,
    responses=file_answer("The CAP XML document (a download).", CAP_MIME),
)
def export_cap(
    warning_id: int, principal: CurrentPrincipal, session: DbSession, profile: str = "cap12"
) -> Response:
    """The warning as CAP 1.2 (``profile=cap12``) or the Chinese profile (``profile=cn``)."""
    body, name = export.export(session, principal, warning_id, profile)
    from urllib.parse import quote

    return Response(
        body,
        media_type=CAP_MIME,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
