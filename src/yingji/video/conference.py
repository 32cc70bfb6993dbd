"""视频会商: a consultation's video-conference link, made from the deployment's URL template
(``YINGJI_VIDEO_CONFERENCE_URL`` with ``{consultation_id}`` and ``{incident_id}``); none without one."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, visible
from yingji.core.errors import NotFound
from yingji.response.models import Consultation


def template_of(settings) -> str:
    return str((getattr(settings, "extra", {}) or {}).get("video_conference_url", "")).strip()


def link(settings, consultation_id: int, incident_id: int) -> str | None:
    template = template_of(settings)
    if not template:
        return None
    return template.replace("{consultation_id}", quote(str(consultation_id))).replace(
        "{incident_id}", quote(str(incident_id))
    )


def for_consultation(session: Session, principal: Principal, settings, consultation_id: int) -> str | None:
    """The link of a consultation the principal may see (404 otherwise)."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound()
    visible(principal, consultation)
    return link(settings, consultation.id, consultation.incident_id)
