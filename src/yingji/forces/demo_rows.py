"""Rows of the forces demo (seed 003 scale), generated in memory for bulk insert.

Seed 003: "181支6579人的乡镇综合应急救援队伍, 2889支55061人的村(社区)应急救援队伍". Totals are exact on a
full Tongren build (largest-remainder allocation over all towns and villages); a build of fewer
counties gets the same share per place. Some village teams fall below 10 members, some certificates
and insurance have lapsed, some social forces are unregistered: the checks have something to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from yingji.demo.names import GIVEN, SURNAMES
from yingji.forces import codes

TOWN_MEMBERS, TOWNS = 6579, 181
VILLAGE_MEMBERS, VILLAGE_TEAMS, VILLAGES = 55061, 2889, 2947
MIN_DEMO_MEMBERS = 5
SQUAD_SHARE = {
    "militia": 0.35,
    "flood": 0.2,
    "forest_fire": 0.2,
    "medical": 0.08,
    "comms": 0.05,
    "machinery": 0.07,
    "power": 0.05,
}
SQUAD_PRESENT = {"medical": 0.8, "comms": 0.5, "machinery": 0.5, "power": 0.4}  # always: militia, flood, fire
CERTS = [
    "急救员证",
    "冲锋舟驾驶证",
    "无人机驾驶员执照",
    "油锯操作证",
    "电工特种作业操作证",
    "潜水员证",
    "绳索救援证",
]
SKILLS = [
    "驾驶",
    "急救",
    "冲锋舟操作",
    "水域救援",
    "绳索救援",
    "油锯",
    "风力灭火机",
    "无人机",
    "发电机",
    "通信",
]
TOWN_KIT = [
    ("vehicle", "应急指挥车", 1),
    ("vehicle", "运兵车", 1),
    ("equipment", "冲锋舟", 2),
    ("equipment", "救生衣", 60),
    ("equipment", "风力灭火机", 10),
    ("equipment", "油锯", 4),
    ("equipment", "发电机", 2),
    ("equipment", "卫星电话", 1),
]
VILLAGE_KIT = [("equipment", "救生衣", 10), ("equipment", "铁锹", 20), ("equipment", "强光手电", 10)]
# Professional teams per county (kind, name suffix, members) and at city level.
COUNTY_PRO = [
    ("fire_rescue", "消防救援大队", 45),
    ("flood_pro", "水务局防汛抢险队", 30),
    ("medical_pro", "120急救中心医疗应急队", 20),
    ("power_pro", "供电局电力抢修队", 25),
    ("road_pro", "公路段应急抢通队", 30),
]
COUNTY_EXTRA = {
    "520603": [("mine_rescue", "矿山救护队", 40)],
    "520602": [("hazmat", "危化品应急救援队", 35)],
    "520621": [("forest_fire", "梵净山专业森林消防队", 50)],
    "520625": [("forest_fire", "专业森林消防队", 40)],
}
CITY_PRO = [
    ("fire_rescue", "铜仁市消防救援支队特勤站", 80),
    ("mine_rescue", "铜仁市矿山救护大队", 60),
    ("hazmat", "铜仁市危险化学品应急救援队", 50),
    ("medical_pro", "铜仁市紧急医学救援队", 40),
    ("comms_pro", "铜仁市应急通信保障队", 25),
    ("flood_pro", "铜仁市水上搜救队", 30),
]
SOCIAL = ["蓝天救援队", "红十字应急救援队", "曙光救援队", "山地救援队"]


@dataclass
class Rows:
    teams: list[dict] = field(default_factory=list)
    team_members: list[dict] = field(default_factory=list)
    member_certificates: list[dict] = field(default_factory=list)
    team_equipment: list[dict] = field(default_factory=list)
    team_readiness_log: list[dict] = field(default_factory=list)


def allocate(total: int, weights: np.ndarray, floor: int = 0) -> np.ndarray:
    """Integers summing to ``total`` in proportion to ``weights`` (largest remainder), each ≥ floor."""
    if len(weights) == 0:
        return np.zeros(0, dtype=int)
    spare = total - floor * len(weights)
    share = spare * weights / weights.sum()
    out = np.floor(share).astype(int)
    rest = spare - int(out.sum())
    order = np.argsort(-(share - out), kind="stable")
    out[order[:rest]] += 1
    return out + floor


class ForcesMaker:
    """Generates the rows; ``ids`` continue the tables' existing ids."""

    def __init__(self, seed: int, now: datetime, today: date, start_ids: dict[str, int]) -> None:
        self.rng = np.random.default_rng([seed, 53])
        self.now, self.today = now, today
        self.next_id = dict(start_ids)
        self.rows = Rows()
        self._serial = 0

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _mobile(self) -> str:
        # "166" is not among the organisation's prefixes; 7919 is coprime with 10**8 (a bijection).
        self._serial += 1
        return "166" + f"{(self._serial * 7919 + 4321) % 10**8:08d}"

    def _jitter(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round(lon + float(self.rng.normal(0, 0.002)), 6),
            round(lat + float(self.rng.normal(0, 0.002)), 6),
        )

    def _readiness(self) -> tuple[str, str | None]:
        u = self.rng.random()
        if u < 0.88:
            return "on_call", None
        if u < 0.94:
            return "resting", "轮休"
        if u < 0.97:
            return "unavailable", "装备检修"
        return "deployed", "跨区增援"

    def team(self, code: str, name: str, kind: str, place: dict, caps, members: int, **extra) -> int:
        """A team row at ``place`` with its first readiness row; members are added separately."""
        tid = self._id("teams")
        state, note = self._readiness()
        since = self.now - timedelta(days=int(self.rng.integers(0, 60)))
        lon, lat = self._jitter(place["lon"], place["lat"])
        row = {
            "id": tid,
            "code": code,
            "name": name,
            "kind": kind,
            "jurisdiction_code": place["code"],
            "lon": lon,
            "lat": lat,
            "address": f"{place['name']}",
            "organisation": extra.pop("organisation", None),
            "duty_phone": None,
            "capabilities": codes.join_codes(caps),
            "readiness": state,
            "readiness_since": since,
            "readiness_note": note,
            "deployed_incident_id": None,
            "member_count": members,
            "registration_no": None,
            "registered_on": None,
            "registered_with": None,
            "capability_grade": None,
            "graded_on": None,
            "insurance_until": None,
            "active": True,
            "note": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        row.update(extra)
        self.rows.teams.append(row)
        self.rows.team_readiness_log.append(
            {
                "id": self._id("team_readiness_log"),
                "team_id": tid,
                "jurisdiction_code": place["code"],
                "at": since,
                "from_state": None,
                "to_state": state,
                "note": note,
                "incident_id": None,
                "actor": "system:demo",
                "actor_id": None,
                "client_key": None,
            }
        )
        return tid

    def members(
        self,
        tid: str | int,
        code: str,
        count: int,
        *,
        leader: dict | None,
        cert_p: float,
        insured_p: float,
        squads: list[str] | None = None,
    ) -> None:
        """``count`` members (the leader among them, linked to their person when given).

        The random draws are made per team as arrays: 66,000 members take a fraction of a second.
        """
        rng = self.rng
        squad_of = None
        if squads:
            shares = np.array([SQUAD_SHARE[s] for s in squads])
            squad_of = rng.choice(len(squads), size=count, p=shares / shares.sum())
        names = self._names(count)
        insured = rng.random(count) < insured_p
        until = rng.integers(-40, 400, count)  # about one in ten lapsed
        n_skills = rng.integers(0, 3, count)
        skill_pick = rng.integers(0, len(SKILLS), (count, 2))
        available = rng.random(count) < 0.95
        has_cert = rng.random(count) < cert_p
        cert_name = rng.integers(0, len(CERTS), count)
        cert_days = rng.integers(-120, 1100, count)  # about one in ten expired
        led = leader is not None or rng.random() < 0.95  # a few teams lack a leader: the checks find them
        for k in range(count):
            mid = self._id("team_members")
            if k == 0 and leader is not None:
                name, gender, mobile, person_id = (
                    leader["name"],
                    leader["gender"],
                    leader["mobile"],
                    leader["id"],
                )
            else:
                (name, gender), mobile, person_id = names[k], self._mobile(), None
            skills = dict.fromkeys(SKILLS[int(i)] for i in skill_pick[k, : n_skills[k]])
            self.rows.team_members.append(
                {
                    "id": mid,
                    "team_id": tid,
                    "jurisdiction_code": code,
                    "person_id": person_id,
                    "name": name,
                    "gender": gender,
                    "mobile": mobile,
                    "role": "leader" if k == 0 and led else ("deputy" if k == 1 else "member"),
                    "squad": squads[int(squad_of[k])] if squad_of is not None else None,
                    "skills": ",".join(skills) or None,
                    "insurance_until": self.today + timedelta(days=int(until[k])) if insured[k] else None,
                    "available": bool(available[k]),
                    "note": None,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
            if has_cert[k]:
                self.rows.member_certificates.append(
                    {
                        "id": self._id("member_certificates"),
                        "member_id": mid,
                        "team_id": tid,
                        "jurisdiction_code": code,
                        "name": CERTS[int(cert_name[k])],
                        "number": f"ZS{mid:08d}",
                        "expires_on": self.today + timedelta(days=int(cert_days[k])),
                    }
                )

    def _names(self, count: int) -> list[tuple[str, str]]:
        """(name, gender) pairs drawn as arrays (the same alphabet as the organisation's names)."""
        rng = self.rng
        surnames = rng.integers(0, len(SURNAMES), count)
        two = rng.random(count) >= 0.3
        given = rng.integers(0, len(GIVEN), (count, 2))
        male = rng.random(count) < 0.62
        return [
            (
                SURNAMES[surnames[i]] + GIVEN[given[i, 0]] + (GIVEN[given[i, 1]] if two[i] else ""),
                "M" if male[i] else "F",
            )
            for i in range(count)
        ]

    def kit(self, tid: int, code: str, kit: list[tuple[str, str, int]]) -> None:
        """Equipment rows; now and then one item is under repair."""
        for category, name, quantity in kit:
            self.rows.team_equipment.append(
                {
                    "id": self._id("team_equipment"),
                    "team_id": tid,
                    "jurisdiction_code": code,
                    "category": category,
                    "name": name,
                    "model": None,
                    "plate": f"贵D·{int(self.rng.integers(10000, 99999))}" if category == "vehicle" else None,
                    "quantity": quantity,
                    "state": "repair" if self.rng.random() < 0.05 else "good",
                    "note": None,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )

    # -- the kinds of the demo ------------------------------------------------------------
    def town_brigades(self, towns: list[dict], members: np.ndarray, leaders: dict[str, dict]) -> None:
        for town, count in zip(towns, members, strict=True):
            squads = ["militia", "flood", "forest_fire"] + [
                s for s, p in SQUAD_PRESENT.items() if self.rng.random() < p
            ]
            caps = set(codes.TEAM_KINDS["town_brigade"].capabilities)
            for s in squads:
                caps |= set(codes.SQUADS[s][1])
            tid = self.team(
                f"{town['code']}-ZHDD",
                f"{town['name']}综合应急救援大队",
                "town_brigade",
                town,
                caps,
                int(count),
                organisation=f"{town['name']}应急管理委员会",
                insurance_until=date(self.today.year, 12, 31),
            )
            self.members(
                tid,
                town["code"],
                int(count),
                leader=leaders.get(town["code"]),
                cert_p=0.4,
                insured_p=0.95,
                squads=squads,
            )
            self.kit(tid, town["code"], TOWN_KIT)

    def village_teams(self, villages: list[dict], members: np.ndarray, leaders: dict[str, dict]) -> None:
        kind = codes.TEAM_KINDS["village_volunteer"]
        for village, count in zip(villages, members, strict=True):
            tid = self.team(
                f"{village['code']}-YJD",
                f"{village['name']}应急救援队",
                kind.code,
                village,
                kind.capabilities,
                int(count),
                organisation=f"{village['name']}村(居)民委员会",
            )
            self.members(
                tid,
                village["code"],
                int(count),
                leader=leaders.get(village["code"]),
                cert_p=0.12,
                insured_p=0.7,
            )
            self.kit(tid, village["code"], VILLAGE_KIT)

    def professional(self, place: dict, plan: list[tuple[str, str, int]], prefix: str) -> None:
        for i, (kind, suffix, count) in enumerate(plan, 1):
            name = suffix if suffix.startswith(prefix) else f"{prefix}{suffix}"
            tid = self.team(
                f"{place['code']}-ZY{i:02d}", name, kind, place, codes.TEAM_KINDS[kind].capabilities, count
            )
            self.members(tid, place["code"], count, leader=None, cert_p=0.8, insured_p=1.0)
            self.kit(tid, place["code"], TOWN_KIT[:4])

    def schools(self, towns: list[dict]) -> None:
        """School volunteer teams (seed 002: every school keeps one) in about half the towns."""
        kind = codes.TEAM_KINDS["school_volunteer"]
        for town in towns:
            if self.rng.random() >= 0.55:
                continue
            count = int(self.rng.integers(8, 30))
            tid = self.team(
                f"{town['code']}-XX01",
                f"{town['name']}中心学校应急志愿服务队",
                kind.code,
                town,
                kind.capabilities,
                count,
                organisation=f"{town['name']}中心学校",
            )
            self.members(tid, town["code"], count, leader=None, cert_p=0.2, insured_p=0.9)

    def social(self, place: dict, count: int) -> None:
        for i in range(count):
            base = SOCIAL[int(self.rng.integers(0, len(SOCIAL)))]
            registered = self.rng.random() < 0.8
            members = int(self.rng.integers(15, 60))
            tid = self.team(
                f"{place['code']}-SH{i + 1:02d}",
                f"{place['name']}{base}",
                "social",
                place,
                codes.TEAM_KINDS["social"].capabilities,
                members,
                organisation="社会组织",
                registration_no=f"YJBA-{place['code']}-{i + 1:03d}" if registered else None,
                registered_on=self.today - timedelta(days=int(self.rng.integers(30, 900)))
                if registered
                else None,
                registered_with=f"{place['name']}应急管理局" if registered else None,
                capability_grade=["light", "medium", "heavy"][int(self.rng.integers(0, 3))]
                if registered
                else None,
                insurance_until=self.today + timedelta(days=int(self.rng.integers(-60, 365))),
            )
            self.members(tid, place["code"], members, leader=None, cert_p=0.5, insured_p=0.85)
            self.kit(tid, place["code"], VILLAGE_KIT)
