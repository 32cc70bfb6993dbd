"""Incident pages, one module per meaning: ``intake`` (the desktop form, the phone page, the
follow-up report form, the duplicate hint) and ``handling`` (the list, the inbox, the incident page and
its actions)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.incidents.views import handling, intake
from yingji.web import nav

router = APIRouter(include_in_schema=False)
# Intake first, as before the split (/incidents/new before /incidents/{incident_id:int}).
router.include_router(intake.router)
router.include_router(handling.router)

nav.register(
    N_("Command"), nav.NavItem("incident-inbox", N_("Report inbox"), "/incidents/inbox", Perm.INCIDENT_MANAGE)
)
nav.register(N_("Command"), nav.NavItem("incidents", N_("Incidents"), "/incidents", Perm.ORG_READ))
nav.register(
    N_("Command"),
    nav.NavItem("incident-new", N_("Report an incident"), "/incidents/new", Perm.INCIDENT_REPORT),
)
nav.register(
    N_("Command"),
    nav.NavItem("incident-phone", N_("Quick report (phone)"), "/incidents/phone", Perm.INCIDENT_REPORT),
)
