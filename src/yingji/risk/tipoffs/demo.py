"""Demo tip-offs: a tip-off row for every public hidden danger the risk demo made (same receipt code),
and in the first towns a few tip-offs of the other kinds at each step of the reward workflow — one
received, one being verified, one unfounded, one reward proposed, one approved, one paid. Contacts
are sealed with the demo's secret, as the public form does."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction
from yingji.risk.danger_models import Danger
from yingji.risk.tipoffs import rewards, sealed
from yingji.risk.tipoffs.channel import new_ref
from yingji.risk.tipoffs.models import Tipoff

CASES = (  # kind, title, unit, state, verdict, reward state, penalty, deaths, grade
    (
        "illegal_operation",
        "无证经营烟花爆竹,夜间在民房内储存",
        "某商店",
        "received",
        None,
        "none",
        None,
        None,
        None,
    ),
    (
        "major_danger",
        "加油站地下油罐渗漏,附近有异味",
        "某加油站",
        "verifying",
        None,
        "none",
        None,
        None,
        None,
    ),
    ("concealment", "矿区上月发生事故,伤亡未上报", "某采石场", "closed", "false", "none", None, None, None),
    (
        "illegal_operation",
        "停产整顿期间夜间偷偷生产",
        "某建材厂",
        "substantiated",
        "true",
        "proposed",
        60000,
        None,
        None,
    ),
    (
        "false_report",
        "事故死亡人数少报",
        "某建筑工地",
        "substantiated",
        "partly",
        "approved",
        None,
        1,
        "general",
    ),
    (
        "major_danger",
        "粉尘车间未装除尘设施仍在作业",
        "某木业公司",
        "closed",
        "true",
        "paid",
        100000,
        None,
        None,
    ),
)


def build(db: Database, data, options, progress) -> None:
    rng = random.Random(options.seed + 14)
    secret = db.settings.secret_key
    now = clock.now()
    rows = []
    with db.writing(Actor.system("demo")) as session:
        for d in session.execute(
            select(
                Danger.id,
                Danger.jurisdiction_code,
                Danger.title,
                Danger.location,
                Danger.public_ref,
                Danger.found_at,
            )
            .where(Danger.source == "public", Danger.public_ref.is_not(None))
            .order_by(Danger.id)
        ):
            rows.append(
                {
                    "jurisdiction_code": d.jurisdiction_code,
                    "kind": "hidden_danger",
                    "title": d.title,
                    "location": d.location,
                    "danger_id": d.id,
                    "public_ref": d.public_ref,
                    "state": "received",
                    "received_at": d.found_at,
                    "received_month": f"{clock.to_local(d.found_at):%Y-%m}",
                    "has_contact": False,
                    "reward_state": "none",
                }
            )
        towns = session.scalars(
            select(Jurisdiction.code).where(Jurisdiction.level == "town").order_by(Jurisdiction.code).limit(4)
        ).all()
        for t_i, town in enumerate(towns):
            for c_i, (kind, title, unit, state, verdict, reward, penalty, deaths, grade) in enumerate(CASES):
                at = now - timedelta(days=rng.randint(15, 120))  # every step below lies in the past
                phone = f"139{rng.randint(10_000_000, 99_999_999)}"
                row = Tipoff(kind=kind, penalty_cny=penalty, concealed_deaths=deaths, accident_grade=grade)
                cny, how = rewards.amount(row) if reward != "none" else (None, None)
                rows.append(
                    {
                        "jurisdiction_code": town,
                        "kind": kind,
                        "title": title,
                        "unit_named": unit,
                        "public_ref": new_ref(),
                        "state": state,
                        "received_at": at,
                        "received_month": f"{clock.to_local(at):%Y-%m}",
                        "has_contact": True,
                        "contact_sealed": sealed.seal({"name": "群众", "phone": phone}, secret),
                        "contact_hash": sealed.contact_hash(phone, secret),
                        "verdict": verdict,
                        "verified_by_name": "县应急管理局执法大队" if verdict else None,
                        "verified_at": at + timedelta(days=5) if verdict else None,
                        "evidence": "现场检查笔录、询问笔录、行政处罚决定书" if verdict else None,
                        "penalty_cny": penalty,
                        "concealed_deaths": deaths,
                        "accident_grade": grade,
                        "reward_state": reward,
                        "reward_cny": cny,
                        "reward_basis": how,
                        "approved_by_name": "县应急管理局" if reward in ("approved", "paid") else None,
                        "approved_at": at + timedelta(days=9) if reward in ("approved", "paid") else None,
                        "paid_cny": cny if reward == "paid" else None,
                        "paid_on": clock.to_local(at + timedelta(days=12)).date()
                        if reward == "paid"
                        else None,
                        "pay_method": "bank" if reward == "paid" else None,
                        "pay_receipt": f"JL{t_i:02d}{c_i:02d}" if reward == "paid" else None,
                        "closed_at": at + timedelta(days=12) if state == "closed" else None,
                    }
                )
        full = [
            {c.key: None for c in Tipoff.__table__.columns if c.key not in ("id", "created_at", "updated_at")}
            | r
            for r in rows
        ]
        for r in full:
            r["created_at"] = r["updated_at"] = r["received_at"]
        for i in range(0, len(full), 2000):
            session.execute(insert(Tipoff), full[i : i + 2000])
        audit.record(
            session,
            "demo.build",
            "risk_tipoffs",
            data.top,
            after={"tipoffs": len(full)},
            note="demo tip-offs",
        )
    if progress:
        progress("tipoffs", len(full), len(full))
