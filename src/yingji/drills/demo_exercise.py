"""Demo exercise: a 双盲 flood drill of the first county, scripted and ready to start — a villager's
call about a flash flood at +0, the city's red rainstorm warning at +15, a rain gauge past its alarm
level at +30 (when the county has an active gauge). A demo controller (``county``) starts it on
/drills/exercise and watches the duty officers' reaction times; nothing leaves the platform."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.drills.codes import DrillState
from yingji.drills.exercise_codes import InjectKind, InjectState
from yingji.drills.models import Drill, DrillInject
from yingji.monitoring.models import Sensor
from yingji.org.models import Jurisdiction

TITLE = "{county}{year}年防汛双盲演练"


def _first(session, level: str, under: str):
    return session.scalar(
        select(Jurisdiction)
        .where(Jurisdiction.level == level, Jurisdiction.code.startswith(under))
        .order_by(Jurisdiction.code)
        .limit(1)
    )


def build(db: Database, data, options, progress=None) -> None:
    with db.writing(Actor.system("demo")) as session:
        county = session.get(Jurisdiction, "520602") or _first(session, "county", data.top)
        town = _first(session, "town", county.code) if county else None
        village = _first(session, "village", town.code) if town else None
        if village is None:
            return
        today = clock.to_local(clock.now()).date()
        title = TITLE.format(county=county.name, year=today.year)
        if session.scalar(
            select(Drill.id).where(Drill.title == title, Drill.jurisdiction_code == county.code)
        ):
            return
        drill = Drill(
            jurisdiction_code=county.code,
            year=today.year,
            title=title,
            form="live",
            scope="comprehensive",
            purpose="test",
            notice_time=False,
            notice_scenario=False,  # 双盲: the duty officers are told neither when nor what
            scenario=f"强降雨致{village.name}山洪暴发，群众被困，市气象台发布暴雨红色预警，雨量站超警。",
            planned_on=today + timedelta(days=7),
            place=village.name,
            state=DrillState.PREPARED,
        )
        session.add(drill)
        session.flush()
        injects = [
            DrillInject(
                kind=InjectKind.INCIDENT_REPORT,
                offset_minutes=0,
                title="第一幕：群众来电报告山洪",
                place_code=village.code,
                payload={
                    "category": "natural.flood_drought",
                    "description": "村口河水暴涨，3 名群众被困在河心洲，请求救援。",
                    "reporter_name": "村民王某",
                    "figures": {"trapped": 3},
                },
            ),
            DrillInject(
                kind=InjectKind.UPSTREAM_WARNING,
                offset_minutes=15,
                title="第二幕：市气象台发布暴雨红色预警",
                place_code=town.code,
                payload={
                    "level": "red",
                    "headline": "铜仁市气象台发布暴雨红色预警",
                    "sender_name": "铜仁市气象台",
                    "instruction": "立即转移山洪危险区群众，停止户外作业。",
                    "hours": 6,
                },
            ),
        ]
        gauge = session.scalar(
            select(Sensor)
            .where(
                Sensor.kind == "rain_gauge", Sensor.active, Sensor.jurisdiction_code.startswith(county.code)
            )
            .order_by(Sensor.id)
            .limit(1)
        )
        if gauge is not None:
            injects.append(
                DrillInject(
                    kind=InjectKind.SENSOR_READING,
                    offset_minutes=30,
                    title="第三幕：雨量站 1 小时雨量超警",
                    place_code=gauge.jurisdiction_code,
                    payload={"sensor_id": gauge.id, "value": 85.0, "level": "orange"},
                )
            )
        for seq, inject in enumerate(injects, start=1):
            inject.drill_id = drill.id
            inject.jurisdiction_code = county.code
            inject.seq = seq
            inject.state = InjectState.SCRIPTED
            session.add(inject)
    if progress:
        progress("exercise", len(injects), len(injects))
