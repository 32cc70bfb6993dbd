"""Forces jobs: the daily rule check that warns each owning level through its inbox.

Idempotent: one message per level and local day (the inbox drops a repeated key), so a retried or
doubled run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core.i18n import translate
from yingji.forces import checks, codes
from yingji.jobs.registry import JobContext, handler
from yingji.notify.inbox import notify_level


def warn_levels(session: Session, days: int = codes.EXPIRY_WARNING_DAYS) -> int:
    """Send each level with findings its summary; returns how many levels were told."""
    today = checks.local_today()
    told = 0
    for code, counts in sorted(checks.places_with_findings(session, days).items()):
        lines = [
            translate(checks.CHECKS[kind][0], "zh_CN", min=codes.MIN_VOLUNTEER_MEMBERS, days=days) + f":{n}"
            for kind, n in counts.items()
        ]
        total = sum(counts.values())
        severity = "warning" if any(checks.CHECKS[k][1] == "red" for k in counts) else "info"
        receipts = notify_level(
            session,
            code,
            subject=translate("Rescue forces: {count} findings to follow up", "zh_CN", count=total),
            body="\n".join(lines),
            link=f"/forces/checks?within={code}",
            category="forces",
            severity=severity,
            key=f"forces.checks:{code}:{today.isoformat()}",
            perm=Perm.FORCES_MANAGE,
        )
        told += bool(receipts)
    return told


@handler("forces.checks", period=timedelta(days=1), max_attempts=3, lease_s=300)
def daily_checks(session: Session, ctx: JobContext) -> None:
    """Run every check and warn the levels that look after the teams concerned."""
    warn_levels(session)
