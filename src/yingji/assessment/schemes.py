"""Assessment schemes: a year's scheme of an assessing body made from the shipped default
(``rules/assessment_schemes.json``: scale, bands and veto rules with their sources; areas and points
as local settings), edited by its managers. Once assessments are under way (a hand score, a veto or
results exist) an edit makes a new version and the old one is superseded, with the hand scores and
vetoes carried over; results are never edited, only recomputed while open (``RESULTS_MOVES``)."""

from __future__ import annotations

import copy

from pydantic import ValidationError
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from yingji.assessment import labels, sources
from yingji.assessment.codes import RESULTS_MOVES, UNIT_LEVEL, ResultsState, SchemeState, ScoreRule
from yingji.assessment.models import AssessmentHandScore, AssessmentResult, AssessmentScheme, AssessmentVeto
from yingji.assessment.schemas import DefinitionIn, SchemeIn, SchemePatch
from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.org import codes as division_codes
from yingji.org.models import Jurisdiction
from yingji.rules import load

RULES_FILE = "assessment_schemes.json"


class SchemeExists(Conflict):
    code = "scheme_exists"
    message = "This place already has a scheme for {year}; edit it instead."


class ResultsLocked(Conflict):
    code = "results_locked"
    message = "The results are {state}: reopen them before changing scores, vetoes or the scheme."


class BadMove(Conflict):
    code = "bad_move"
    message = "The results cannot move from {from_} to {to}."


class Superseded(Conflict):
    code = "superseded"
    message = "This scheme was replaced by version {version}; work in the new version."


def default_definition() -> dict:
    data = copy.deepcopy(load(RULES_FILE))
    data.pop("version", None)
    data["rules_version"] = load(RULES_FILE)["version"]
    return data


def _bad(field: str, message: str):
    return ValidationFailed.on(field, message)


def validate(definition: dict) -> dict:
    """The definition checked as a whole; the stored form keeps the shipped notes and sources."""
    try:
        parsed = DefinitionIn.model_validate(definition)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise _bad(f"definition.{where}", N_("This value is not valid.")) from None
    keys = [i.key for a in parsed.areas for i in a.indicators]
    if len(set(keys)) != len(keys) or len({a.key for a in parsed.areas}) != len(parsed.areas):
        raise _bad("definition.areas", N_("Area and indicator keys must be unique."))
    if len({v.key for v in parsed.veto}) != len(parsed.veto):
        raise _bad("definition.veto", N_("Veto item keys must be unique."))
    for area in parsed.areas:
        for ind in area.indicators:
            if ind.rule == ScoreRule.COMPUTED:
                source = sources.SOURCES.get(ind.source or "")
                if source is None:
                    raise _bad(f"definition.{ind.key}.source", N_("Unknown source of records."))
                if any(d.on not in source.counts for d in ind.deductions) or not ind.deductions:
                    raise _bad(
                        f"definition.{ind.key}.deductions",
                        N_("A computed indicator deducts for the counts its source gives."),
                    )
                if any(d.per == "share" for d in ind.deductions) and source.base is None:
                    raise _bad(
                        f"definition.{ind.key}.deductions",
                        N_("This source has no base to take a share of."),
                    )
    total = round(sum(i.max * i.weight for a in parsed.areas for i in a.indicators), 6)
    if abs(total - parsed.scale) > 1e-6:
        raise _bad(
            "definition.areas", N_("The indicators' points times their weights must add up to the scale.")
        )
    mins = [b.min for b in parsed.bands]
    if mins != sorted(mins, reverse=True) or mins[-1] != 0 or len(set(mins)) != len(mins):
        raise _bad("definition.bands", N_("Bands go from the highest minimum down to 0."))
    out = copy.deepcopy(definition)
    clean = parsed.model_dump(mode="json")
    for key in ("scale", "floor_per_item", "bands", "veto", "areas", "veto_effect"):  # checked values
        out[key] = clean[key]
    return out


def indicators(definition: dict) -> list[tuple[dict, dict]]:
    return [(area, ind) for area in definition["areas"] for ind in area["indicators"]]


def indicator(definition: dict, key: str) -> dict | None:
    return next((ind for _a, ind in indicators(definition) if ind["key"] == key), None)


def effective_rule(ind: dict) -> str:
    """A computed indicator whose source is not on this platform is scored by hand."""
    if ind["rule"] == ScoreRule.COMPUTED and sources.available(ind.get("source")):
        return ScoreRule.COMPUTED.value
    return ScoreRule.HAND.value


def units(session: Session, scheme: AssessmentScheme) -> list[str]:
    """The assessed units: the assessor's counties (a city) or towns (a county)."""
    low, high = division_codes.subtree_bounds(scheme.jurisdiction_code)
    return list(
        session.scalars(
            select(Jurisdiction.code)
            .where(
                Jurisdiction.code >= low, Jurisdiction.code < high, Jurisdiction.level == scheme.unit_level
            )
            .order_by(Jurisdiction.code)
        )
    )


