"""Drills pages. Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------


# -- exercise mode: scripts and injects, measurements ----------------------------------------------
