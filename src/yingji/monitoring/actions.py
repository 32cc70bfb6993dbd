"""What an alarm sets going (run by the ``monitoring.alarm`` job, after the ingest committed it):
notify the point's monitor and leader and the town duty officer (inbox, once per alarm and user), and by
rule draft a warning for the point's area (a person publishes it) or file an incident report for the
point's grid through incident intake. Each step is done once: the alarm row records what was done."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, translate
from yingji.monitoring import catalog, labels
from yingji.monitoring.alarms import event
from yingji.monitoring.models import OPEN_STATES, Alarm, HazardPoint, Sensor
from yingji.notify.channels import Message, ReceiptState
from yingji.notify.inbox import InboxChannel, users_with
from yingji.org.models import GridAssignment

log = logging.getLogger("yingji.monitoring")


def zh(message: str, **params) -> str:
    """A message in Chinese (notifications are stored ready to show)."""
    return translate(message, "zh_CN", **params)


def describe(alarm: Alarm, sensor: Sensor, point: HazardPoint | None) -> tuple[str, str]:
    """(subject, body) of the notification, in Chinese."""
    where = point.name if point else sensor.name
    unit = sensor.unit if alarm.metric in ("value", "sum_1h", "sum_3h", "sum_24h") else f"{sensor.unit}/h"
    subject = zh(
        N_("{level} alarm at {place}: {metric} {value} {unit}"),
        level=labels.label(labels.LEVELS, alarm.level, "zh_CN"),
        place=where,
        metric=labels.label(labels.METRICS, alarm.metric, "zh_CN"),
        value=f"{alarm.value:g}",
        unit=unit,
    )
    body = zh(
        N_("Sensor {sensor} ({kind}) reached {value} {unit}; the rule raises at {limit}, clears at {clear}."),
        sensor=sensor.code,
        kind=labels.sensor_kind(sensor.kind, "zh_CN"),
        value=f"{alarm.value:g}",
        unit=unit,
        limit=f"{alarm.raise_at:g}",
        clear=f"{alarm.clear_at:g}",
    )
    if alarm.drill_id is not None:  # a drill's alarm says so in every notice
        from yingji.drills.sandbox import tag

        subject = tag() + subject
    return subject, body


def _users_of_people(session: Session, person_ids: list[int]) -> list[int]:
    if not person_ids:
        return []
    return list(session.scalars(select(User.id).where(User.person_id.in_(person_ids), User.active)))


def recipients(session: Session, alarm: Alarm, point: HazardPoint | None) -> tuple[list[int], str]:
    """Accounts of the monitor, the leader and (for incident rules) the grid's people; and the town."""
    people = [p for p in (point.monitor_person_id, point.leader_person_id) if p] if point else []
    if point and point.grid_cell_id and alarm.action == "incident":
        people += session.scalars(
            select(GridAssignment.person_id).where(GridAssignment.grid_cell_id == point.grid_cell_id)
        ).all()
    return _users_of_people(session, people), alarm.jurisdiction_code[:9]


def town_duty(session: Session, town: str) -> list[int]:
    """Accounts of the town's duty officers on duty now (empty when the town keeps no roster or its
    people have no accounts)."""
    try:
        from yingji.duty.oncall import on_duty
    except ImportError:  # the duty domain is optional for monitoring
        return []
    out: list[int] = []
    for unit in on_duty(session, jurisdiction_code=town):
        if unit.jurisdiction_code == town:
            out += [uid for p in unit.shift.leaders + unit.officers for uid in p.user_ids]
    return out


def notify(session: Session, alarm: Alarm, sensor: Sensor, point: HazardPoint | None) -> int:
    """Inbox messages to the point's people and the town's duty officer (else the town's officials
    who may acknowledge alarms); a retry delivers nothing twice."""
    subject, body = describe(alarm, sensor, point)
    users, town = recipients(session, alarm, point)
    users += town_duty(session, town) or users_with(session, town, Perm.ALARM_ACK)
    batch = [
        Message(
            recipient_user_id=uid,
            subject=subject,
            body=body,
            link=f"/monitoring/alarms/{alarm.id}",
            category="monitoring.alarm",
            severity="urgent" if alarm.level in ("red", "orange") else "warning",
            jurisdiction_code=alarm.jurisdiction_code,
            key=f"alarm:{alarm.id}:{uid}",
        )
        for uid in dict.fromkeys(users)
    ]
    receipts = InboxChannel().send(session, batch) if batch else []
    return sum(1 for r in receipts if r.state == ReceiptState.DELIVERED)