def get(session: Session, principal: Principal, scheme_id: int) -> AssessmentScheme:
    """The assessor's side sees its schemes; a unit below sees the scheme it is assessed by."""
    scheme = session.get(AssessmentScheme, scheme_id)
    if scheme is not None and principal.jurisdiction_code.startswith(scheme.jurisdiction_code):
        return scheme
    return visible(principal, scheme)


def assessor_side(principal: Principal, scheme: AssessmentScheme) -> bool:
    return principal.covers(scheme.jurisdiction_code)


def may_manage(principal: Principal, scheme: AssessmentScheme) -> bool:
    return principal.can(Perm.ASSESS_MANAGE) and principal.covers(scheme.jurisdiction_code)


def check_open(scheme: AssessmentScheme) -> None:
    """Scores, vetoes and the scheme change only in the current version with open results."""
    if scheme.state == SchemeState.SUPERSEDED:
        raise Superseded(version=scheme.version + 1)
    if scheme.results_state != ResultsState.OPEN:
        raise ResultsLocked(state=labels.label(labels.RESULTS_LABELS, scheme.results_state))


def search(session: Session, principal: Principal, year: int | None = None) -> list[AssessmentScheme]:
    above = division_codes.ancestors(principal.jurisdiction_code) if principal.jurisdiction_code else []
    q = select(AssessmentScheme).where(
        or_(
            in_scope(AssessmentScheme.jurisdiction_code, principal),
            AssessmentScheme.jurisdiction_code.in_(above),
        )
    )
    if year:
        q = q.where(AssessmentScheme.year == year)
    q = q.order_by(
        AssessmentScheme.year.desc(), AssessmentScheme.jurisdiction_code, AssessmentScheme.version.desc()
    )
    return list(session.scalars(q.limit(500)))


def create(session: Session, principal: Principal, data: SchemeIn) -> AssessmentScheme:
    writable(principal, data.jurisdiction_code, Perm.ASSESS_MANAGE)
    place = session.get(Jurisdiction, data.jurisdiction_code)
    level = UNIT_LEVEL.get(len(data.jurisdiction_code))
    if place is None or level is None:
        raise _bad(
            "jurisdiction_code", N_("A scheme belongs to a city (its counties) or a county (its towns).")
        )
    taken = session.scalar(
        select(AssessmentScheme.id).where(
            AssessmentScheme.jurisdiction_code == place.code, AssessmentScheme.year == data.year
        )
    )
    if taken:
        raise SchemeExists(year=data.year)
    unit_word = "县（区）" if level == "county" else "乡镇（街道）"
    scheme = AssessmentScheme(
        jurisdiction_code=place.code,
        year=data.year,
        version=1,
        title=data.title or f"{data.year}年度{place.name}对{unit_word}应急管理工作考核",
        unit_level=level,
        state=SchemeState.ACTIVE.value,
        results_state=ResultsState.OPEN.value,
        definition=validate(default_definition()),
        note=data.note,
    )
    session.add(scheme)
    session.flush()
    return scheme


def in_use(session: Session, scheme_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                or_(
                    exists().where(AssessmentHandScore.scheme_id == scheme_id),
                    exists().where(AssessmentVeto.scheme_id == scheme_id),
                    exists().where(AssessmentResult.scheme_id == scheme_id),
                )
            )
        )
    )


def _apply_points(definition: dict, patch: SchemePatch) -> dict:
    out = copy.deepcopy(definition)
    for change in patch.points or []:
        ind = indicator(out, change.indicator)
        if ind is None:
            raise _bad("points.indicator", N_("No such indicator in this scheme."))
        if change.max is not None:
            ind["max"] = change.max
        for on, points in (change.deductions or {}).items():
            rule = next((d for d in ind["deductions"] if d["on"] == on), None)
            if rule is None:
                raise _bad("points.deductions", N_("No such deduction in this indicator."))
            rule["points"] = points
    return out


def update(session: Session, principal: Principal, scheme_id: int, patch: SchemePatch) -> AssessmentScheme:
    """An edit of the definition (whole, or points by indicator) or of the title; a scheme under way
    becomes a new version, so what units were assessed by is never rewritten."""
    scheme = get(session, principal, scheme_id)
    writable(principal, scheme.jurisdiction_code, Perm.ASSESS_MANAGE)
    check_open(scheme)
    definition = scheme.definition
    if patch.definition is not None:
        definition = patch.definition.model_dump(mode="json")
        definition = {**scheme.definition, **definition}
    if patch.points:
        definition = _apply_points(definition, patch)
    changed = definition != scheme.definition
    if changed:
        definition = validate(definition)
    if changed and in_use(session, scheme.id):
        scheme = _new_version(session, principal, scheme, definition, patch.reason)
    elif changed:
        scheme.definition = definition
    if patch.title is not None:
        scheme.title = patch.title
    if patch.note is not None:
        scheme.note = patch.note
    session.flush()
    return scheme


