"""Demo experts: a pool for the province (when the demo covers it), the city and every county, drawn
from realistic profiles (discipline, the event categories it serves, the usual title and work unit,
a specialty in words), with seeded names and numbers; a few are marked busy or unavailable.
Bulk-inserted; the audit log gets one summary entry."""

from __future__ import annotations

import numpy as np
from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.demo.names import NameMaker
from yingji.experts.codes import Availability
from yingji.experts.models import Expert, ExpertField
from yingji.org.models import Jurisdiction

# (discipline, event categories, title, title grade, work unit (place prefixed), specialty)
PROFILES = (
    (
        "flood_drought",
        ["natural.flood_drought"],
        "正高级工程师",
        "senior",
        "水务局",
        "水库大坝安全、山洪沟治理与防洪调度",
    ),
    (
        "hydrology",
        ["natural.flood_drought"],
        "高级工程师",
        "associate",
        "水文水资源局",
        "暴雨洪水预报、河道水位流量监测",
    ),
    (
        "geology",
        ["natural.geological"],
        "正高级工程师",
        "senior",
        "自然资源局地质环境监测站",
        "滑坡、崩塌、泥石流调查评价与监测预警",
    ),
    (
        "geology",
        ["natural.geological", "natural.earthquake"],
        "高级工程师",
        "associate",
        "地质矿产勘查开发局一〇三队",
        "岩溶塌陷与地质灾害应急调查",
    ),
    (
        "meteorology",
        ["natural.meteorological", "natural.flood_drought"],
        "高级工程师",
        "associate",
        "气象局",
        "强对流天气、凝冻预报服务",
    ),
    (
        "forest_fire",
        ["natural.forest_fire"],
        "高级工程师",
        "associate",
        "林业局",
        "森林火灾扑救指挥与火场安全",
    ),
    ("earthquake", ["natural.earthquake"], "研究员", "senior", "地震局", "震害评估与建筑安全鉴定"),
    ("coal_mine", ["accident.production"], "正高级工程师", "senior", "能源局", "煤矿瓦斯防治、透水事故救援"),
    (
        "non_coal_mine",
        ["accident.production"],
        "高级工程师",
        "associate",
        "应急管理局",
        "非煤矿山与尾矿库安全",
    ),
    (
        "hazchem",
        ["accident.production", "accident.environment"],
        "高级工程师",
        "associate",
        "化工有限公司",
        "危险化学品泄漏处置与工艺安全",
    ),
    ("fireworks", ["accident.production"], "工程师", "intermediate", "应急管理局", "烟花爆竹生产经营安全"),
    ("fire", ["accident.fire"], "高级工程师", "associate", "消防救援支队", "高层建筑与人员密集场所火灾扑救"),
    (
        "construction",
        ["accident.production"],
        "正高级工程师",
        "senior",
        "住房和城乡建设局",
        "建筑施工、房屋结构安全鉴定",
    ),
    (
        "transport",
        ["accident.road_traffic"],
        "高级工程师",
        "associate",
        "交通运输局",
        "道路桥梁抢通、危险货物运输",
    ),
    (
        "power",
        ["accident.public_facilities"],
        "高级工程师",
        "associate",
        "供电局",
        "电网抢修与大面积停电应对",
    ),
    (
        "environment",
        ["accident.environment"],
        "高级工程师",
        "associate",
        "生态环境局",
        "突发水污染事件监测与处置",
    ),
    ("medical", ["health", "natural"], "主任医师", "senior", "人民医院", "批量伤员救治与院前急救"),
    ("medical", ["health.infectious"], "主任医师", "senior", "疾病预防控制中心", "传染病疫情流行病学调查"),
    ("psychology", ["natural", "accident"], "副主任医师", "associate", "第二人民医院", "灾后心理危机干预"),
    (
        "communications",
        ["natural", "accident"],
        "高级工程师",
        "associate",
        "通信发展管理办公室",
        "应急通信保障",
    ),
    ("law", ["social"], "律师", None, "律师事务所", "突发事件处置中的法律问题"),
    ("management", ["natural", "accident"], "副教授", "associate", "职业技术学院", "应急预案编制与演练评估"),
)
PER_POOL = {"province": 30, "city": 44, "county": 12}
AVAIL = tuple(a.value for a in Availability)  # available, busy, unavailable: AVAIL_P in this order
AVAIL_P = (0.85, 0.1, 0.05)


def pools(db: Database, top: str) -> list:
    with db.reading() as session:
        return session.execute(
            select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level)
            .where(Jurisdiction.code.startswith(top), Jurisdiction.level.in_(("province", "city", "county")))
            .order_by(Jurisdiction.code)
        ).all()


def generate(places, seed: int, known_categories: set[str]) -> tuple[list[dict], list[tuple[int, str, str]]]:
    """Expert rows (with ids) and their fields as (expert index, kind, code)."""
    rng = np.random.default_rng([seed, 25])
    names = NameMaker(rng)
    now = clock.now()
    experts: list[dict] = []
    fields: list[tuple[int, str, str]] = []
    for place in places:
        n = PER_POOL[place.level]
        for k in range(n):
            disc, cats, title, grade, unit, specialty = PROFILES[
                (k + int(rng.integers(0, 3))) % len(PROFILES)
            ]
            name, gender = names.person()
            serial = len(experts) + 1
            state = AVAIL[int(rng.choice(3, p=AVAIL_P))]
            experts.append(
                {
                    "code": f"ZJ{place.code}-{k + 1:03d}",
                    "name": name,
                    "gender": gender,
                    "title": title,
                    "title_grade": grade,
                    "position": None,
                    "unit_name": f"{place.name}{unit}",
                    "unit_id": None,
                    "specialty": specialty,
                    "jurisdiction_code": place.code,
                    "mobile": "199" + f"{(serial * 7919 + 4321) % 10**8:08d}",
                    "office_phone": f"0856-{5000000 + serial:07d}",
                    "email": None,
                    "availability": state,
                    "availability_note": {
                        Availability.BUSY: "外出开会",
                        Availability.UNAVAILABLE: "病休",
                    }.get(state),
                    "availability_changed_at": now,
                    "active": True,
                    "note": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            index = len(experts) - 1
            fields.append((index, "discipline", disc))
            if rng.random() < 0.3:
                fields.append((index, "discipline", "management"))
            for c in cats:
                if c in known_categories:
                    fields.append((index, "category", c))
    return experts, list(dict.fromkeys(fields))


def build(db, data, options, progress) -> None:
    """The demo's expert pools."""
    from yingji.experts import codes

    places = pools(db, data.top)
    experts, fields = generate(places, options.seed, set(codes.categories()))
    actor = Actor.system("demo")
    with db.writing(actor) as session:
        ids = []
        for i in range(0, len(experts), 2000):
            chunk = experts[i : i + 2000]
            ids += list(session.scalars(insert(Expert).returning(Expert.id), chunk))
        rows = [
            {
                "expert_id": ids[i],
                "kind": kind,
                "code": code,
                "jurisdiction_code": experts[i]["jurisdiction_code"],
            }
            for i, kind, code in fields
        ]
        for i in range(0, len(rows), 5000):
            session.execute(insert(ExpertField), rows[i : i + 5000])
        audit.record(
            session, "demo.build", "experts", data.top, after={"experts": len(experts)}, note="demo experts"
        )
    if progress:
        progress("experts", len(experts), len(experts))
