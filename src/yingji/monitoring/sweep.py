"""The wall-clock side of the rain windows: when rain stops (or a gauge falls silent) no reading comes to
clear an accumulated-rain alarm, so a periodic sweep slides the windows of sensors with open sum alarms
up to now and clears those that have fallen below their clear level."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.monitoring import alarms, store, windows
from yingji.monitoring.models import OPEN_STATES, Alarm

SUM_METRICS = ("sum_1h", "sum_3h", "sum_24h")


def sweep(session: Session) -> dict[str, int]:
    """Clear accumulated-rain alarms whose window, slid to now, is below the clear level."""
    rows = session.execute(
        select(Alarm.id, Alarm.sensor_id, Alarm.metric, Alarm.direction, Alarm.clear_at).where(
            Alarm.state.in_(OPEN_STATES), Alarm.metric.in_(SUM_METRICS)
        )
    ).all()
    if not rows:
        return {"checked": 0, "cleared": 0}
    states = store.load_states(session, sorted({r.sensor_id for r in rows}))
    now_us = store.us_of(clock.now())
    current = {sid: windows.current_sums(state, now_us) for sid, state in states.items()}
    cleared = 0
    for r in rows:
        value = current.get(r.sensor_id, {}).get(r.metric)
        if value is None:
            continue
        back = value < r.clear_at if r.direction == "above" else value > r.clear_at
        if back and alarms.clear_auto(session, r.id, value):
            cleared += 1
    for state in states.values():
        state.added = 0
    store.save_states(session, states)
    return {"checked": len(rows), "cleared": cleared}
