"""Rows of the dual-prevention demo, made in memory: the enterprise register, risk points with
their assessments, this year's enforcement plans and visits, a year of hidden dangers in every
state of the loop, and the monthly village meetings. Deterministic for a seed (``random.Random``)."""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from yingji.core.clock import LOCAL_TZ, to_local, to_utc
from yingji.risk import creditcode, rules, tables
from yingji.risk import demo_words as w
from yingji.risk.models import EnterpriseStatus


class Weighted:
    """A weighted choice with its cumulative weights computed once (``random.choices`` redoes them)."""

    def __init__(self, values, weights) -> None:
        self.values = tuple(values)
        self.cum = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


ORG_ALPHABET = creditcode.ALPHABET
HIGH = {
    "coal_mine",
    "non_coal_mine",
    "hazchem_production",
    "fireworks",
    "metallurgy",
    "nonferrous",
    "utilities",
}
SCALES = ("micro", "small", "medium", "large")
SCALE_P = {"high": (5, 45, 40, 10), "shop": (80, 18, 2, 0), "else": (62, 30, 7, 1)}
EMPLOYEES = {"micro": (1, 9), "small": (10, 99), "medium": (100, 999), "large": (1000, 3000)}
HAZ_P = {"hazchem_trade": 1, "hazchem_production": 1, "fireworks": 1, "non_coal_mine": 0.6, "coal_mine": 0.6}
HAZ_P |= {"metallurgy": 0.7, "nonferrous": 0.7, "machinery": 0.05, "light_industry": 0.05}
MAJOR_P = {
    "hazchem_production": 0.5,
    "hazchem_trade": 0.04,
    "metallurgy": 0.3,
    "nonferrous": 0.2,
    "fireworks": 0.2,
}
POINT_NAMES = {
    "hazchem_trade": ("加油区", "油罐区", "卸油区"),
    "hazchem_production": ("储罐区", "反应车间", "危化品仓库"),
    "non_coal_mine": ("采场边坡", "炸药库", "破碎车间"),
    "metallurgy": ("电解车间", "冶炼炉区", "变配电室"),
    "nonferrous": ("冶炼车间", "尾渣库", "变配电室"),
    "hospitality": ("厨房燃气间", "客房楼"),
    "commerce": ("仓库", "营业场所"),
}
DEFAULT_POINTS = ("配电室", "仓库", "生产车间", "锅炉房")
LEC_HIGH = (
    Weighted((6, 3, 1, 0.5), (5, 30, 45, 20)),
    Weighted((6, 3, 2), (50, 35, 15)),
    Weighted((40, 15, 7, 3), (5, 30, 45, 20)),
)
LEC_LOW = (
    Weighted((3, 1, 0.5), (20, 50, 30)),
    Weighted((6, 3, 2, 1), (30, 30, 25, 15)),
    Weighted((7, 3, 1), (30, 45, 25)),
)
SCALE_PICK = {k: Weighted(SCALES, p) for k, p in SCALE_P.items()}
MH_GRADE = Weighted((1, 2, 3, 4), (5, 15, 35, 45))
NAME_POOL = 4096


def _pick(rng: random.Random, spec: Weighted) -> float:
    return spec(rng)


