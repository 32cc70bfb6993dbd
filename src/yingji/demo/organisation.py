"""Units, people, posts and grid staffing for the demo, as plain rows for bulk insert.

Shapes follow the seeds: a city and each county have a bureau with its departments, a command HQ
with 17 specialised HQs and their member units (seed 000); each town an emergency committee with
two chairs, an office and working groups (seed 003); each village an emergency service station
with its secretary, director and information officer; each village group ~1.7 grid workers, the
first also its group leader (seed 003: 21,000 cells, 36,000 grid workers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files

import numpy as np

from yingji.demo.geometry import Place, rng_for
from yingji.demo.names import NameMaker
from yingji.org import topics

GRID_WORKER_EXTRA_P = 0.355  # 1 + Binomial(2, p): mean 1.71 workers per cell (36,000 / 21,000)
WORKER_ORIGINS = ["", "", "", "地灾监测员", "护林员", "水库管理员", "村干部"]
VICE_HEADS = 6  # deputy mayors / county heads, each commanding a few specialised HQs


def load_structure() -> dict:
    return json.loads((files("yingji.demo") / "structure.json").read_text(encoding="utf-8"))


@dataclass
class Ids:
    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass
class OrgRows:
    people: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    unit_memberships: list[dict] = field(default_factory=list)
    responsibilities: list[dict] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    grid_cells: list[dict] = field(default_factory=list)
    grid_assignments: list[dict] = field(default_factory=list)


class OrgMaker:
    def __init__(self, seed: int, now: datetime, ids: Ids) -> None:
        self.seed, self.now, self.ids = seed, now, ids
        self.rows = OrgRows()
        self.names = NameMaker(np.random.default_rng([seed, 7]))
        self.structure = load_structure()
        self.topic_label = {t.code: t.zh for t in topics.all_topics().values()}
        # Handy references for demo logins: the first place of each kind and its people.
        self.refs: dict[str, int | str] = {}

    # -- primitives --------------------------------------------------------------------------
    def person(self, place: Place, title: str) -> int:
        name, gender = self.names.person()
        pid = self.ids.take("people")
        self.rows.people.append(
            {
                "id": pid,
                "name": name,
                "gender": gender,
                "mobile": self.names.mobile(),
                "office_phone": None,
                "email": None,
                "title": title,
                "jurisdiction_code": place.code,
                "note": None,
                "active": True,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        return pid

    def unit(
        self,
        place: Place,
        code: str,
        name: str,
        kind: str,
        *,
        topic=None,
        parent=None,
        duty_phone=None,
        sort=0,
    ) -> int:
        uid = self.ids.take("units")
        self.rows.units.append(
            {
                "id": uid,
                "code": code,
                "name": name,
                "kind": kind,
                "topic": topic,
                "parent_id": parent,
                "jurisdiction_code": place.code,
                "duty_phone": duty_phone,
                "address": None,
                "sort": sort,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        return uid

    def post(self, person: int, unit: int, place: Place, title: str, role: str, sort: int = 0) -> None:
        self.rows.positions.append(
            {
                "id": self.ids.take("positions"),
                "person_id": person,
                "unit_id": unit,
                "title": title,
                "role": role,
                "sort": sort,
                "jurisdiction_code": place.code,
            }
        )

    def duties(self, unit: int, place: Place, template: str, topic: str | None, **params) -> None:
        label = self.topic_label.get(topic or "", "应急管理")
        for seq, text in enumerate(self.structure["responsibilities"][template], start=1):
            self.rows.responsibilities.append(
                {
                    "id": self.ids.take("responsibilities"),
                    "unit_id": unit,
                    "seq": seq,
                    "text": text.format(topic=label, **params),
                    "topics": topic,
                    "jurisdiction_code": place.code,
                }
            )

    def duty_phone(self, place: Place) -> str:
        return f"0856-{int(place.code[-4:]) % 9000 + 1000:04d}{len(self.rows.units) % 1000:03d}"

    # -- city and county ---------------------------------------------------------------------
    def government(self, place: Place) -> None:
        """Bureau, departments, command HQ with 17 specialised HQs, member units."""
        s, c = self.structure, place.code
        is_city = place.level == "city"
        head_title, vice_title = ("市长", "副市长") if is_city else ("县(区)长", "副县(区)长")
        dept_suffix = "科" if is_city else "股"
        bureau = self.unit(
            place, f"{c}-YJJ", f"{place.name}应急管理局", "bureau", duty_phone=self.duty_phone(place)
        )
        chief = self.person(place, "应急管理局局长")
        self.post(chief, bureau, place, "局长", "chief")
        deputies = [self.person(place, "应急管理局副局长") for _ in range(3)]
        for i, d in enumerate(deputies, 1):
            self.post(d, bureau, place, "副局长", "deputy", i)
        for i, dept in enumerate(s["bureau_departments"]):
            name = dept["name"].replace("科", dept_suffix) if not is_city else dept["name"]
            topic = dept["topics"][0] if dept["topics"] else None
            uid = self.unit(
                place,
                f"{c}-YJJ-D{i + 1:02d}",
                name,
                "department",
                topic=topic,
                parent=bureau,
                sort=i,
                duty_phone=self.duty_phone(place) if dept.get("duty") else None,
            )
            head = self.person(place, f"{name}负责人")
            self.post(head, uid, place, "负责人", "chief")
            staff = self.person(place, f"{name}工作人员")
            self.post(staff, uid, place, "工作人员", "member", 1)
            if dept.get("duty"):
                for leader in [chief, *deputies]:
                    self.post(leader, uid, place, "带班领导", "duty_leader", 2)
                for k in range(6):
                    officer = self.person(place, "值班员")
                    self.post(officer, uid, place, "值班员", "duty_officer", 3 + k)
                    self.refs.setdefault(f"duty_officer:{c}", officer)
            if "防汛" in name:
                self.refs.setdefault(f"staff:{c}", staff)
            self.duties(uid, place, "department", topic)
        self.refs.setdefault(f"bureau_deputy:{c}", deputies[0])

        hq = self.unit(
            place,
            f"{c}-ZHB",
            f"{place.name}应急救援总指挥部",
            "command_hq",
            duty_phone=self.duty_phone(place),
        )
        mayor = self.person(place, head_title)
        exec_vice = self.person(place, f"常务{vice_title}")
        self.post(mayor, hq, place, "总指挥", "chief")
        self.post(exec_vice, hq, place, "常务副总指挥", "deputy", 1)
        self.post(chief, hq, place, "副总指挥", "deputy", 2)
        self.duties(hq, place, "command_hq", None)
        office = self.unit(
            place,
            f"{c}-ZHB-BGS",
            f"{place.name}应急救援总指挥部办公室",
            "hq_office",
            parent=hq,
            duty_phone=self.duty_phone(place),
        )
        self.post(chief, office, place, "办公室主任", "director")
        self.refs.setdefault(f"commander:{c}", mayor)

        members: dict[str, tuple[int, int, int]] = {}
        for i, name in enumerate(s["member_units"]):
            local = name if is_city else name.replace("支队", "大队")
            uid = self.unit(place, f"{c}-M{i + 1:02d}", f"{place.name}{local}", "member_unit", sort=i)
            head = self.person(place, f"{local}主要负责人")
            liaison = self.person(place, f"{local}应急联络员")
            self.post(head, uid, place, "主要负责人", "chief")
            self.post(liaison, uid, place, "联络员", "liaison", 1)
            members[name] = (uid, head, liaison)

        vices = [self.person(place, vice_title) for _ in range(VICE_HEADS)]
        for i, spec in enumerate(s["special_hqs"]):
            topic = spec["topic"]
            lead_uid, lead_head, lead_liaison = members[spec["lead"]]
            sid = self.unit(
                place,
                f"{c}-ZX-{topic}",
                f"{place.name}{spec['name']}",
                "special_hq",
                topic=topic,
                parent=hq,
                sort=i,
                duty_phone=self.duty_phone(place),
            )
            self.post(vices[i % VICE_HEADS], sid, place, "指挥长", "chief")
            self.post(lead_head, sid, place, "副指挥长", "deputy", 1)
            self.post(lead_liaison, sid, place, "办公室主任", "director", 2)
            self.duties(sid, place, "special_hq", topic)
            self._member(sid, lead_uid, place, "lead")
            self.duties(lead_uid, place, "lead_unit", topic, hq=f"{place.name}{spec['name']}")
            for m in spec["members"]:
                muid = members[m][0]
                self._member(sid, muid, place, "member")
                self.duties(muid, place, "member_unit", topic, hq=f"{place.name}{spec['name']}")

    def _member(self, hq: int, member: int, place: Place, role: str) -> None:
        self.rows.unit_memberships.append(
            {
                "id": self.ids.take("unit_memberships"),
                "hq_id": hq,
                "member_id": member,
                "role": role,
                "jurisdiction_code": place.code,
            }
        )

    # -- town, village, group ----------------------------------------------------------------
    def grid_cell(self, place: Place, level: int, parent: int | None, rng) -> int:
        gid = self.ids.take("grid_cells")
        households = population = None
        if level == 3:
            households = int(rng.integers(25, 91))
            population = int(households * rng.uniform(2.8, 3.6))
        self.rows.grid_cells.append(
            {
                "id": gid,
                "code": place.code,
                "name": place.name,
                "level": level,
                "jurisdiction_code": place.code,
                "parent_id": parent,
                "households": households,
                "population": population,
                "note": None,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        return gid

    def assign(self, cell: int, person: int, role: str, place: Place, duties: str | None = None) -> None:
        self.rows.grid_assignments.append(
            {
                "id": self.ids.take("grid_assignments"),
                "grid_cell_id": cell,
                "person_id": person,
                "role": role,
                "jurisdiction_code": place.code,
                "duties": duties,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )

    def town(self, town: Place) -> int:
        c = town.code
        head_title = (
            "街道办事处主任"
            if town.name.endswith("街道")
            else ("乡长" if town.name.endswith("乡") else "镇长")
        )
        committee = self.unit(
            town,
            f"{c}-YJW",
            f"{town.name}应急管理委员会",
            "emergency_committee",
            duty_phone=self.duty_phone(town),
        )
        secretary = self.person(town, "党(工)委书记")
        head = self.person(town, head_title)
        vice = [self.person(town, "分管应急副职"), self.person(town, "武装部长")]
        self.post(secretary, committee, town, "主任", "chief")
        self.post(head, committee, town, "主任", "chief", 1)
        for i, v in enumerate(vice, 2):
            self.post(v, committee, town, "副主任", "deputy", i)
        self.duties(committee, town, "emergency_committee", None)
        office = self.unit(
            town,
            f"{c}-YJB",
            f"{town.name}应急管理办公室",
            "committee_office",
            parent=committee,
            duty_phone=self.duty_phone(town),
        )
        director = self.person(town, "应急管理办公室主任")
        self.post(director, office, town, "主任", "director")
        staff = [self.person(town, "应急专干") for _ in range(3)]
        for i, p in enumerate(staff, 1):
            self.post(p, office, town, "值班员", "duty_officer", i)
        self.duties(office, town, "committee_office", None)
        for i, wg in enumerate(self.structure["town_working_groups"]):
            uid = self.unit(
                town,
                f"{c}-GZZ-{wg['topic']}",
                f"{town.name}{wg['name']}",
                "working_group",
                topic=wg["topic"],
                parent=committee,
                sort=i,
            )
            self.post(vice[i % 2], uid, town, "组长", "chief")
            self.post(staff[i % 3], uid, town, "成员", "member", 1)
            self.duties(uid, town, "working_group", wg["topic"])
        cell = self.grid_cell(town, 1, None, None)
        self.assign(cell, secretary, "leader", town, "一级网格长(双网格长)")
        self.assign(cell, head, "leader", town, "一级网格长(双网格长)")
        self.refs.setdefault("town_officer", director)
        return cell

    def village(self, village: Place, town_cell: int) -> int:
        station = self.unit(village, f"{village.code}-YJZ", f"{village.name}应急服务站", "service_station")
        secretary = self.person(village, "村(社区)党组织书记")
        director = self.person(village, "村(居)委会主任")
        informant = self.person(village, "灾害信息员")
        self.post(secretary, station, village, "站长", "chief")
        self.post(director, station, village, "副站长", "deputy", 1)
        self.post(informant, station, village, "灾害信息员", "info_officer", 2)
        self.duties(station, village, "service_station", None)
        cell = self.grid_cell(village, 2, town_cell, None)
        self.assign(cell, secretary, "leader", village, "二级网格长")
        self.refs.setdefault("grid_leader", secretary)
        return cell

    def group(self, group: Place, village_cell: int) -> None:
        rng = rng_for(self.seed, group.code)
        cell = self.grid_cell(group, 3, village_cell, rng)
        for k in range(1 + int(rng.binomial(2, GRID_WORKER_EXTRA_P))):
            origin = WORKER_ORIGINS[int(rng.integers(0, len(WORKER_ORIGINS)))]
            title = "村民小组长" if k == 0 else (f"应急网格员({origin})" if origin else "应急网格员")
            pid = self.person(group, title)
            self.assign(cell, pid, "worker", group, "巡查、预警信息传递、群众转移")
            if k == 0:
                self.assign(cell, pid, "leader", group, "三级网格长")
            self.refs.setdefault("grid_worker", pid)
