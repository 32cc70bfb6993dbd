"""The sandbox channel: where a drill's deliveries go instead of the SMS gateway, e-mail, the group
robots and the loudspeakers. It accepts every message (the delivery is recorded ``sent`` with a
detail that says where it went, so acknowledgement and escalation run as in earnest) and keeps its
text for the controller; no byte leaves the platform. The in-app inbox is the platform itself and
stays (with every text marked 演练), so the players on duty receive what they would receive.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.i18n import N_, translate
from yingji.notify.channels import Message, Receipt, ReceiptState

DETAIL = N_("Drill sandbox: not sent to any real channel")
TAG = N_("[Drill] ")


def tag() -> str:
    """The mark on every text a drill makes (Chinese: 【演练】)."""
    return translate(TAG, "zh_CN")


class SandboxChannel:
    name = "sandbox"

    def __init__(self, drill_id: int, jurisdiction_code: str, channel: str, dispatch_id: int | None = None):
        self.drill_id = drill_id
        self.jurisdiction_code = jurisdiction_code
        self.channel = channel
        self.dispatch_id = dispatch_id

    def send(self, session: Session, batch: list[Message]) -> list[Receipt]:
        from yingji.drills.models import DrillSandboxMessage  # the sender imports this module early

        if not batch:
            return []
        now = clock.now()
        session.execute(
            insert(DrillSandboxMessage),
            [
                {
                    "drill_id": self.drill_id,
                    "jurisdiction_code": self.jurisdiction_code,
                    "dispatch_id": self.dispatch_id,
                    "delivery_key": m.key,
                    "channel": self.channel,
                    "address": (m.address or "")[:300] or None,
                    "subject": m.subject,
                    "body": m.body,
                    "at": now,
                }
                for m in batch
            ],
        )
        detail = translate(DETAIL, "zh_CN")
        return [Receipt(m.key, ReceiptState.SENT, self.channel, detail) for m in batch]


def messages(session: Session, drill_id: int, limit: int = 200) -> list:
    from yingji.drills.models import DrillSandboxMessage

    return list(
        session.scalars(
            select(DrillSandboxMessage)
            .where(DrillSandboxMessage.drill_id == drill_id)
            .order_by(DrillSandboxMessage.at.desc(), DrillSandboxMessage.id.desc())
            .limit(limit)
        )
    )


def count(session: Session, drill_id: int) -> int:
    from yingji.drills.models import DrillSandboxMessage

    return session.scalar(select(func.count()).where(DrillSandboxMessage.drill_id == drill_id)) or 0
