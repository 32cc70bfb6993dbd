"""Tables of the geo domain: the loaded road network that ``travel.py`` routes over.

The table kept its name (``road_networks``) when the model moved here from ``forces``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Base, IdMixin


class RoadNetwork(IdMixin, Base):
    """A loaded road network (GeoJSON lines → nodes and timed edges, compressed). The newest one is used."""

    __tablename__ = "road_networks"

    name: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    loaded_by: Mapped[str | None] = mapped_column(String(100))
    node_count: Mapped[int] = mapped_column(Integer)
    edge_count: Mapped[int] = mapped_column(Integer)
    graph: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
