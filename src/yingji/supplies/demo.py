"""Demo supplies for Tongren at the seed-003 scale: 181 town stores and 2,911 village stores (of the
2,947 villages, so the gap report shows villages without one), county stores and the city store; the
32-category catalogue; about 260,000 items as opening receipts in the ledger (some batches near
expiry, some held for the city: 代储); the 325 named town keepers (as people with posts); and the
"五定" maintenance schedules with the tasks now due.

Rows are built in memory and bulk-inserted (the ledger rows, balances and documents too); the demo
``keeper`` login is tied to the keeper of its town's store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import numpy as np
from sqlalchemy import func, insert, select, text

from yingji.auth import audit
from yingji.auth.models import User
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.models import Base
from yingji.supplies import catalogue, maintenance, rules
from yingji.supplies.models import Item

TOWN_STORES, VILLAGE_STORES, VILLAGES, TOWNS = 181, 2911, 2947, 181  # seed 003
TOWN_KEEPERS = 325  # seed 003: 325名乡镇应急物资管理责任人
TARGET_UNITS = 260_000  # seed 003: 储备32类近26万件
MISSING_P = {"city": 0.02, "county": 0.05, "town": 0.12, "village": 0.2}
TABLES = [
    "people",
    "positions",
    "supply_warehouses",
    "supply_keepers",
    "supply_batches",
    "supply_documents",
    "supply_document_lines",
    "supply_balances",
    "supply_movements",
    "supply_maintenance_schedules",
    "supply_maintenance_tasks",
    "jobs",
]
CHUNK = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力国春梅林斌宇浩凯鹏飞云海波"


def _located(rows: list[dict], level: str, counties: list[str] | None) -> list[dict]:
    keep = [r for r in rows if r["level"] == level and r["lon"] is not None]
    if counties and level != "city":
        keep = [r for r in keep if r["code"][:6] in counties]
    return sorted(keep, key=lambda r: r["code"])


class Maker:
    """Builds the rows; ids continue after what the tables already hold."""

    def __init__(self, seed: int, start: dict[str, int], items: dict[str, dict]) -> None:
        self.rng = np.random.default_rng([seed, 5])
        self.now = clock.now()
        self.today = maintenance.today()
        self.next = dict(start)
        self.items = items
        self.rows: dict[str, list[dict]] = {t: [] for t in TABLES}

    def take(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def store(self, place: dict, level: str, name: str, area: float, road: str, note: str | None) -> dict:
        jitter = self.rng.normal(0, 0.004, 2)
        row = {
            "id": self.take("supply_warehouses"),
            "code": f"CK{place['code']}",
            "name": name,
            "level": level,
            "jurisdiction_code": place["code"],
            "area_m2": round(area, 1),
            "lon": round(place["lon"] + float(jitter[0]), 5),
            "lat": round(place["lat"] + float(jitter[1]), 5),
            "address": None,
            "road_access": road,
            "road_note": note,
            "active": True,
            "note": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.rows["supply_warehouses"].append(row)
        return row

    def keeper(self, store: dict, person_id: int, role: str = "keeper") -> None:
        self.rows["supply_keepers"].append(
            {
                "id": self.take("supply_keepers"),
                "warehouse_id": store["id"],
                "person_id": person_id,
                "role": role,
                "jurisdiction_code": store["jurisdiction_code"],
            }
        )

    def person(self, place_code: str, unit_id: int | None) -> int:
        pid = self.take("people")
        name = SURNAMES[int(self.rng.integers(len(SURNAMES)))] + "".join(
            GIVEN[int(i)] for i in self.rng.integers(0, len(GIVEN), 1 + int(self.rng.random() < 0.7))
        )
        self.rows["people"].append(
            {
                "id": pid,
                "name": name,
                "gender": "M" if self.rng.random() < 0.7 else "F",
                # "173" is no prefix of the organisation's numbers; 7919 makes serial → number a bijection.
                "mobile": "173" + f"{(pid * 7919 + 2468) % 10**8:08d}",
                "office_phone": None,
                "email": None,
                "title": "应急物资管理责任人",
                "jurisdiction_code": place_code,
                "note": None,
                "active": True,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        if unit_id is not None:
            self.rows["positions"].append(
                {
                    "id": self.take("positions"),
                    "person_id": pid,
                    "unit_id": unit_id,
                    "title": "应急物资管理责任人",
                    "role": "member",
                    "sort": 20,
                    "jurisdiction_code": place_code,
                }
            )
        return pid

    def task(self, schedule: dict) -> None:
        """The open task of a schedule already due, with its reminder jobs (what the scan would make)."""
        task_id = self.take("supply_maintenance_tasks")
        self.rows["supply_maintenance_tasks"].append(
            {
                "id": task_id,
                "schedule_id": schedule["id"],
                "warehouse_id": schedule["warehouse_id"],
                "due_on": schedule["next_due_on"],
                "status": "open",
                "result": None,
                "note": None,
                "done_at": None,
                "done_by": None,
                "done_by_id": None,
                "jurisdiction_code": schedule["jurisdiction_code"],
                "created_at": self.now,
            }
        )
        self.rows["jobs"].extend(maintenance.reminder_jobs(task_id, schedule["next_due_on"]))

    def stock(self, store: dict, wanted: dict[str, int], scale: float, seed: int) -> set[str]:
        """The opening receipt of a store: one document, one batch and movement per item held."""
        doc_id = self.take("supply_documents")
        code = store["jurisdiction_code"]
        self.rows["supply_documents"].append(
            {
                "id": doc_id,
                "kind": "receipt",
                "status": "done",
                "warehouse_id": store["id"],
                "to_warehouse_id": None,
                "jurisdiction_code": code,
                "to_jurisdiction_code": None,
                "reason": "allocation",
                "counterparty": "期初库存",
                "incident_id": None,
                "request_id": None,
                "client_key": f"demo-{seed}-{store['id']}",
                "fingerprint": "demo",
                "note": "演示数据:期初入库",
                "created_by": "system:demo",
                "created_by_id": None,
                "created_at": self.now,
                "completed_at": self.now,
            }
        )
        classes: set[str] = set()
        line_no = 0
        for item_code, standard in wanted.items():
            if self.rng.random() < MISSING_P[store["level"]]:
                continue
            qty = round(float(standard * self.rng.uniform(0.4, 1.3) * scale))
            if qty <= 0:
                continue
            owner = code
            if store["level"] == "town" and item_code in ("C05-01", "C06-01") and self.rng.random() < 0.15:
                owner = code[:4]  # 代储: the city's tents and quilts kept in a town store
            line_no += 1
            self._line(store, doc_id, line_no, self.items[item_code], qty, owner)
            if self.items[item_code]["maintenance_class"]:
                classes.add(self.items[item_code]["maintenance_class"])
        return classes

    def _line(self, store: dict, doc_id: int, line_no: int, item: dict, qty: int, owner: str) -> None:
        batch_id, line_id = self.take("supply_batches"), self.take("supply_document_lines")
        expires = None
        if item["shelf_life_months"]:
            days = item["shelf_life_months"] * 30
            expires = self.today + timedelta(days=int(self.rng.integers(-20, days)))
        code = store["jurisdiction_code"]
        self.rows["supply_batches"].append(
            {
                "id": batch_id,
                "item_id": item["id"],
                "batch_no": f"DEMO-{store['id']}",
                "owner_code": owner,
                "owner_name": "铜仁市应急管理局" if owner != code else None,
                "expires_on": expires,
                "produced_on": None,
                "jurisdiction_code": code,
                "created_at": self.now,
            }
        )
        common = {"item_id": item["id"], "batch_id": batch_id, "jurisdiction_code": code}
        self.rows["supply_document_lines"].append(
            common
            | {
                "id": line_id,
                "document_id": doc_id,
                "line_no": line_no,
                "qty": qty,
                "delta": qty,
                "counted": None,
                "reason": None,
                "received_qty": 0,
                "returned_qty": 0,
            }
        )
        self.rows["supply_balances"].append(
            common
            | {
                "id": self.take("supply_balances"),
                "warehouse_id": store["id"],
                "qty": qty,
                "updated_at": self.now,
            }
        )
        self.rows["supply_movements"].append(
            common
            | {
                "id": self.take("supply_movements"),
                "at": self.now,
                "document_id": doc_id,
                "line_id": line_id,
                "warehouse_id": store["id"],
                "kind": "receipt",
                "delta": qty,
                "balance_after": qty,
                "actor": "system:demo",
                "actor_id": None,
            }
        )


def generate(data, options, start: dict[str, int], items: dict[str, dict]) -> tuple[Maker, dict]:
    """All supplies rows, deterministic for the options' seed."""
    jur = data.tables["jurisdictions"]
    counties = options.counties
    cities = _located(jur, "city", counties)
    county_rows = _located(jur, "county", counties)
    towns = _located(jur, "town", counties)
    villages = _located(jur, "village", counties)
    m = Maker(options.seed, start, items)
    offices = {
        u["jurisdiction_code"]: u["id"]
        for u in data.tables.get("units", [])
        if u["kind"] == "committee_office"
    }
    informants = {
        p["jurisdiction_code"]: p["id"] for p in data.tables.get("people", []) if p["title"] == "灾害信息员"
    }
    stores: list[tuple[dict, str]] = []
    for c in cities:
        stores.append((m.store(c, "city", f"{c['name']}应急物资储备库", 2400, "good", None), "city"))
    for c in county_rows:
        area = float(m.rng.uniform(600, 1500))
        stores.append((m.store(c, "county", f"{c['name']}应急物资储备库", area, "good", None), "county"))
    # 325 keepers for 181 towns (seed 003): one each, a second one in the towns the draw picks.
    keepers = round(TOWN_KEEPERS * len(towns) / TOWNS)
    second = set(np.argsort(-m.rng.random(len(towns)), kind="stable")[: max(keepers - len(towns), 0)])
    login_keeper: dict[str, int] = {}
    for n, t in enumerate(towns):
        area = float(m.rng.uniform(150, 199)) if m.rng.random() < 0.08 else float(m.rng.uniform(200, 480))
        road, note = _road(m.rng)
        store = m.store(t, "town", f"{t['name']}应急物资储备库", area, road, note)
        stores.append((store, "town"))
        first = m.person(t["code"], offices.get(t["code"]))
        m.keeper(store, first)
        login_keeper[t["code"]] = first
        if n in second:
            m.keeper(store, m.person(t["code"], offices.get(t["code"])), "deputy")
    keep = round(len(villages) * VILLAGE_STORES / VILLAGES)
    chosen = sorted(np.argsort(-m.rng.random(len(villages)), kind="stable")[:keep])
    for i in chosen:
        v = villages[i]
        area = float(m.rng.uniform(22, 29.5)) if m.rng.random() < 0.05 else float(m.rng.uniform(30, 90))
        road, note = _road(m.rng)
        store = m.store(v, "village", f"{v['name']}应急物资储备室", area, road, note)
        stores.append((store, "village"))
        if v["code"] in informants:
            m.keeper(store, informants[v["code"]])
    # Fill to about 260,000 units at the full city (proportionally fewer for a few counties).
    expected = sum(
        sum(rules.default_reserve(level).values()) * (1 - MISSING_P[level]) * 0.85 for _, level in stores
    )
    full = _full_scale_expected()
    scale = TARGET_UNITS / full if full else 1.0
    schedule_start = m.today - timedelta(days=10)
    horizon = m.today + timedelta(days=rules.maintenance_horizon_days())
    for store, level in stores:
        classes = m.stock(store, rules.default_reserve(level), scale, options.seed)
        rows = maintenance.schedule_rows(store["id"], store["jurisdiction_code"], classes, schedule_start)
        for row in rows:
            row["id"] = m.take("supply_maintenance_schedules")
            m.rows["supply_maintenance_schedules"].append(row)
            if row["next_due_on"] <= horizon:
                m.task(row)
    return m, {"login_keeper": login_keeper, "expected_units": round(expected * scale)}


