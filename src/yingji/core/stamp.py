"""``Stamp``: an instant in an ``Out`` model, written as ``datetime.isoformat()`` ("+00:00", not
pydantic's "Z"), so typing a route keeps the JSON its clients had (issue 16)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

Stamp = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json")]
