"""Code tables of assessment (RULES2 §12.1), each transition table beside its enum."""

from __future__ import annotations

from enum import StrEnum


class SchemeState(StrEnum):
    ACTIVE = "active"  # the year's scheme in force
    SUPERSEDED = "superseded"  # replaced by a new version (edited while assessments were under way)


class ResultsState(StrEnum):
    """The state of a scheme's results: computed and recomputed while open, frozen for checking
    (nothing may change them), published (final; units see their own)."""

    OPEN = "open"
    FROZEN = "frozen"
    PUBLISHED = "published"


RESULTS_MOVES: dict[ResultsState, frozenset[ResultsState]] = {
    ResultsState.OPEN: frozenset({ResultsState.FROZEN}),
    # Reopened to correct a score before publication; once published, results stay.
    ResultsState.FROZEN: frozenset({ResultsState.OPEN, ResultsState.PUBLISHED}),
    ResultsState.PUBLISHED: frozenset(),
}


class ScoreRule(StrEnum):
    COMPUTED = "computed"  # from a named platform source, deductions per occurrence
    HAND = "hand"  # by hand, with a note and evidence


class VetoState(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # only with a reason, audited


VETO_MOVES: dict[VetoState, frozenset[VetoState]] = {
    VetoState.ACTIVE: frozenset({VetoState.WITHDRAWN}),
    VetoState.WITHDRAWN: frozenset(),
}


class CauseKind(StrEnum):
    """What a veto rests on: an incident record, a tip-off, or a document (uploaded evidence)."""

    INCIDENT = "incident"
    TIPOFF = "tipoff"
    DOCUMENT = "document"


# Unit level assessed by a scheme of an assessing body at each code length: the city assesses its
# counties, a county its towns.
UNIT_LEVEL = {4: "county", 6: "town"}
GRADES_DOWN = ("I", "II", "III", "IV")  # 特别重大 … 一般: a grade "at or above" II is I or II