def _full_scale_expected() -> float:
    """Units the full Tongren build would hold before scaling (1 city, 10 counties, 181 + 2,911 stores)."""
    counts = {"city": 1, "county": 10, "town": TOWN_STORES, "village": VILLAGE_STORES}
    return sum(
        sum(rules.default_reserve(level).values()) * (1 - MISSING_P[level]) * 0.85 * n
        for level, n in counts.items()
    )


def _road(rng) -> tuple[str, str | None]:
    """Road access: seed 004 finds stores hard to reach; about one in ten here."""
    draw = rng.random()
    if draw < 0.1:
        return "poor", f"距公路约{rng.uniform(1, 6):.1f}公里,车辆无法直达"
    if draw < 0.3:
        return "limited", "通村道路狭窄,仅小型车辆通行"
    return "good", None


def build(db: Database, data, options, progress: Callable[[str, int, int], None] | None = None) -> None:
    """Write the supplies demo into a database whose organisation is built."""
    actor = Actor.system("demo")
    with db.writing(actor) as session:
        catalogue.sync_standard(session)
        items = {
            i.code: {
                "id": i.id,
                "maintenance_class": i.maintenance_class,
                "shelf_life_months": i.shelf_life_months,
            }
            for i in session.scalars(select(Item))
        }
        tables = Base.metadata.tables
        start = {t: session.scalar(select(func.coalesce(func.max(tables[t].c.id), 0))) for t in TABLES}
    maker, facts = generate(data, options, start, items)
    total = sum(len(r) for r in maker.rows.values())
    done = 0
    for name in TABLES:
        rows = maker.rows[name]
        for i in range(0, len(rows), CHUNK):
            with db.writing(actor) as session:
                session.execute(insert(Base.metadata.tables[name]), rows[i : i + CHUNK])
            done += len(rows[i : i + CHUNK])
            if progress:
                progress("supplies", done, total)
    with db.writing(actor) as session:
        if db.kind == "postgresql":
            for name in TABLES[:-1]:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
        _tie_login(session, facts["login_keeper"])
        audit.record(
            session,
            "demo.build",
            "supply_warehouses",
            data.top,
            after={name: len(rows) for name, rows in maker.rows.items()},
            note="supplies demo data generated by yingji demo",
        )


def _tie_login(session, keepers: dict[str, int]) -> None:
    """The demo ``keeper`` login keeps its town's store (if it is not tied to a person yet)."""
    user = session.scalar(select(User).where(User.username == "keeper"))
    if user is not None and user.person_id is None and user.jurisdiction_code in keepers:
        user.person_id = keepers[user.jurisdiction_code]
        session.flush()
