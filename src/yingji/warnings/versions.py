"""The append-only version history of a warning: every edit and state change, with a snapshot."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.i18n import N_
from yingji.warnings.capmodel import message_of
from yingji.warnings.models import Warning, WarningVersion

# What the history shows for each recorded action.
ACTION_LABELS = {
    "created": N_("Drafted"),  # 起草
    "edited": N_("Edited"),  # 修改
    "submitted": N_("Submitted for approval"),  # 提交审批
    "approved": N_("Approved"),  # 审批通过
    "rejected": N_("Sent back"),  # 退回
    "published": N_("Published"),  # 发布
    "superseded": N_("Superseded by an update"),  # 被更新
    "updated": N_("Superseded by an update"),
    "lifted": N_("Lifted"),  # 解除
    "lift_requested": N_("Lift requested"),  # 申请解除
    "expired": N_("Expired"),  # 过期
    "imported": N_("Imported"),  # 导入
    "import_held": N_("Imported, waiting for approval"),  # 导入待审批
}

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
