"""Shapes of the dual-prevention API: inputs of the API and forms (validated by Pydantic), the
query parameters the lists share, and the ``Out`` models that describe each answer in
``/api/openapi.json`` (``common``: what they share; ``register``: enterprises, risk points, plans,
inspections; ``dangers``: the hidden-danger loop, meetings, clearing, settings)."""

from yingji.risk.schemas.common import *  # noqa: F403
from yingji.risk.schemas.dangers import *  # noqa: F403
from yingji.risk.schemas.register import *  # noqa: F403
