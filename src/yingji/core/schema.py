"""Imports every domain's models so that ``metadata`` holds the whole schema (Alembic, tests)."""

import importlib

from yingji.core.models import Base

MODEL_MODULES = [
    "yingji.org.models",
    "yingji.auth.models",
    "yingji.jobs.models",
    "yingji.rules.models",
    "yingji.duty.models",
    "yingji.incidents.models",
    "yingji.notify.models",
    "yingji.response.models",
    "yingji.forces.models",
    "yingji.supplies.models",
    "yingji.warnings.models",
    "yingji.residents.models",
    "yingji.delivery.models",
    "yingji.monitoring.models",
    "yingji.risk.models",
    "yingji.risk.tipoffs.models",
    "yingji.files.models",
    "yingji.video.models",
    "yingji.events.models",
    "yingji.plans.models",
    "yingji.drills.models",
    "yingji.experts.models",
    "yingji.shelters.models",
    "yingji.evacuation.models",
    "yingji.damage.models",
    "yingji.aid.models",
    "yingji.governance.models",
    "yingji.readiness.models",
    "yingji.training.models",
    "yingji.seismic.models",
    "yingji.handbook.models",  # issue 14
    "yingji.assessment.models",
    "yingji.field.models",  # issue 15
    "yingji.ownership.models",
]
for _name in MODEL_MODULES:
    importlib.import_module(_name)

metadata = Base.metadata
