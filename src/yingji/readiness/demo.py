"""Demo data of readiness (called from ``demo.builder.DEMO_EXTRAS``, after the domains it reads): the
quarterly 应急例会 of some towns of the first demo county (every quarter so far for two of every
three towns, a gap in the rest; follow-ups, one done, one overdue), and confirmations by hand: the
founding document of the HQ (with the document as evidence) and some of the six nets for some towns,
the premises and platform of some villages. Every town and village has a scorecard whatever this
adds: the scorecards are computed from the other domains' data. Idempotent: skipped when present."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import func, select

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.core.errors import Conflict
from yingji.org.models import Jurisdiction
from yingji.readiness import confirmations, evidence, facts, meetings
from yingji.readiness.codes import FollowUpState
from yingji.readiness.models import Meeting
from yingji.readiness.schemas import ConfirmIn, FollowUpIn, MeetingIn

# A one-page PDF: the founding document's scan stands in for the real one.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
NETS = ("net_publicity", "net_inspection", "net_warning", "net_rescue", "net_supervision", "net_risk")
ATTENDEES = "\n".join(
    (
        "党委书记（政委）",
        "镇长（指挥长）",
        "分管应急副镇长",
        "应急管理办公室主任",
        "派出所所长",
        "卫生院院长",
        "各村（社区）党组织书记",
    )
)
NOTE_HQ = "镇党委、镇政府发文成立应急指挥部"
NOTE_NET = "现场检查：台账齐全，措施落实"
NOTE_PREMISES = "应急服务站设于村委会一楼，挂牌并配备值班桌椅"
NOTE_PLATFORM = "村级应急视频室接入县应急指挥平台"


def _quarter_day(year: int, q: int, today: date) -> date:
    day = date(year, 3 * (q - 1) + 1, 15)
    return min(day, today)


def _meetings(session, principal: Principal, towns: list[tuple[str, str]], today: date) -> int:
    n = 0
    owner_place = session.scalar(select(User.jurisdiction_code).where(User.username == "town"))
    current = (today.month - 1) // 3 + 1
    for i, (code, name) in enumerate(towns):
        quarters = range(1, current + 1) if i % 3 != 2 else range(1, current)  # every third town misses one
        for q in quarters:
            held = _quarter_day(today.year, q, today)
            follow = [
                FollowUpIn(
                    text="组织开展汛期地质灾害隐患点再排查",
                    owner_name="应急管理办公室主任",
                    owner_username="town" if code == owner_place else None,
                    due_on=held + timedelta(days=30),
                ),
                FollowUpIn(
                    text="补充村级应急物资储备", owner_name="分管应急副镇长", due_on=held + timedelta(days=60)
                ),
            ]
            m = meetings.create(
                session,
                principal,
                MeetingIn(
                    jurisdiction_code=code,
                    held_on=held,
                    title=f"{name}{today.year}年第{q}季度应急指挥部全体会议（应急例会）",
                    place=f"{name}政府三楼会议室",
                    chair="党委书记",
                    attendees=ATTENDEES,
                    agenda="一、通报上季度应急管理工作\n二、研判本季度安全形势\n三、部署重点工作",
                    situation="本季度降雨偏多，地质灾害和山洪风险上升；森林防火形势平稳；道路交通安全隐患集中在乡村道路。",
                    decisions="一、落实汛期24小时值班和领导带班\n二、各村完成隐患点巡查\n三、开展一次山洪转移演练",
                    followups=follow,
                    client_key=f"demo-meeting-{code}-{today.year}-{q}",
                ),
            )
            if q < current and m.followups:
                m.followups[0].state = FollowUpState.DONE
                m.followups[0].closed_at = clock.now()
                m.followups[0].closed_by = "应急管理办公室主任"
            n += 1
    return n


def _confirm(
    session, principal, known, code: str, ref: str, note: str, *, root=None, pdf: bool = False
) -> None:
    data = ConfirmIn(jurisdiction_code=code, item=ref, note=note)
    try:
        row = confirmations.confirm(session, principal, data, known=known)
    except Conflict:  # the data already meet it, or say it is not met: the demo does not override
        return
    if pdf and root is not None:
        evidence.attach(
            session,
            principal,
            code=code,
            data=_PDF,
            filename="关于成立镇应急指挥部的通知.pdf",
            root=root,
            max_bytes=5 * 1024 * 1024,
            confirmation_id=row.id,
        )


def build(db, data, options, progress) -> None:
    with db.writing(Actor.system("demo")) as session:
        if session.scalar(select(func.count()).select_from(Meeting)):
            return
        principal = replace(Principal.system(what="demo"), display_name="铜仁市应急管理局（演示）")
        today = clock.now().astimezone(clock.LOCAL_TZ).date()
        county = session.scalar(
            select(Jurisdiction.code)
            .where(Jurisdiction.level == "county", Jurisdiction.code.like(data.top + "%"))
            .order_by(Jurisdiction.code)
        )
        if county is None:
            return
        towns = session.execute(
            select(Jurisdiction.code, Jurisdiction.name)
            .where(Jurisdiction.level == "town", Jurisdiction.parent_code == county)
            .order_by(Jurisdiction.code)
        ).all()
        n = _meetings(session, principal, list(towns)[::2], today)
        root = evidence.dir_of(db.settings)
        known = facts.compute(session, county, today)
        for i, (code, _name) in enumerate(towns):
            if i % 2 == 0:
                _confirm(
                    session,
                    principal,
                    known,
                    code,
                    "town_863.hq_document",
                    "镇党委、镇政府发文成立应急指挥部",
                    root=root,
                    pdf=True,
                )
            for k, net in enumerate(NETS):
                if (i + k) % 3 != 2:
                    _confirm(
                        session, principal, known, code, f"town_863.{net}", "现场检查：台账齐全，措施落实"
                    )
        villages = session.scalars(
            select(Jurisdiction.code)
            .where(Jurisdiction.level == "village", Jurisdiction.code.like(county + "%"))
            .order_by(Jurisdiction.code)
        ).all()
        for i, code in enumerate(villages):
            if i % 3 != 1:
                _confirm(
                    session,
                    principal,
                    known,
                    code,
                    "village_5you.premises",
                    "应急服务站设于村委会一楼，挂牌并配备值班桌椅",
                )
            if i % 4 == 0:
                _confirm(
                    session,
                    principal,
                    known,
                    code,
                    "village_5you.platform",
                    "村级应急视频室接入县应急指挥平台",
                )
    if progress:
        progress("readiness", n, n)