def draft_warning(session: Session, alarm: Alarm, sensor: Sensor, point: HazardPoint | None) -> int:
    """A draft warning for the point's area (its village), issued in the county: a person publishes."""
    from yingji.warnings.compose import create_draft
    from yingji.warnings.schemas import AreaIn, WarningIn

    code = alarm.jurisdiction_code
    county = code[:6]
    area = code[:12] if len(code) >= 12 else code
    kind = catalog.hazard_kind(point.kind) if point else None
    template = (kind or {}).get("warning_template", "rainstorm" if sensor.kind == "rain_gauge" else "other")
    subject, body = describe(alarm, sensor, point)
    data = WarningIn(
        template_key=template,
        level=alarm.level,
        jurisdiction_code=county,
        event=""
        if template != "other"
        else labels.hazard_kind(point.kind, "zh_CN")
        if point
        else sensor.name,
        area=AreaIn(division_codes=[area]),
        note=f"{subject}。{body}"[:2000],
    )
    warning = create_draft(session, Principal.system(county, what="monitoring"), data)
    session.flush()
    return warning.id


def file_incident(session: Session, alarm: Alarm, sensor: Sensor, point: HazardPoint | None) -> int:
    """An incident report for the grid, through incident intake (idempotent per alarm)."""
    from yingji.incidents import intake
    from yingji.incidents.schemas import IncidentIn

    subject, body = describe(alarm, sensor, point)
    category = (catalog.hazard_kind(point.kind) or {}).get("incident_category") if point else None
    lon = point.lon if point else sensor.lon
    lat = point.lat if point else sensor.lat
    data = IncidentIn(
        category=category or ("accident.production" if sensor.kind == "gas_lel" else "natural.geological"),
        title=subject[:200],
        occurred_at=alarm.raised_at,
        lon=lon,
        lat=lat,
        located_by="map" if lon is not None else None,
        jurisdiction_code=None if lon is not None else alarm.jurisdiction_code,
        address=(point.address or point.name)[:300] if point else None,
        description=body,
        reporter_name="监测预警系统",
        source="own",
        idempotency_key=f"monitoring-alarm-{alarm.id}",
    )
    principal = Principal.system(alarm.jurisdiction_code[:6], what="monitoring")
    incident, _created = intake.create(session, principal, data)
    return incident.id


def _shared(session: Session, alarm: Alarm, column) -> int | None:
    """The draft warning another open alarm of the same village already has, or the incident of another
    open alarm of the same point (one per place and event); a new draft only for a higher level."""
    if column is Alarm.warning_id:
        area = alarm.jurisdiction_code[:12]
        where = (
            Alarm.jurisdiction_code.startswith(area) if len(area) == 12 else Alarm.jurisdiction_code == area
        )
    elif alarm.hazard_point_id is not None:
        where = Alarm.hazard_point_id == alarm.hazard_point_id
    else:
        return None
    rows = session.execute(
        select(column, Alarm.level).where(
            where,
            Alarm.id != alarm.id,
            Alarm.state.in_(OPEN_STATES),
            column.is_not(None),
        )
    ).all()
    rank = catalog.LEVEL_RANK
    for target, level in sorted(rows, key=lambda r: -rank[r[1]]):
        if column is Alarm.incident_id or rank[level] >= rank[alarm.level]:
            if column is Alarm.warning_id and not _still_draft(session, target):
                continue
            return target
    return None


def _still_draft(session: Session, warning_id: int) -> bool:
    from yingji.warnings.models import Warning

    return session.scalar(select(Warning.status).where(Warning.id == warning_id)) == "draft"


def run(session: Session, alarm_id: int) -> None:
    """Carry out an alarm's actions; a retried job repeats nothing already done."""
    alarm = session.get(Alarm, alarm_id, with_for_update={"of": Alarm})
    if alarm is None:
        return
    sensor, point = alarm.sensor, alarm.point
    delivered = notify(session, alarm, sensor, point)
    event(session, alarm, "notified", data={"delivered": delivered})
    if alarm.state not in OPEN_STATES:
        return  # cleared before anyone could act: nothing to draft or file
    try:
        with session.begin_nested():
            if alarm.action == "warning" and alarm.warning_id is None:
                shared = _shared(session, alarm, Alarm.warning_id)
                alarm.warning_id = shared or draft_warning(session, alarm, sensor, point)
                data = {"warning_id": alarm.warning_id, "shared": bool(shared)}
                event(session, alarm, "warning_drafted", data=data)
            elif alarm.action == "incident" and alarm.incident_id is None:
                shared = _shared(session, alarm, Alarm.incident_id)
                alarm.incident_id = shared or file_incident(session, alarm, sensor, point)
                event(
                    session,
                    alarm,
                    "incident_reported",
                    data={"incident_id": alarm.incident_id, "shared": bool(shared)},
                )
            session.flush()
    except YingjiError as exc:  # bad data at the point (no place …): say so on the alarm, keep the rest
        log.warning("alarm %s: %s failed: %s", alarm.id, alarm.action, exc)
        event(session, alarm, "action_failed", note=str(exc)[:500])
