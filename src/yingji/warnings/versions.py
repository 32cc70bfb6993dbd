"""The append-only version history of a warning: every edit and state change, with a snapshot."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.warnings.capmodel import message_of
from yingji.warnings.codes import ACTION_LABELS  # noqa: F401  (re-exported for the pages)
from yingji.warnings.models import Warning, WarningVersion

LIFECYCLE_FIELDS = (
    "status",
    "level",
    "category",
    "event_type",
    "jurisdiction_code",
    "root_id",
    "previous_id",
    "origin",
    "revision",
    "author_user_id",
    "approved_by_user_id",
    "published_by_user_id",
    "review_note",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(warning: Warning) -> dict:
    """The whole warning as JSON: its CAP message and its lifecycle fields."""
    return _plain({"cap": message_of(warning), **{f: getattr(warning, f) for f in LIFECYCLE_FIELDS}})


def record(
    session: Session, warning: Warning, action: str, principal: Principal | None, note: str | None = None
) -> WarningVersion:
    """Append a version row for ``warning`` (flushes so the warning has its id)."""
    session.flush()
    last = session.scalar(select(func.max(WarningVersion.seq)).where(WarningVersion.warning_id == warning.id))
    version = WarningVersion(
        warning_id=warning.id,
        seq=(last or 0) + 1,
        jurisdiction_code=warning.jurisdiction_code,
        action=action,
        status=warning.status,
        at=clock.now(),
        user_id=principal.user_id if principal else None,
        actor=principal.display_name if principal else None,
        note=note,
        snapshot=snapshot(warning),
    )
    session.add(version)
    return version


def history(session: Session, warning_id: int) -> list[WarningVersion]:
    return list(
        session.scalars(
            select(WarningVersion).where(WarningVersion.warning_id == warning_id).order_by(WarningVersion.seq)
        )
    )