def _new_version(
    session: Session, principal: Principal, old: AssessmentScheme, definition: dict, reason: str | None
) -> AssessmentScheme:
    old.state = SchemeState.SUPERSEDED.value
    session.flush()
    new = AssessmentScheme(
        jurisdiction_code=old.jurisdiction_code,
        year=old.year,
        version=old.version + 1,
        title=old.title,
        unit_level=old.unit_level,
        state=SchemeState.ACTIVE.value,
        results_state=ResultsState.OPEN.value,
        definition=definition,
        based_on_id=old.id,
        note=old.note,
    )
    session.add(new)
    session.flush()
    keys = {ind["key"] for _a, ind in indicators(definition)}
    for s in session.scalars(select(AssessmentHandScore).where(AssessmentHandScore.scheme_id == old.id)):
        ind = indicator(definition, s.indicator)
        if s.indicator in keys and ind is not None and 0 <= s.points <= ind["max"]:
            session.add(
                AssessmentHandScore(
                    scheme_id=new.id,
                    **{
                        c: getattr(s, c)
                        for c in (
                            "jurisdiction_code",
                            "indicator",
                            "points",
                            "note",
                            "evidence_sha256",
                            "evidence_type",
                            "evidence_ext",
                            "evidence_name",
                            "by_user",
                            "by_name",
                            "at",
                        )
                    },
                )
            )
    vetoes = {v["key"] for v in definition["veto"]}
    for v in session.scalars(select(AssessmentVeto).where(AssessmentVeto.scheme_id == old.id)):
        if v.item in vetoes:
            cols = (
                "jurisdiction_code",
                "item",
                "cause_kind",
                "cause_ref",
                "cause_text",
                "automatic",
                "state",
                "note",
                "evidence_type",
                "evidence_ext",
                "by_user",
                "by_name",
                "at",
                "withdrawn_reason",
                "withdrawn_by",
                "withdrawn_at",
            )
            session.add(AssessmentVeto(scheme_id=new.id, **{c: getattr(v, c) for c in cols}))
    session.flush()
    audit.record(
        session,
        "version",
        "assessment_schemes",
        new.id,
        jurisdiction_code=new.jurisdiction_code,
        before={"scheme_id": old.id, "version": old.version},
        after={"scheme_id": new.id, "version": new.version},
        note=reason,
    )
    return new


def move(session: Session, principal: Principal, scheme_id: int, to: ResultsState, note: str | None):
    """Freeze, reopen or publish the results (``RESULTS_MOVES``); freezing needs computed results."""
    scheme = get(session, principal, scheme_id)
    writable(principal, scheme.jurisdiction_code, Perm.ASSESS_MANAGE)
    if scheme.state == SchemeState.SUPERSEDED:
        raise Superseded(version=scheme.version + 1)
    here = ResultsState(scheme.results_state)
    if to not in RESULTS_MOVES[here]:
        raise BadMove(
            from_=labels.label(labels.RESULTS_LABELS, here), to=labels.label(labels.RESULTS_LABELS, to)
        )
    if to == ResultsState.FROZEN and scheme.computed_at is None:
        raise NotComputed()
    before = scheme.results_state
    scheme.results_state = to.value
    session.flush()
    audit.record(
        session,
        "move",
        "assessment_schemes",
        scheme.id,
        jurisdiction_code=scheme.jurisdiction_code,
        before={"results_state": before},
        after={"results_state": to.value, "at": clock.now().isoformat()},
        note=note,
    )
    return scheme


class NotComputed(Conflict):
    code = "not_computed"
    message = "Compute the results before freezing them."


def next_moves(principal: Principal, scheme: AssessmentScheme) -> list[str]:
    if not may_manage(principal, scheme) or scheme.state == SchemeState.SUPERSEDED:
        return []
    return [m.value for m in RESULTS_MOVES[ResultsState(scheme.results_state)]]


def out(session: Session, principal: Principal, scheme: AssessmentScheme) -> dict:
    place = session.get(Jurisdiction, scheme.jurisdiction_code)
    return {
        "id": scheme.id,
        "year": scheme.year,
        "version": scheme.version,
        "title": scheme.title,
        "jurisdiction_code": division_codes.division_code_12(scheme.jurisdiction_code),
        "jurisdiction_name": place.name if place else None,
        "unit_level": scheme.unit_level,
        "state": scheme.state,
        "results_state": scheme.results_state,
        "results_state_label": labels.label(labels.RESULTS_LABELS, scheme.results_state),
        "based_on_id": scheme.based_on_id,
        "computed_at": scheme.computed_at,
        "note": scheme.note,
        "definition": scheme.definition,
        "units": len(units(session, scheme)),
        "next_moves": next_moves(principal, scheme),
    }
