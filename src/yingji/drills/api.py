"""Drills API (/api/v1/drills…). Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["drills"])


# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------


# -- exercise mode: scripts and injects, measurements ----------------------------------------------
