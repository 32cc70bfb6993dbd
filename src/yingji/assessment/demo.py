"""Demo data of assessment (``demo.builder.DEMO_EXTRAS``, last of issue 14's: it reads the other
domains' records): the current year's scheme of the demo city for its counties and of one county for
its towns, the publicity indicator (and any whose source is not installed) scored by hand, one veto
recorded with its cause — a demo incident of grade 较大 or higher when there is one, else a document —
and the results computed. Written through the services, so checks and audit are the real ones."""

from __future__ import annotations

from sqlalchemy import select

from yingji.assessment import evidence, results, schemes, scoring, vetoes
from yingji.assessment.codes import CauseKind, ScoreRule
from yingji.assessment.models import AssessmentScheme
from yingji.assessment.schemas import HandScoreIn, SchemeIn, VetoIn
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.incidents.models import Incident

# A one-page PDF standing for the 通报 that records a veto's cause when the demo has no incident.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
NOTES = ("宣传“五进”活动记录齐全", "防灾减灾日活动已开展", "安全生产月活动材料完整", "宣传活动台账部分缺失")


def build(db, data, options, progress) -> None:
    year = clock.to_local(clock.now()).year
    with db.writing(Actor.system("demo")) as session:
        county = session.scalar(select(User.jurisdiction_code).where(User.username == "county"))
        if not county or len(county) != 6:
            return
        city = county[:4]
        made = 0
        for code in (city, county):
            if session.scalar(select(AssessmentScheme.id).where(AssessmentScheme.jurisdiction_code == code)):
                continue
            principal = Principal.system(code, "demo")
            scheme = schemes.create(session, principal, SchemeIn(year=year, jurisdiction_code=code))
            units = schemes.units(session, scheme)
            _hand(session, principal, scheme, units)
            if code == city and units:
                _veto(session, principal, scheme, units, db.settings)
            results.build(session, scheme)
            made += 1
    if progress:
        progress("assessment", made, made)


def _hand(session, principal, scheme, units) -> None:
    for i, unit in enumerate(units):
        for _area, ind in schemes.indicators(scheme.definition):
            if schemes.effective_rule(ind) != ScoreRule.HAND:
                continue
            points = round(ind["max"] * (0.95 - 0.1 * (i % 4)), 1)
            note = NOTES[i % len(NOTES)] if ind["key"] == "publicity" else "按报送材料评分"
            scoring.give(
                session,
                principal,
                scheme.id,
                HandScoreIn(jurisdiction_code=unit, indicator=ind["key"], points=points, note=note),
            )


def _year_start(year: int):
    from yingji.assessment.sources import window

    return window(year).start_utc


def _veto(session, principal, scheme, units, settings) -> None:
    """One veto with its cause: the gravest demo incident of grade III or higher in a county, else a
    document (a 通报) on the last county."""
    incident = session.scalar(
        select(Incident)
        .where(
            Incident.grade.in_(("I", "II", "III")),
            Incident.jurisdiction_code.startswith(scheme.jurisdiction_code),
        )
        .where(Incident.drill_id.is_(None), Incident.merged_into_id.is_(None))
        # the scheme's year first, then the gravest
        .order_by(Incident.occurred_at < _year_start(scheme.year), Incident.grade, Incident.id)
        .limit(1)
    )
    if incident is not None and incident.jurisdiction_code[:6] in units:
        data = VetoIn(
            jurisdiction_code=incident.jurisdiction_code[:6],
            item="report_failure",
            cause_kind=CauseKind.INCIDENT,
            cause_ref=str(incident.id),
            note="演示：该事件信息报告和处置出现重大失误",
        )
        vetoes.record(session, principal, scheme.id, data)
        return
    data = VetoIn(
        jurisdiction_code=units[-1],
        item="report_failure",
        cause_kind=CauseKind.DOCUMENT,
        note="演示：市应急委关于信息报告重大失误的通报",
    )
    vetoes.record(
        session,
        principal,
        scheme.id,
        data,
        file=(_PDF, "通报.pdf"),
        root=evidence.dir_of(settings),
        max_bytes=evidence.max_bytes_of(settings),
    )
