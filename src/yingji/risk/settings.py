"""Local settings of dual prevention: the LEC mapping (A/B), the LS banding, the reminder lead time
and the enforcement classification. A place inherits each empty field from its nearest ancestor,
then from the national defaults of the rule tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core.errors import Conflict, ValidationFailed
from yingji.org import places
from yingji.org.codes import ancestors
from yingji.risk import races, rules, tables
from yingji.risk.models import RiskSetting

FIELDS = ("lec_mapping", "ls_banding", "remind_days", "enforcement")


@dataclass
class Effective:
    lec_mapping: str
    ls_banding: str
    remind_days: int
    enforcement: dict
    # field → the jurisdiction whose row set it ("" = the national default)
    set_by: dict[str, str] = field(default_factory=dict)


def defaults() -> Effective:
    """The national defaults of the rule tables."""
    return Effective(
        lec_mapping=tables.lec()["default_mapping"],
        ls_banding=tables.ls()["default_banding"],
        remind_days=int(tables.dangers_table()["escalation"]["remind_days_before"]),
        enforcement=tables.enforcement_defaults(),
        set_by={k: "" for k in FIELDS},
    )


def effective(session: Session, code: str) -> Effective:
    """The settings in force at ``code`` (its own row, else the nearest ancestor's, else national)."""
    chain = [*ancestors(code), code]
    rows = {
        r.jurisdiction_code: r
        for r in session.scalars(select(RiskSetting).where(RiskSetting.jurisdiction_code.in_(chain)))
    }
    result = defaults()
    for place in chain:  # farthest first: the nearest row wins
        row = rows.get(place)
        if row is None:
            continue
        for name in FIELDS:
            value = getattr(row, name)
            if value is not None:
                setattr(result, name, value)
                result.set_by[name] = place
    return result


def own(session: Session, principal: Principal, code: str) -> RiskSetting | None:
    """The place's own settings row (None when it inherits everything)."""
    places.get(session, principal, code)
    return session.get(RiskSetting, code)


def put(session: Session, principal: Principal, code: str, values: dict) -> RiskSetting:
    """Set (or clear, with None) the local settings of ``code``; needs ``rules.manage`` there."""
    place = places.get(session, principal, code)
    writable(principal, place.code, Perm.RULES_MANAGE)
    problems = []
    if values.get("lec_mapping") not in (None, *tables.lec()["mappings"]):
        problems.append({"field": "lec_mapping", "message": "Unknown LEC mapping."})
    if values.get("ls_banding") not in (None, *tables.ls()["bandings"]):
        problems.append({"field": "ls_banding", "message": "Unknown LS banding."})
    days = values.get("remind_days")
    if days is not None and (not isinstance(days, int) or not 0 <= days <= 60):
        problems.append({"field": "remind_days", "message": "Give a number of days from 0 to 60."})
    if values.get("enforcement") is not None:
        problems += rules.check_classification(values["enforcement"])
    if problems:
        raise ValidationFailed(details=problems)
    row = session.get(RiskSetting, place.code, with_for_update=True)
    if row is None:

        def taken() -> RiskSetting:
            raise Conflict("This was changed at the same time by someone else. Please try again.")

        row = races.insert_once(session, RiskSetting(jurisdiction_code=place.code), taken)
    for name in (*FIELDS, "source"):
        if name in values:
            setattr(row, name, values[name])
    session.flush()
    return row
