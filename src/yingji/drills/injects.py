"""Putting an inject into the live duty flow, unannounced, through the same doors real events use:

- an incident report goes through incident intake as a 首报 from the inject's place (a caller from
  the village), so the town and county see it on the duty board, with its reporting deadlines;
- a sensor reading raises an alarm on the sensor (its notice goes to the point's people and the
  town's duty officer, like any alarm's), with no automatic warning or incident behind it;
- a warning from upstream arrives published (CAP status ``Exercise``) and fans out to the area's
  recipients — through the sandbox channel only (``delivery.sending``).

Everything made carries the drill's id. The job (``drills.inject``) runs at the inject's due time;
it does nothing when the inject was moved, withdrawn or the drill ended. A refusal (the sensor was
switched off, the place changed) marks the inject failed with its reason and leaves nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import YingjiError
from yingji.core.i18n import translate
from yingji.drills.codes import DrillState
from yingji.drills.exercise_codes import InjectKind, InjectState
from yingji.drills.models import Drill, DrillInject
from yingji.jobs.registry import JobContext, handler
from yingji.warnings.codes import WarningStatus

DEFAULT_WARNING_HOURS = 6
DEFAULT_REPORTER = "群众来电"


def _incident(session: Session, drill: Drill, inject: DrillInject) -> None:
    from yingji.incidents import intake
    from yingji.incidents.schemas import Figures, IncidentIn

    p = inject.payload
    principal = Principal.system(inject.place_code, what=f"drill:{drill.id}")
    data = IncidentIn(
        category=p["category"],
        jurisdiction_code=inject.place_code,
        description=p.get("description"),
        reporter_name=p.get("reporter_name") or DEFAULT_REPORTER,
        reporter_phone=p.get("reporter_phone"),
        figures=Figures(**(p.get("figures") or {})),
    )
    incident, _ = intake.create(
        session, principal, data, idempotency_key=f"drill-inject-{inject.id}", drill_id=drill.id
    )
    inject.incident_id = incident.id


def _alarm(session: Session, drill: Drill, inject: DrillInject) -> None:
    from yingji.jobs import queue
    from yingji.monitoring import alarms
    from yingji.monitoring.models import Alarm, Sensor

    p = inject.payload
    sensor = session.get(Sensor, p["sensor_id"])
    if sensor is None or not sensor.active:
        raise YingjiError("This sensor is not active.")
    now = clock.now()
    value = float(p["value"])
    alarm = Alarm(
        rule_key=f"drill:{inject.id}",
        sensor_id=sensor.id,
        hazard_point_id=sensor.hazard_point_id,
        jurisdiction_code=sensor.jurisdiction_code,
        metric="value",
        direction="above",
        level=p["level"],
        action="notify",  # a drill's alarm drafts no warning and files no incident by itself
        raise_at=value,
        clear_at=value,
        state="open",
        raised_at=now,
        created_at=now,
        value=value,
        peak_value=value,
        last_value=value,
        drill_id=drill.id,
    )
    session.add(alarm)
    session.flush()
    alarms.event(session, alarm, "raised", value=value, data={"source": "drill", "drill_id": drill.id})
    queue.enqueue(
        session, "monitoring.alarm", {"alarm_id": alarm.id}, dedupe_key=f"monitoring.alarm:{alarm.id}"
    )
    inject.alarm_id = alarm.id


def _warning(session: Session, drill: Drill, inject: DrillInject) -> None:
    from yingji.warnings import hooks, values
    from yingji.warnings.lifecycle import _schedule_expiry
    from yingji.warnings.models import Warning, WarningArea, WarningInfo
    from yingji.warnings.profile import geocodes_for

    p = inject.payload
    now = clock.now()
    expires = now + timedelta(hours=int(p.get("hours") or DEFAULT_WARNING_HOURS))
    sender_name = p.get("sender_name") or "上级应急管理部门"
    area = WarningArea(
        seq=1,
        jurisdiction_code=inject.place_code,
        area_desc=_place_name(session, inject.place_code),
        geocodes=geocodes_for([inject.place_code]),
    )
    info = WarningInfo(
        seq=1,
        jurisdiction_code=inject.place_code,
        language="zh-CN",
        categories=["Safety"],
        event=p["headline"][:200],
        urgency=values.default_urgency(p["level"]),
        severity=values.cap_severity(p["level"]),
        certainty="Likely",
        headline=p["headline"],
        description=p.get("description"),
        instruction=p.get("instruction"),
        sender_name=sender_name,
        effective=now,
        expires=expires,
        areas=[area],
    )
    warning = Warning(
        identifier=f"DRILL-{drill.id}-{inject.id}",
        sender=f"drill-{drill.id}@yingji",
        sent=now,
        cap_status="Exercise",  # CAP 1.2: an exercise message, never an actual alert
        msg_type="Alert",
        status=WarningStatus.PUBLISHED,
        origin="import",
        relay=True,
        level=p["level"],
        jurisdiction_code=inject.place_code,
        published_at=now,
        infos=[info],
        drill_id=drill.id,
    )
    from yingji.warnings import capmodel

    capmodel.sync_summary(warning)
    session.add(warning)
    session.flush()
    hooks.emit(session, warning, "published")
    _schedule_expiry(session, warning)
    inject.warning_id = warning.id


def _place_name(session: Session, code: str) -> str:
    from yingji.org.models import Jurisdiction

    place = session.get(Jurisdiction, code)
    return place.name if place else code


PERFORMERS = {
    InjectKind.INCIDENT_REPORT: _incident,
    InjectKind.SENSOR_READING: _alarm,
    InjectKind.UPSTREAM_WARNING: _warning,
}


def perform(session: Session, inject: DrillInject, drill: Drill) -> bool:
    """Inject now, in a savepoint: True when it went in; on a refusal the inject is failed with
    the reason (in Chinese, as the controller reads it) and nothing else is kept."""
    try:
        with session.begin_nested():
            PERFORMERS[InjectKind(inject.kind)](session, drill, inject)
            inject.state = InjectState.INJECTED.value
            inject.injected_at = clock.now()
            inject.error = None
            session.flush()
        return True
    except YingjiError as exc:
        inject.state = InjectState.FAILED.value
        inject.error = translate(exc.message, "zh_CN", **exc.params)[:2000]
        session.flush()
        return False


@handler("drills.inject", max_attempts=3)
def inject_job(session: Session, ctx: JobContext) -> None:
    inject = session.scalar(
        select(DrillInject).where(DrillInject.id == ctx.payload["inject_id"]).with_for_update()
    )
    if inject is None or inject.state != InjectState.SCRIPTED or inject.due_at is None:
        return
    if inject.due_at != datetime.fromisoformat(ctx.payload["due_at"]):
        return  # rescheduled: the inject's current job does it
    drill = session.get(Drill, inject.drill_id)
    if drill is None or drill.state != DrillState.RUNNING:
        inject.state = InjectState.CANCELLED.value
        return
    perform(session, inject, drill)
