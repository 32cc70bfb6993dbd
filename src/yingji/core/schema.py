"""Imports every domain's models so that ``metadata`` holds the whole schema (Alembic, tests)."""

from yingji.auth import models as _auth  # noqa: F401
from yingji.core.models import Base
from yingji.jobs import models as _jobs  # noqa: F401
from yingji.org import models as _org  # noqa: F401

metadata = Base.metadata
