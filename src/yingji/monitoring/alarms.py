"""Alarms: raised and cleared by the ingest (from the rule decisions), acknowledged and cleared by
people, listed for the board and the history. Raising an alarm queues its actions (notify, draft
warning, incident report) as a job in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Text, any_, bindparam, case, cast, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound
from yingji.core.pagination import Page, paginate
from yingji.events import publish
from yingji.jobs import queue
from yingji.monitoring.evaluate import Decisions, RuleBook
from yingji.monitoring.models import OPEN_STATES, Alarm, AlarmEvent, AlarmState
from yingji.monitoring.store import SensorRow, dt_of
from yingji.monitoring.store_pg import array_of

LEVEL_ORDER = case(
    {"red": 4, "orange": 3, "yellow": 2, "blue": 1},
    value=Alarm.level,
    else_=0,
)


@dataclass
class Applied:
    raised: list[int]
    cleared: list[int]


def open_for(session: Session, sensor_ids: list[int]) -> dict[tuple[int, str], tuple[int, float]]:
    """Open alarms of these sensors: (sensor id, rule key) → (alarm id, peak)."""
    if not sensor_ids:
        return {}
    if session.get_bind().dialect.name == "postgresql":  # one array literal, not thousands of parameters
        ids = bindparam("ids", array_of(sensor_ids), type_=Text)
        among = Alarm.sensor_id == any_(cast(ids, ARRAY(BigInteger)))
    else:
        among = Alarm.sensor_id.in_(sensor_ids)
    rows = session.execute(
        select(Alarm.sensor_id, Alarm.rule_key, Alarm.id, Alarm.peak_value).where(
            Alarm.state.in_(OPEN_STATES), among
        )
    ).all()
    return {(s, k): (i, p) for s, k, i, p in rows}


def event(
    session: Session, alarm: Alarm, kind: str, *, user_id=None, value=None, note=None, data=None
) -> None:
    """Append a history event to an alarm."""
    session.add(
        AlarmEvent(
            alarm_id=alarm.id,
            jurisdiction_code=alarm.jurisdiction_code,
            at=clock.now(),
            kind=kind,
            user_id=user_id,
            value=value,
            note=note,
            data=data,
        )
    )
    publish(
        session,
        "alarm.new" if kind == "raised" else "alarm.changed",
        alarm.jurisdiction_code,
        _pushed(alarm, kind),
    )


def _pushed(alarm: Alarm, kind: str) -> dict:
    return {
        "alarm_id": alarm.id,
        "change": kind,
        "state": alarm.state,
        "level": alarm.level,
        "metric": alarm.metric,
    }


def apply(
    session: Session, book: RuleBook, decisions: Decisions, sensors: list[SensorRow], source: str
) -> Applied:
    """Write what the rules decided: new alarms (and their actions job), clears, new peaks."""
    now = clock.now()
    raised, cleared = [], []
    for k in range(decisions.raise_sensor.size):
        sensor = sensors[int(decisions.raise_sensor[k])]
        rule = book.rules[int(decisions.raise_rule[k])]
        value = float(decisions.raise_value[k])
        current = float(decisions.raise_current[k])
        alarm = Alarm(
            rule_key=rule.key,
            rule_id=rule.rule_id,
            sensor_id=sensor.id,
            hazard_point_id=sensor.hazard_point_id,
            jurisdiction_code=sensor.jurisdiction_code,
            metric=rule.metric,
            direction=rule.direction,
            level=rule.level,
            action=rule.action,
            raise_at=rule.raise_at,
            clear_at=rule.clear_at,
            state=AlarmState.OPEN,
            raised_at=dt_of(int(decisions.raise_at[k])),
            created_at=now,
            value=value,
            peak_value=value,
            last_value=current,
        )
        session.add(alarm)
        session.flush()
        event(session, alarm, "raised", value=value, data={"source": source, "rule": rule.key})
        if bool(decisions.raise_clears[k]):
            alarm.state, alarm.cleared_at = AlarmState.CLEARED, now
            event(
                session, alarm, "cleared", value=current, note="back below the clear level in the same batch"
            )
            cleared.append(alarm.id)
        queue.enqueue(
            session, "monitoring.alarm", {"alarm_id": alarm.id}, dedupe_key=f"monitoring.alarm:{alarm.id}"
        )
        raised.append(alarm.id)
    for alarm_id, value in zip(decisions.clear_alarm.tolist(), decisions.clear_value.tolist(), strict=True):
        if clear_auto(session, alarm_id, value):
            cleared.append(alarm_id)
    if decisions.update_alarm.size:  # peaks and latest values are telemetry: a bulk update, not audited
        rows = [
            {"aid": int(a), "peak": float(p), "last": float(v)}
            for a, p, v in zip(
                decisions.update_alarm, decisions.update_peak, decisions.update_last, strict=True
            )
        ]
        stmt = (
            update(Alarm)
            .where(Alarm.id == bindparam("aid"))
            .values(peak_value=bindparam("peak"), last_value=bindparam("last"))
        )
        session.connection().execute(stmt.execution_options(synchronize_session=False), rows)
    return Applied(raised, cleared)


def clear_auto(session: Session, alarm_id: int, value: float) -> bool:
    """The readings went back below the clear level: close the alarm (if still open)."""
    alarm = session.get(Alarm, alarm_id, with_for_update={"of": Alarm})
    if alarm is None or alarm.state not in OPEN_STATES:
        return False
    alarm.state, alarm.cleared_at, alarm.last_value = AlarmState.CLEARED, clock.now(), value
    event(session, alarm, "cleared", value=value, note="back below the clear level")
    return True


# -- people ------------------------------------------------------------------------------------------
def get(session: Session, principal: Principal, alarm_id: int) -> Alarm:
    """One alarm in scope (404 outside)."""
    return visible(principal, session.get(Alarm, alarm_id))


def _for_write(session: Session, principal: Principal, alarm_id: int) -> Alarm:
    alarm = session.get(Alarm, alarm_id, with_for_update={"of": Alarm})
    if alarm is None:
        raise NotFound()
    visible(principal, alarm)
    writable(principal, alarm.jurisdiction_code, Perm.ALARM_ACK)
    return alarm


def acknowledge(session: Session, principal: Principal, alarm_id: int, note: str = "") -> Alarm:
    """Someone has seen the alarm and takes care of it (a second acknowledgement changes nothing)."""
    alarm = _for_write(session, principal, alarm_id)
    if alarm.state == AlarmState.CLEARED:
        raise Conflict("This alarm is already cleared.")
    if alarm.state == AlarmState.ACKNOWLEDGED:
        return alarm
    alarm.state, alarm.acknowledged_at, alarm.acknowledged_by_user_id = (
        AlarmState.ACKNOWLEDGED,
        clock.now(),
        principal.user_id,
    )
    event(session, alarm, "acknowledged", user_id=principal.user_id, note=note or None)
    session.flush()
    return alarm


def clear_by_hand(session: Session, principal: Principal, alarm_id: int, note: str = "") -> Alarm:
    """Close an alarm by hand (the danger is over, or a sensor fault), with the reason."""
    alarm = _for_write(session, principal, alarm_id)
    if alarm.state == AlarmState.CLEARED:
        return alarm
    alarm.state, alarm.cleared_at, alarm.cleared_by_user_id = (
        AlarmState.CLEARED,
        clock.now(),
        principal.user_id,
    )
    alarm.note = note or alarm.note
    event(session, alarm, "cleared", user_id=principal.user_id, note=note or "cleared by hand")
    session.flush()
    return alarm


def search(
    session: Session,
    principal: Principal,
    *,
    state: str | None = "open",  # AlarmState.OPEN stands for both open states here
    level: str | None = None,
    point_id: int | None = None,
    sensor_id: int | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Alarm]:
    """Alarms in scope: open ones (open or acknowledged) by severity, or the history newest first."""
    stmt = select(Alarm).where(in_scope(Alarm.jurisdiction_code, principal))
    if state == AlarmState.OPEN:
        stmt = stmt.where(Alarm.state.in_(OPEN_STATES)).order_by(LEVEL_ORDER.desc(), Alarm.raised_at.desc())
    else:
        if state:
            stmt = stmt.where(Alarm.state == state)
        stmt = stmt.order_by(Alarm.raised_at.desc(), Alarm.id.desc())
    if level:
        stmt = stmt.where(Alarm.level == level)
    if point_id is not None:
        stmt = stmt.where(Alarm.hazard_point_id == point_id)
    if sensor_id is not None:
        stmt = stmt.where(Alarm.sensor_id == sensor_id)
    return paginate(session, stmt, page, size)


def board_counts(session: Session, principal: Principal, *, real_only: bool = False) -> dict[str, int]:
    """Open alarms per level in scope (``real_only``: a statistic, drills' alarms left out)."""
    stmt = select(Alarm.level, func.count()).where(
        in_scope(Alarm.jurisdiction_code, principal), Alarm.state.in_(OPEN_STATES)
    )
    if real_only:
        stmt = stmt.where(Alarm.drill_id.is_(None))
    rows = session.execute(stmt.group_by(Alarm.level)).all()
    return {level: n for level, n in rows}


def by_town(session: Session, principal: Principal) -> list[tuple[str, str, int, int]]:
    """Open alarms per town in scope: (town code, name, count, highest level rank)."""
    from yingji.org.models import Jurisdiction

    town = func.substr(Alarm.jurisdiction_code, 1, 9)
    rows = session.execute(
        select(town, func.count(), func.max(LEVEL_ORDER))
        .where(in_scope(Alarm.jurisdiction_code, principal), Alarm.state.in_(OPEN_STATES))
        .group_by(town)
    ).all()
    wanted = [r[0] for r in rows]
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted))
        ).all()
    )
    out = [(code, names.get(code, code), n, rank) for code, n, rank in rows]
    return sorted(out, key=lambda r: (-r[3], -r[2], r[0]))


def events_of(session: Session, alarm: Alarm) -> list[AlarmEvent]:
    """The history of an alarm, oldest first."""
    return list(
        session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id).order_by(AlarmEvent.id))
    )
