"""Response pages, one module per meaning: ``panel`` (an incident's response panel, its form posts,
situation report downloads), ``tasks`` (my tasks, a task, overdue tasks), ``stats`` (incident
statistics)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.response.views import panel, stats, tasks
from yingji.web import nav

nav.register(N_("Response"), nav.NavItem("my-tasks", N_("My tasks"), "/tasks", Perm.TASK_HANDLE))
nav.register(
    N_("Response"), nav.NavItem("overdue-tasks", N_("Overdue tasks"), "/response/overdue", Perm.ORG_READ)
)
nav.register(N_("Statistics"), nav.NavItem("incident-stats", N_("Incident statistics"), "/stats/incidents"))

router = APIRouter(include_in_schema=False)
for _part in (panel, tasks, stats):
    router.include_router(_part.router)
