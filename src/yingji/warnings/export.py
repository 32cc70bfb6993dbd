"""Exporting a warning as CAP 1.2 or the Chinese profile, with the profile's file name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import ValidationFailed
from yingji.warnings import capmodel, capwrite, profile, queries
from yingji.warnings.models import Warning


def document(warning: Warning, profile_name: str = "cap12") -> bytes:
    """The warning's CAP XML. A draft (not yet sent) exports as a preview with CAP status Draft."""
    if profile_name not in capwrite.PROFILES:
        raise ValidationFailed(details=[{"field": "profile", "message": "This value is not valid."}])
    message = capmodel.message_of(warning)
    if warning.sent is None or warning.identifier is None:
        message["sent"] = clock.now()
        message["identifier"] = f"{warning.sender_code or 'draft'}_draft{warning.id}"
        message["status"] = "Draft"
    return capwrite.to_xml(message, profile_name, level=warning.level)


def file_name(warning: Warning, profile_name: str = "cap12") -> str:
    """发布单位_签发时间_类型_级别_状态.XML for the profile; the identifier for CAP 1.2."""
    sent = warning.sent or clock.now()
    if profile_name == "cn":
        return profile.file_name(
            warning.sender_name or warning.sender, sent, warning.event or "", warning.level, warning.msg_type
        )
    safe = "".join(
        ch if ch.isalnum() or ch in "-_." else "_" for ch in (warning.identifier or f"draft{warning.id}")
    )
    return f"{safe}.xml"


def export(session: Session, principal: Principal, warning_id: int, profile_name: str) -> tuple[bytes, str]:
    """The CAP document and file name of a warning the principal can see."""
    warning = queries.get_warning(session, principal, warning_id)
    return document(warning, profile_name), file_name(warning, profile_name)
