"""What a drill made, as SQL: the one place that says how real statistics leave drills out.

Incidents, warnings and alarms carry ``drill_id``; rows that hang off an incident (reports,
deadlines, receipts, responses, tasks) are a drill's when their incident is. ``real_*`` conditions
keep only real rows; a statistic, tile or duty report adds one of them to its WHERE.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select

from yingji.incidents.models import Incident


def real_incident() -> ColumnElement:
    """Condition on ``incidents``: not made by a drill."""
    return Incident.drill_id.is_(None)


def real_by_incident(incident_id) -> ColumnElement:
    """Condition on a table with an ``incident_id`` column: its incident is not a drill's (a primary
    key look-up per row; drills are rare, so the planner answers from the index)."""
    drill = select(Incident.id).where(Incident.id == incident_id, Incident.drill_id.is_not(None))
    return ~exists(drill)


def real_warning(model) -> ColumnElement:
    """Condition on ``warnings``: not injected by a drill."""
    return model.drill_id.is_(None)


def real_alarm(model) -> ColumnElement:
    return model.drill_id.is_(None)
