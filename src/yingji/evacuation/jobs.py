"""Queued work of evacuation: telling the grid workers of an order's cells through the in-app inbox
(never an external channel here; a drill's order tells nobody). Re-checked in the job's own
transaction; the inbox's per-message key makes a retried job send nothing twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.core.i18n import N_, translate
from yingji.evacuation.codes import OrderState
from yingji.evacuation.models import EvacuationOrder, EvacuationTask
from yingji.jobs.registry import JobContext, handler
from yingji.notify import inbox  # noqa: F401 (registers the inbox channel)
from yingji.notify.channels import Message, get

NOTIFY_JOB = "evacuation.notify"
SUBJECT = N_("Evacuation order: {title}")
BODY = N_("Go household by household in your grid cell and mark each one on your phone.")


@handler(NOTIFY_JOB, max_attempts=5, backoff_base_s=10)
def notify_workers(session: Session, ctx: JobContext) -> None:
    order = session.get(EvacuationOrder, int(ctx.payload["order_id"]))
    if order is None or order.drill_id is not None or order.state != OrderState.ACTIVE.value:
        return
    people: set[int] = set()
    for ids in session.scalars(
        select(EvacuationTask.assignee_ids).where(EvacuationTask.order_id == order.id)
    ):
        people.update(ids or [])
    if not people:
        return
    users = session.execute(
        select(User.id, User.jurisdiction_code).where(User.person_id.in_(sorted(people)), User.active)
    ).all()
    subject = translate(SUBJECT, "zh_CN", title=order.title)
    body = translate(BODY, "zh_CN")
    get("inbox").send(
        session,
        [
            Message(
                recipient_user_id=uid,
                subject=subject,
                body=body,
                link="/evacuation",
                category="evacuation",
                severity="urgent",
                jurisdiction_code=code,
                key=f"evacuation:{order.id}:{uid}",
                data={"order_id": order.id},
            )
            for uid, code in users
        ],
    )
