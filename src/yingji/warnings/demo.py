"""Demo warnings for Tongren, made through the warning services themselves (compose → approve →
publish, update, lift): a red 地质灾害气象风险 warning over part of a county, a rainstorm warning
raised from yellow to orange, a lifted forest-fire warning, a lifted gale warning and a red
flash-flood draft awaiting approval. Counties limited by ``options.counties``."""

from __future__ import annotations

from datetime import timedelta

from shapely import from_geojson
from shapely.ops import polylabel
from sqlalchemy import select

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Database
from yingji.org.models import Jurisdiction
from yingji.warnings import compose, lifecycle
from yingji.warnings.models import Warning
from yingji.warnings.schemas import AreaIn, WarningIn


def _counties(db: Database, options) -> list[Jurisdiction]:
    wanted = set(options.counties or [])
    with db.reading() as session:
        rows = session.scalars(
            select(Jurisdiction).where(Jurisdiction.level == "county", Jurisdiction.code.startswith("5206"))
        ).all()
    rows = [r for r in rows if not wanted or r.code in wanted]
    return sorted(rows, key=lambda r: r.code)


def _towns(db: Database, county: str, n: int) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(Jurisdiction.code)
                .where(Jurisdiction.level == "town", Jurisdiction.parent_code == county)
                .order_by(Jurisdiction.code)
                .limit(n)
            )
        )


def _inner_point(db: Database, county: Jurisdiction) -> tuple[float, float]:
    """A point well inside the county (pole of inaccessibility), so a small circle stays inside."""
    with db.reading() as session:
        text = session.scalar(select(Jurisdiction.geometry).where(Jurisdiction.code == county.code))
    if not text:
        return county.lat or 27.6, county.lon or 109.1
    shape = from_geojson(text).buffer(0)
    if shape.geom_type == "MultiPolygon":
        shape = max(shape.geoms, key=lambda g: g.area)
    point = polylabel(shape, tolerance=0.001)
    return point.y, point.x


def _draft(
    session, principal: Principal, county: Jurisdiction, key: str, level: str, area: AreaIn, **extra
) -> Warning:
    now = clock.now().replace(second=0, microsecond=0)
    sender = extra.pop("sender_name", f"{county.name}应急管理局")
    data = WarningIn(
        template_key=key,
        level=level,
        jurisdiction_code=county.code,
        sender_name=sender,
        effective=now,
        onset=now + timedelta(hours=1),
        expires=now + timedelta(hours=extra.pop("hours", 24)),
        area=area,
        **extra,
    )
    return compose.create_draft(session, principal, data)


def _publish(session, principal: Principal, warning: Warning) -> Warning:
    if warning.level in ("red", "orange"):
        lifecycle.submit(session, principal, warning.id)
        lifecycle.approve(session, principal, warning.id, "演示：同意发布")
    return lifecycle.publish(session, principal, warning.id)


def build(db: Database, data, options, progress) -> None:
    """Write the demo warnings (skipped when warnings already exist)."""
    with db.reading() as session:
        if session.scalar(select(Warning.id).limit(1)) is not None:
            return
    counties = _counties(db, options)
    if not counties:
        return
    first, second = counties[0], counties[1 % len(counties)]
    principal = Principal.system(what="demo")
    with db.writing(principal.as_actor()) as session:
        towns = _towns(db, first.code, 3)
        geo = _draft(
            session,
            principal,
            first,
            "geohazard_weather_risk",
            "red",
            AreaIn(division_codes=towns),
            sender_name=f"{first.name}自然资源局、{first.name}气象局",
        )
        _publish(session, principal, geo)

        lat, lon = _inner_point(db, second)
        rain = _draft(
            session,
            principal,
            second,
            "rainstorm",
            "yellow",
            AreaIn(circles=[[lat, lon, 3000.0]]),
            sender_name=f"{second.name}气象局",
        )
        _publish(session, principal, rain)
        raised = lifecycle.start_update(session, principal, rain.id)
        form = compose.form_of(raised)
        form.update(level="orange", description="", instruction="")
        raised = compose.edit_draft(session, principal, raised.id, WarningIn(**form))
        _publish(session, principal, raised)

        fire = _draft(
            session, principal, first, "forest_fire", "yellow", AreaIn(division_codes=towns[:1]), hours=72
        )
        _publish(session, principal, fire)
        lifecycle.lift(session, principal, fire.id, "近期有效降雨，森林火险等级降低，解除预警。")

        gale = _draft(session, principal, second, "gale", "blue", AreaIn(circles=[[lat, lon, 2000.0]]))
        _publish(session, principal, gale)
        lifecycle.lift(session, principal, gale.id, "大风已减弱，解除预警。")

        flood = _draft(
            session, principal, first, "flash_flood", "red", AreaIn(division_codes=towns[-1:]), hours=12
        )
        lifecycle.submit(session, principal, flood.id)
    progress("warnings", 5, 5)
