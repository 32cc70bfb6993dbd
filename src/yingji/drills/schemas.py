"""Drills: In and Out models of the API. Sections by owner, in this order."""

from __future__ import annotations


# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------


# -- exercise mode: scripts and injects, measurements ----------------------------------------------