def org_code(serial: int) -> str:
    """A 9-character organisation code (GB 11714: 8 characters and a check) from a serial number."""
    body = "MA"
    for _ in range(6):
        serial, digit = divmod(serial, 31)
        body += ORG_ALPHABET[digit]
    values = [int(ch) if ch.isdigit() else ord(ch) - 55 for ch in body]
    check = 11 - sum(v * wt for v, wt in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def local_dt(day: date, hour: int = 10) -> datetime:
    """A local (Asia/Shanghai) day and hour as UTC."""
    return to_utc(datetime.combine(day, time(hour), tzinfo=LOCAL_TZ))


class RiskDemo:
    """Builds the rows; ``start`` gives each table's first free id."""

    def __init__(self, seed: int, now: datetime, start: dict[str, int]) -> None:
        self.rng = random.Random(f"yingji-risk-{seed}")
        self.now = now
        self.today = to_local(now).date()
        self.next = dict(start)
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.classification = tables.enforcement_defaults()
        self.by_village: dict[str, list[dict]] = defaultdict(list)
        self.names = [
            self.rng.choice(w.SURNAMES) + "".join(self.rng.choices(w.GIVEN, k=1 + (self.rng.random() < 0.7)))
            for _ in range(NAME_POOL)
        ]
        self.classes: dict[tuple, str] = {}
        self.dangers_by_village_month: dict[tuple[str, str], list[tuple[int, datetime]]] = defaultdict(list)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value

    def person(self) -> str:
        return self.names[self.rng.getrandbits(12)]

    def classify(self, facts: dict) -> str:
        key = tuple(facts.values())
        if key not in self.classes:
            self.classes[key] = rules.classify(facts, self.classification)
        return self.classes[key]

    def mobile(self, serial: int) -> str:
        return "139" + f"{(serial * 7919 + 1357) % 10**8:08d}"

    @staticmethod
    def spot(place: dict, rng: random.Random) -> tuple[float | None, float | None]:
        if place.get("lon") is None:
            return None, None
        dx = (place["max_lon"] - place["min_lon"]) * 0.15
        dy = (place["max_lat"] - place["min_lat"]) * 0.15
        lon = min(max(place["lon"] + rng.gauss(0, dx), place["min_lon"]), place["max_lon"])
        lat = min(max(place["lat"] + rng.gauss(0, dy), place["min_lat"]), place["max_lat"])
        return round(lon, 6), round(lat, 6)

    # -- the register ------------------------------------------------------------------------
    def enterprises(
        self, town: dict, villages: list[dict], county_name: str, cells: dict, count: int
    ) -> None:
        rng = self.rng
        codes = [c for c in w.INDUSTRIES if w.INDUSTRIES[c][0] > 0]
        industries = rng.choices(codes, [w.INDUSTRIES[c][0] for c in codes], k=count)  # one call for all
        short = county_name.rstrip("区县市") or county_name
        homes = villages or [town]
        for industry in industries:
            eid = self.take("risk_enterprises")
            kind = (
                "high"
                if industry in HIGH
                else ("shop" if industry in ("commerce", "hospitality") else "else")
            )
            scale = SCALE_PICK[kind](rng)
            hazardous = rng.random() < HAZ_P.get(industry, 0.01)
            major = hazardous and rng.random() < MAJOR_P.get(industry, 0)
            noun = rng.choice(w.INDUSTRIES[industry][1])
            shop = scale == "micro" and kind == "shop"
            name = f"{short}{rng.choice(w.BRANDS)}{noun}" + ("" if shop else "有限公司")
            home = rng.choice(homes)
            lon, lat = self.spot(home, rng)
            credit = creditcode.make(
                "9", "2" if shop else "1", home["code"][:6], org_code(eid * 104_729 % 887_503_681)
            )
            facts = {
                "industry": industry,
                "scale": scale,
                "hazardous_chemicals": hazardous,
                "major_hazard": major,
            }
            row = {
                "id": eid,
                "name": name,
                "credit_code": credit,
                "industry": industry,
                "scale": scale,
                "employees": rng.randint(*EMPLOYEES[scale]),
                "hazardous_chemicals": hazardous,
                "chemicals": ("汽油、柴油" if industry == "hazchem_trade" else "硫酸、液氨")
                if hazardous
                else None,
                "major_hazard": major,
                "major_hazard_grade": MH_GRADE(rng) if major else None,
                "address": f"{home['name']}",
                "lon": lon,
                "lat": lat,
                "jurisdiction_code": home["code"],
                "grid_cell_id": cells.get(home["code"]),
                "principal_name": self.person(),
                "principal_phone": self.mobile(eid),
                "safety_manager_name": None if shop else self.person(),
                "safety_manager_phone": None if shop else self.mobile(eid + 5_000_000),
                "enforcement_class": self.classify(facts),
                "class_fixed": False,
                "status": EnterpriseStatus.ACTIVE.value,
                "risk_level": None,
                "risk_rank": 0,
                "note": None,
                "created_at": self.now,
                "updated_at": self.now,
            }
            self.rows["risk_enterprises"].append(row)
            self.by_village[home["code"]].append(row)
            self.risk_points(row, kind)

    def risk_points(self, e: dict, kind: str) -> None:
        rng = self.rng
        risky = kind == "high" or e["hazardous_chemicals"] or e["scale"] in ("medium", "large")
        chance = 1.0 if risky else (0.25 if e["scale"] == "small" else 0.06)
        if rng.random() >= chance:
            return
        names = POINT_NAMES.get(e["industry"], DEFAULT_POINTS)
        spec = LEC_HIGH if risky else LEC_LOW
        best = 0
        for name in rng.sample(names, k=min(len(names), rng.randint(1, 3) if risky else 1)):
            factors = (_pick(rng, spec[0]), _pick(rng, spec[1]), _pick(rng, spec[2]), None)
            scored = rules.lec(*factors[:3], "A")
            best = max(best, tables.level_rank(scored.level))
            self.point(e["jurisdiction_code"], e["id"], None, name, (e["lon"], e["lat"]), scored, factors)
        e["risk_rank"], e["risk_level"] = best, tables.level_of_rank(best)

    def point(
        self, code, enterprise_id, kind, name, where, scored, factors, texts=("作业环境、设备设施", None)
    ):
        """A risk point and its (one) assessment."""
        pid = self.take("risk_points")
        assessed = self.now - timedelta(days=self.rng.randint(5, 200))
        self.rows["risk_points"].append(
            {
                "id": pid,
                "enterprise_id": enterprise_id,
                "place_kind": kind,
                "name": name,
                "jurisdiction_code": code,
                "grid_cell_id": None,
                "lon": where[0],
                "lat": where[1],
                "hazards": texts[0],
                "accident_types": None,
                "measures": texts[1] or "落实岗位责任制,定期检查,设置安全警示标志",
                "control_level": tables.default_control_level(scored.level),
                "responsible_name": self.person(),
                "responsible_phone": None,
                "method": scored.method,
                "score": scored.score,
                "level": scored.level,
                "risk_rank": tables.level_rank(scored.level),
                "assessed_at": assessed,
                "active": True,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self.rows["risk_assessments"].append(
            {
                "id": self.take("risk_assessments"),
                "risk_point_id": pid,
                "jurisdiction_code": code,
                "method": scored.method,
                "l_value": float(factors[0]),
                "e_value": None if factors[1] is None else float(factors[1]),
                "c_value": None if factors[2] is None else float(factors[2]),
                "s_value": None if factors[3] is None else float(factors[3]),
                "score": scored.score,
                "band": scored.band,
                "level": scored.level,
                "banding": scored.banding,
                "assessed_by_user_id": None,
                "assessor": "企业安全管理人员" if enterprise_id else "乡镇应急办",
                "assessed_at": assessed,
                "note": None,
            }
        )

    def public_places(self, town: dict) -> None:
        for kind, name, hazards, measures in w.PUBLIC_PLACES:
            l_value, s_value = self.rng.randint(1, 5), self.rng.randint(1, 4)
            scored = rules.ls(l_value, s_value, "standard")
            where = self.spot(town, self.rng)
            factors = (l_value, None, None, s_value)
            self.point(
                town["code"],
                None,
                kind,
                name.format(town=town["name"]),
                where,
                scored,
                factors,
                (hazards, measures),
            )
