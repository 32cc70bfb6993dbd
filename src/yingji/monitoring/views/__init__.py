"""Monitoring pages, one module per meaning: the alarm board and alarms, hazard points with live
readings (ECharts), the sensor registry and rejected readings, alarm rules, and the phone pages for
patrols. One router for ``app.py`` (``monitoring.views``); the nav section is here."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.monitoring.views import alarms, patrol, points, rules, sensors
from yingji.web import nav
from yingji.web.nav import NavItem

router = APIRouter(include_in_schema=False)
SECTION = N_("Monitoring")

nav.register(SECTION, NavItem("mon-alarms", N_("Alarm board"), "/monitoring/alarms"))
nav.register(SECTION, NavItem("mon-points", N_("Hazard points"), "/monitoring/points"))
nav.register(SECTION, NavItem("mon-patrol", N_("My patrols"), "/monitoring/patrol", Perm.PATROL_LOG))
nav.register(SECTION, NavItem("mon-sensors", N_("Sensors"), "/monitoring/sensors"))
nav.register(SECTION, NavItem("mon-rules", N_("Alarm rules"), "/monitoring/rules", Perm.MONITORING_MANAGE))

for _module in (alarms, points, sensors, rules, patrol):
    router.include_router(_module.router)
