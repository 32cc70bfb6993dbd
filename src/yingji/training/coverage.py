"""Person-times and coverage (RULES2 §13; seed 000 counts "1万余人次"), and what other domains read.

Person-times are the rows of the training file of held sessions; distinct people are distinct
``ref_key`` (a person trained twice counts twice in person-times, once in people). Both are counted
per level of the participant's own place (county / town / village; a village group counts as its
village) and per role, in one GROUP BY.

For readiness and assessment:

- ``share(session, codes, year)`` → ``{code: (met, obliged)}``: per given code's subtree, the
  obligations (a person per role) met in the year and all obligations (see ``obligations``).
- ``sessions_held(session, codes, year)`` → ``{code: n}``: sessions held in the year whose place lies
  in the code's subtree.

Both are one grouped query per role (or one in all) over the codes' common subtree, bucketed here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.org.codes import subtree_bounds
from yingji.training import obligations
from yingji.training.codes import SessionState
from yingji.training.models import TrainingParticipant as P
from yingji.training.models import TrainingSession

LEVEL_BY_LENGTH = {2: "province", 4: "city", 6: "county", 9: "town", 12: "village", 15: "village"}


def _span(codes: list[str]) -> tuple[str, str] | None:
    prefix = min(codes)
    for code in codes:  # the longest common prefix of the codes (character by character)
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    return subtree_bounds(prefix) if prefix else None


def _bucket(codes: list[str], rows, width: int):
    out = {code: [0] * width for code in codes}
    for home, *values in rows:
        for code in codes:
            if home.startswith(code):
                acc = out[code]
                for i, v in enumerate(values):
                    acc[i] += int(v or 0)
    return out


def share(session: Session, jurisdiction_codes: list[str], year: int) -> dict[str, tuple[int, int]]:
    """Per code: (people obliged who met their obligation in ``year``, people obliged)."""
    codes = list(dict.fromkeys(jurisdiction_codes))
    if not codes:
        return {}
    every = obligations.all_obliged(session, year, _span(codes))
    rows = session.execute(
        select(every.c.home_code, func.sum(every.c.met), func.count()).group_by(every.c.home_code)
    ).all()
    return {code: (met, total) for code, (met, total) in _bucket(codes, rows, 2).items()}


def sessions_held(session: Session, jurisdiction_codes: list[str], year: int) -> dict[str, int]:
    """Per code: training sessions held in ``year`` in the code's subtree."""
    codes = list(dict.fromkeys(jurisdiction_codes))
    if not codes:
        return {}
    where = [
        TrainingSession.state == SessionState.HELD.value,
        TrainingSession.starts_on >= date(year, 1, 1),
        TrainingSession.starts_on <= date(year, 12, 31),
    ]
    span = _span(codes)
    if span:
        where += [TrainingSession.jurisdiction_code >= span[0], TrainingSession.jurisdiction_code < span[1]]
    rows = session.execute(
        select(TrainingSession.jurisdiction_code, func.count())
        .where(*where)
        .group_by(TrainingSession.jurisdiction_code)
    ).all()
    return {code: values[0] for code, values in _bucket(codes, rows, 1).items()}


def _level():
    length = func.length(P.home_code)
    return case(
        *((length == n, level) for n, level in LEVEL_BY_LENGTH.items()),
        else_="other",
    )


def person_times(session: Session, principal: Principal, year: int, within: str | None = None) -> dict:
    """Person-times and distinct people of a year, per level and role, with the totals."""
    where = [in_scope(P.home_code, principal), P.year == year]
    if within:
        low, high = subtree_bounds(within)
        where.append(and_(P.home_code >= low, P.home_code < high))
    level = _level().label("level")
    rows = session.execute(
        select(level, P.role, func.count(), func.count(distinct(P.ref_key)))
        .where(*where)
        .group_by(level, P.role)
        .order_by(level, P.role)
    ).all()
    total, people, sessions = session.execute(
        select(func.count(), func.count(distinct(P.ref_key)), func.count(distinct(P.session_id))).where(
            *where
        )
    ).one()
    return {
        "year": year,
        "person_times": total,
        "people": people,
        "sessions": sessions,
        "rows": [{"level": lv, "role": role, "person_times": n, "people": d} for lv, role, n, d in rows],
    }
