"""Between the message ``dict`` (what ``capxml`` reads and ``capwrite`` writes) and the warning rows."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from yingji.warnings import values
from yingji.warnings.models import Warning, WarningArea, WarningInfo, WarningResource

INFO_FIELDS = (
    "language",
    "categories",
    "event",
    "response_types",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "event_codes",
    "effective",
    "onset",
    "expires",
    "sender_name",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameters",
)
AREA_FIELDS = ("area_desc", "polygons", "circles", "geocodes", "altitude", "ceiling")
RESOURCE_FIELDS = ("resource_desc", "mime_type", "size", "uri", "deref_uri", "digest")


def message_of(warning: Warning) -> dict:
    """The CAP message of a warning (the shape ``capwrite.to_xml`` takes)."""
    return {
        "identifier": warning.identifier,
        "sender": warning.sender,
        "sender_code": warning.sender_code,
        "sent": warning.sent,
        "status": warning.cap_status,
        "msg_type": warning.msg_type,
        "source": warning.source,
        "scope": warning.scope,
        "restriction": warning.restriction,
        "addresses": warning.addresses,
        "codes": list(warning.codes or []),
        "note": warning.note,
        "references": list(warning.references or []),
        "incidents": list(warning.cap_incidents or []),
        "infos": [info_dict(i) for i in warning.infos],
    }


def info_dict(info: WarningInfo) -> dict:
    out = {f: getattr(info, f) for f in INFO_FIELDS}
    out["areas"] = [{f: getattr(a, f) for f in AREA_FIELDS} for a in info.areas]
    out["resources"] = [{f: getattr(r, f) for f in RESOURCE_FIELDS} for r in info.resources]
    return out


def set_infos(warning: Warning, infos: list[dict]) -> None:
    """Replace the warning's info blocks (with their areas and resources) by ``infos``."""
    code = warning.jurisdiction_code
    session = object_session(warning)
    if warning.infos:
        warning.infos.clear()
        if session is not None:
            session.flush()  # delete the old blocks first: (warning_id, seq) is unique
    for seq, data in enumerate(infos, start=1):
        info = WarningInfo(seq=seq, jurisdiction_code=code, **{f: data.get(f) for f in INFO_FIELDS})
        info.language = info.language or "en-US"
        info.categories = list(info.categories or [])
        for n, area in enumerate(data.get("areas") or [], start=1):
            info.areas.append(
                WarningArea(seq=n, jurisdiction_code=code, **{f: area.get(f) for f in AREA_FIELDS})
            )
        for n, res in enumerate(data.get("resources") or [], start=1):
            info.resources.append(
                WarningResource(seq=n, jurisdiction_code=code, **{f: res.get(f) for f in RESOURCE_FIELDS})
            )
        warning.infos.append(info)


def apply_alert(warning: Warning, message: dict) -> None:
    """Copy the alert-level elements of ``message`` onto the warning."""
    warning.identifier = message.get("identifier")
    warning.sender = message["sender"]
    warning.sent = message.get("sent")
    warning.cap_status = message.get("status") or "Actual"
    warning.msg_type = message.get("msg_type") or "Alert"
    warning.source = message.get("source")
    warning.scope = message.get("scope") or "Public"
    warning.restriction = message.get("restriction")
    warning.addresses = message.get("addresses")
    warning.codes = list(message.get("codes") or [])
    warning.note = message.get("note")
    warning.references = list(message.get("references") or [])
    warning.cap_incidents = list(message.get("incidents") or [])


def sync_summary(warning: Warning) -> None:
    """Copy the primary (Chinese) info onto the warning's summary columns; derive the level from
    the severity when the warning has none (imports)."""
    info = warning.primary_info
    if info is None:
        return
    warning.event = (info.event or "")[:200] or None
    warning.headline = info.headline
    warning.description = info.description
    warning.instruction = info.instruction
    warning.sender_name = (info.sender_name or "")[:200] or None
    warning.effective = info.effective
    warning.onset = info.onset
    warning.expires = info.expires
    warning.area_desc = "；".join(a.area_desc for a in info.areas if a.area_desc) or None
    if warning.level is None:
        warning.level = values.level_from_severity(info.severity)
