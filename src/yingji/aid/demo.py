"""Demo data of aid (called from ``demo.builder.DEMO_EXTRAS``, after supplies and damage): a
winter–spring programme of one county at the distribution step, with a few dozen households from the
resident registry and goods handed out from one of the county's stores through the stock ledger; a
few rebuilding cases at different steps (from the damage demo's damaged houses when it made any).
Written through the services (small), so the stock ledger, steps and audit are the real ones."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from yingji.aid import distribution, programmes, rebuild, recipients
from yingji.aid.codes import ProgrammeKind, ProgrammeState, RebuildState
from yingji.aid.models import AidNotice, AidProgramme, AidRecipient
from yingji.aid.schemas import CaseIn, DistributionIn, PaymentIn, ProgrammeIn, ProgressIn, RecipientIn, StepIn
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.residents.models import Resident
from yingji.supplies.models import Balance, Item, Warehouse

HOUSEHOLDS_PER_VILLAGE = 12
VILLAGES = 3
NEEDS = (
    ("food", "clothing", "heating"),
    ("food", "heating"),
    ("clothing",),
    ("housing", "heating"),
    ("illness",),
)
TYPES = ("general", "general", "dibao", "general", "tekun", "youfu")


def _county(session, top: str) -> str | None:
    home = session.scalar(select(User.jurisdiction_code).where(User.username == "gridleader"))
    if home and home.startswith(top) and len(home) >= 6:
        return home[:6]
    code = session.scalar(
        select(func.min(Resident.village_code)).where(Resident.village_code.startswith(top))
    )
    return code[:6] if code else None


def build(db, data, options, progress) -> None:
    """A winter–spring programme at distribution and a few rebuilding cases in one county."""
    with db.writing(Actor.system("demo")) as session:
        county = _county(session, data.top)
        if county is None or session.scalar(
            select(AidProgramme.id).where(AidProgramme.jurisdiction_code == county)
        ):
            return
        principal = Principal.system(county, "demo")
        n = _programme(session, principal, county)
        cases = _rebuild(session, principal, county)
    if progress:
        progress("aid", n + cases, n + cases)


def _villages(session, county: str) -> list[str]:
    home = session.scalar(select(User.jurisdiction_code).where(User.username == "gridleader"))
    rows = session.scalars(
        select(Resident.village_code)
        .where(Resident.village_code.startswith(county), Resident.active.is_(True))
        .group_by(Resident.village_code)
        .order_by(Resident.village_code)
        .limit(VILLAGES + 1)
    ).all()
    out = [home] if home and len(home) == 12 and home.startswith(county) else []
    return (out + [v for v in rows if v not in out])[:VILLAGES]


def _programme(session, principal: Principal, county: str) -> int:
    year = clock.to_local(clock.now()).year
    programme = programmes.create(
        session,
        principal,
        ProgrammeIn(
            title=f"{year}—{year + 1}年度受灾群众冬春生活救助",
            kind=ProgrammeKind.WINTER_SPRING,
            jurisdiction_code=county,
            season=f"{year}-{year + 1}",
            standard_yuan_per_person=300,
            note="演示数据：救助标准为演示设置，实际由县级人民政府确定。",
        ),
    )
    k = 0
    for village in _villages(session, county):
        heads = session.execute(
            select(func.min(Resident.id))
            .where(Resident.village_code == village, Resident.active.is_(True))
            .group_by(Resident.jurisdiction_code, Resident.household)
            .order_by(func.min(Resident.id))
            .limit(HOUSEHOLDS_PER_VILLAGE)
        ).scalars()
        for resident_id in heads:
            members = _members(session, resident_id)
            recipients.add(
                session,
                principal,
                programme.id,
                RecipientIn(
                    resident_id=resident_id,
                    family_type=TYPES[k % len(TYPES)],
                    people_in_need=max(1, min(members, 1 + k % 4)),
                    needs=dict.fromkeys(NEEDS[k % len(NEEDS)], "1"),
                ),
            )
            k += 1
    if k == 0:
        return 0
    recipients.verify(
        session,
        principal,
        programme.id,
        _verify_all(session, programme.id),
    )
    programmes.move(session, principal, programme.id, ProgrammeState.LISTING)
    programmes.move(session, principal, programme.id, ProgrammeState.NOTICE)
    # the notice ran its course before the demo's today
    for notice in session.scalars(select(AidNotice).where(AidNotice.programme_id == programme.id)):
        notice.posted_on -= timedelta(days=10)
        notice.until -= timedelta(days=10)
    programmes.move(session, principal, programme.id, ProgrammeState.APPROVED)
    programmes.move(session, principal, programme.id, ProgrammeState.DISTRIBUTING)
    _hand_out(session, principal, programme)
    return k


def _members(session, resident_id: int) -> int:
    r = session.get(Resident, resident_id)
    return session.scalar(
        select(func.count()).where(
            Resident.jurisdiction_code == r.jurisdiction_code, Resident.household == r.household
        )
    )


def _verify_all(session, programme_id: int):
    from yingji.aid.schemas import VerifyIn

    ids = session.scalars(select(AidRecipient.id).where(AidRecipient.programme_id == programme_id)).all()
    return VerifyIn(recipient_ids=list(ids))


def _hand_out(session, principal: Principal, programme: AidProgramme) -> None:
    """Quilts to two households from the county's best-stocked store, cash to a few more."""
    listed = session.scalars(
        select(AidRecipient)
        .where(AidRecipient.programme_id == programme.id)
        .order_by(AidRecipient.id)
        .limit(6)
    ).all()
    stock = session.execute(
        select(Balance.warehouse_id, func.sum(Balance.qty).label("qty"))
        .join(Item, Item.id == Balance.item_id)
        .join(Warehouse, Warehouse.id == Balance.warehouse_id)
        .where(Item.code == "C06-01", Balance.jurisdiction_code.startswith(programme.jurisdiction_code))
        .where(Warehouse.active.is_(True))
        .group_by(Balance.warehouse_id)
        .order_by(func.sum(Balance.qty).desc())
        .limit(1)
    ).first()
    for i, r in enumerate(listed):
        goods = stock is not None and stock.qty >= 10 and i < 2
        distribution.distribute(
            session,
            principal,
            programme.id,
            DistributionIn(
                recipient_id=r.id,
                kind="goods" if goods else "cash",
                client_key=f"demo-aid-{programme.id}-{i}",
                amount_yuan=150 if goods else float(r.planned_yuan or 300),
                pay_form=None if goods else "card",
                warehouse_id=stock.warehouse_id if goods else None,
                item_code="C06-01" if goods else None,
                quantity=2 if goods else None,
                note="冬春救助发放（演示）",
            ),
        )


