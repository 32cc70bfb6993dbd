"""Grading an incident and listing its reporting obligations, through the rules engine.

This module only chooses the rule table and maps the incident's figures onto the measures the rules
know; every threshold, label and deadline comes from ``yingji.rules.grading`` over the effective
tables of the incident's place (national tables plus local overrides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents.deadlines import zh
from yingji.incidents.models import Incident
from yingji.rules import grading
from yingji.rules.overrides import tables_for
from yingji.rules.tables import MEASURES as RULE_MEASURES

GRADE_RANK = {None: 0, "IV": 1, "III": 2, "II": 3, "I": 4}


@dataclass
class Assessment:
    kind: str | None
    grade: str | None
    label: str | None
    basis: list[str]
    specs: list[grading.DeadlineSpec] = field(default_factory=list)


def rose(old: str | None, new: str | None) -> bool:
    """Is ``new`` a higher grade than ``old``?"""
    return GRADE_RANK[new] > GRADE_RANK[old]


def grading_kind(category: str, figures: dict[str, int]) -> str | None:
    """The grading table of a category (code table data). A geological event with no damage yet
    but people or property under threat is graded as a threat (险情) rather than a disaster (灾情)."""
    row = grading.subcategory(category)
    kind = row["grading"] if row else None
    if kind == "geological_damage":
        damage = figures["deaths"] + figures["missing"] + figures["direct_loss_cny"]
        threat = figures["threatened_people"] + figures["potential_loss_cny"]
        if damage == 0 and threat > 0:
            return "geological_threat"
    return kind


def measures_of(figures: dict[str, int]) -> dict[str, int]:
    """The incident's figures as rule measures. 紧急转移安置或需紧急生活救助 counts people relocated or
    needing urgent aid: the larger of the two figures (they overlap; never their sum)."""
    measures = {m: figures[m] for m in RULE_MEASURES if m in figures}
    measures["needing_aid"] = max(figures["needing_aid"], figures["relocated"])
    return measures


def assess(session: Session, incident: Incident, received_at: datetime) -> Assessment:
    """Grade the incident's current figures and list the obligations they bring, with clocks
    starting at ``received_at`` (the report that is being applied)."""
    figures = incident.figures()
    kind = grading_kind(incident.category, figures)
    if kind is None:
        return Assessment(None, None, None, [zh(N_("No national grading table covers this category yet."))])
    tables = tables_for(session, incident.jurisdiction_code)
    measures = measures_of(figures)
    result = grading.grade(kind, measures, tables=tables)
    try:
        specs = grading.reporting_deadlines(
            kind, result.grade, received_at, incident.jurisdiction_code, tables=tables, measures=measures
        )
    except ValidationFailed:  # a kind whose obligations need a grade, and none was reached
        specs = []
    return Assessment(kind, result.grade, result.label, list(result.basis), specs)
