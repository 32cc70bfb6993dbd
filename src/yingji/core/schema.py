"""Imports every domain's models so that ``metadata`` holds the whole schema (Alembic, tests)."""

import importlib

from yingji import domains
from yingji.core.models import Base

MODEL_MODULES = domains.modules("models")
for _name in MODEL_MODULES:
    importlib.import_module(_name)

metadata = Base.metadata