def _rebuild(session, principal: Principal, county: str) -> int:
    from yingji.damage.models import DamagedHouse

    houses = session.scalars(
        select(DamagedHouse.id)
        .where(DamagedHouse.jurisdiction_code.startswith(county))
        .order_by(DamagedHouse.id)
        .limit(5)
    ).all()
    villages = _villages(session, county)
    if not houses and not villages:
        return 0
    targets = [RebuildState.APPLIED, RebuildState.NOTICE, RebuildState.BUILDING, RebuildState.FUNDED]
    names = ("杨再富", "龙秀英", "吴光明", "田德贵")
    made = 0
    for i, target in enumerate(targets):
        if i < len(houses):
            data = CaseIn(damaged_house_id=houses[i])
        else:
            data = CaseIn(
                jurisdiction_code=villages[i % len(villages)],
                household=f"演示重建户{i + 1}",
                head_name=names[i],
                degree="collapsed" if i % 2 == 0 else "severe",
                rooms=3 + i,
            )
        case = rebuild.create(session, principal, data)
        _walk(session, principal, case, target)
        made += 1
    return made


def _walk(session, principal: Principal, case, target: RebuildState) -> None:
    path = [
        RebuildState.VILLAGE_REVIEWED,
        RebuildState.NOTICE,
        RebuildState.TOWN_CHECKED,
        RebuildState.COUNTY_APPROVED,
        RebuildState.BUILDING,
        RebuildState.ACCEPTED,
        RebuildState.FUNDED,
    ]
    notes = {
        RebuildState.VILLAGE_REVIEWED: "村民代表会议民主评议通过",
        RebuildState.NOTICE: "在自然村公示栏张贴",
        RebuildState.TOWN_CHECKED: "乡镇审核通过",
        RebuildState.COUNTY_APPROVED: "县应急管理局审批",
        RebuildState.BUILDING: "开工",
        RebuildState.ACCEPTED: "竣工验收合格",
        RebuildState.FUNDED: "补助资金拨付完毕",
    }
    if target == RebuildState.APPLIED:
        return
    for step in path:
        if step == RebuildState.TOWN_CHECKED:
            from yingji.aid import notices

            notice = notices.latest_of_case(session, case.id)
            notice.posted_on -= timedelta(days=10)
            notice.until -= timedelta(days=10)
        if step == RebuildState.FUNDED:
            rebuild.pay(
                session, principal, case.id, PaymentIn(amount_yuan=case.grant_yuan, note="一次性拨付")
            )
        grant = 20000.0 if case.degree == "collapsed" else 12000.0
        rebuild.move(
            session,
            principal,
            case.id,
            StepIn(
                to=step, note=notes[step], grant_yuan=grant if step == RebuildState.COUNTY_APPROVED else None
            ),
        )
        if step == RebuildState.BUILDING:
            rebuild.set_progress(session, principal, case.id, ProgressIn(progress_pct=60, note="主体完工"))
        if step == target:
            return
