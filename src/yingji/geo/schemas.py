"""Answers of the map's own endpoints (the GeoJSON layers are documented as ``application/geo+json``)."""

from __future__ import annotations

from pydantic import BaseModel


class ClustersOut(BaseModel):
    layer: str
    zoom: int
    total: int  # points of the layer in the box and in scope
    raw: bool  # true: few enough to draw; ask the layer's own endpoint
    cell: float  # grid cell side in degrees
    clusters: list[list[float]]  # [lon, lat, count, hot]


class LabelsOut(BaseModel):
    level: str
    points: list[list]  # [code, name, lon, lat]


class ExtentOut(BaseModel):
    bbox: list[float] | None
    zoom: dict[str, int]
