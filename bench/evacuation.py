"""An evacuation order over a county of Tongren (about 100,000 residents), then 100,000 household marks
from 2,000 phones.

``create_s``: issuing the order through the service (``orders.issue``: the households frozen from the
registry by one INSERT … SELECT, one task per grid cell with its grid workers, the audit entry),
committed, goal ≤ 3 s; ``baseline``: a raw bulk insert of the same household rows (values
precomputed) in one transaction; ``ratio`` = create_s / baseline.

Then 100,000 marks (about three per household, each household's marks at distinct phone times) are
shuffled, dealt to 2,000 phones by grid cell, 5 % of them sent again with the same key (an outbox
resent), and each phone's stream cut into batches of 1–50 as an outbox would flush; 8 threads send the
batches through ``marks.apply_marks``, each batch its own transaction. ``figure`` = marks per second
(the 100,000 distinct marks over the wall time; goal ≥ 2,000). ``double_counted`` and ``lost`` are
checked against what was sent: every household must end on its newest mark, the log must hold each
key once, the tally's buckets must sum to the households. ``tally_p99_ms``: a reader recomputes the
tally in a loop, one every 250 ms at most (as the overview coalesces the pushes of a busy order); for
each batch, the time from its commit to the end of the first tally that started after it (goal ≤ 1,000).

    python -m bench.evacuation
    python -m bench.evacuation --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    (or YINGJI_BENCH_PG_URL in the environment)
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import func, insert, select

from bench.common import fresh_database, median, report
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.demo import builder
from yingji.evacuation import marks, orders, tally
from yingji.evacuation.models import EvacuationHousehold, EvacuationMark, EvacuationOrder
from yingji.evacuation.schemas import MarkIn, OrderIn
from yingji.residents import demo as residents_demo

COUNTY = "520602"
RESIDENTS = 100_000
MARKS = 100_000
PHONES = 2_000
REPEAT_SHARE = 0.05
WORKERS = 8
STATES = ["moved", "moved", "self_moved", "at_relatives", "refused", "not_home"]
REFRESH_S = 0.25  # the overview's refresh: one tally per quarter second at most, whatever the pushes
GOAL_CREATE_S, GOAL_RATE, GOAL_TALLY_MS = 3.0, 2000.0, 1000.0


def build(db, seed: int = 2026) -> int:
    options = builder.DemoOptions(counties=[COUNTY], seed=seed)
    data = builder.generate(options)
    builder.write(db, data)
    groups = residents_demo.group_codes(db, COUNTY)
    return residents_demo.write(db, groups, RESIDENTS, seed)


def issue(db, principal: Principal) -> tuple[int, float]:
    started = time.perf_counter()
    with db.writing(principal.as_actor()) as session:
        order = orders.issue(session, principal, OrderIn(title="全县紧急转移（基准）", area_codes=[COUNTY]))
        order_id = order.id
    return order_id, time.perf_counter() - started


def baseline(db, principal: Principal, order_id: int) -> float:
    """A raw bulk insert of the same household rows under a fresh order row."""
    cols = [c for c in EvacuationHousehold.__table__.c if c.name != "id"]
    with db.reading() as session:
        rows = [
            dict(r._mapping)
            for r in session.execute(select(*cols).where(EvacuationHousehold.order_id == order_id))
        ]
        source = session.get(EvacuationOrder, order_id)
        values = {
            c.name: getattr(source, c.name)
            for c in EvacuationOrder.__table__.c
            if c.name not in ("id", "code", "client_key")
        }
    with db.writing(principal.as_actor()) as session:
        other = session.execute(
            insert(EvacuationOrder).values(**values, code=uuid.uuid4().hex[:20]).returning(EvacuationOrder.id)
        ).scalar_one()
    for r in rows:
        r["order_id"] = other
    started = time.perf_counter()
    with db.writing(principal.as_actor()) as session:
        session.execute(insert(EvacuationHousehold), rows)
    return time.perf_counter() - started


def plan_marks(db, order_id: int, seed: int) -> tuple[list[list[MarkIn]], dict[int, MarkIn], int]:
    """(batches in sending order, newest mark by household, distinct marks)."""
    rng = random.Random(seed)
    with db.reading() as session:
        houses = session.execute(
            select(EvacuationHousehold.id, EvacuationHousehold.grid_cell_id).where(
                EvacuationHousehold.order_id == order_id
            )
        ).all()
    base = clock.now() - timedelta(hours=3)
    sent: list[tuple[int, MarkIn]] = []
    for n in range(MARKS):
        house_id, cell = houses[n % len(houses)] if n < len(houses) else houses[rng.randrange(len(houses))]
        at = base + timedelta(seconds=rng.randint(0, 3 * 3600), microseconds=n)  # distinct per mark
        mark = MarkIn(
            household_id=house_id, state=rng.choice(STATES), marked_at=at, client_key=uuid.uuid4().hex
        )
        sent.append(((cell or house_id) % PHONES, mark))
    newest: dict[int, MarkIn] = {}
    for _, m in sent:
        if m.household_id not in newest or m.marked_at > newest[m.household_id].marked_at:
            newest[m.household_id] = m
    rng.shuffle(sent)
    streams: dict[int, list[MarkIn]] = {}
    for phone, m in sent:
        streams.setdefault(phone, []).append(m)
    for stream in streams.values():  # 5 % resent later from the same phone's outbox
        for m in [m for m in stream if rng.random() < REPEAT_SHARE]:
            stream.insert(rng.randint(stream.index(m) + 1, len(stream)), m)
    batches: list[list[MarkIn]] = []
    cursors = {phone: 0 for phone in streams}
    while cursors:
        phone = rng.choice(list(cursors))
        start = cursors[phone]
        size = rng.randint(1, 50)
        batches.append(streams[phone][start : start + size])
        if start + size >= len(streams[phone]):
            del cursors[phone]
        else:
            cursors[phone] = start + size
    return batches, newest, len(sent)


def run_marks(db, principal: Principal, order_id: int, batches: list[list[MarkIn]]) -> dict:
    work: queue.Queue = queue.Queue()
    for b in batches:
        work.put(b)
    commits: list[float] = []
    tallies: list[tuple[float, float]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def sender() -> None:
        while True:
            try:
                batch = work.get_nowait()
            except queue.Empty:
                return
            try:
                with db.writing(principal.as_actor()) as session:
                    marks.apply_marks(session, principal, order_id, batch)
                commits.append(time.perf_counter())
            except BaseException as exc:
                errors.append(exc)
                return

    def reader() -> None:
        while not done.is_set():
            started = time.perf_counter()
            with db.reading() as session:
                tally.tally(session, principal, order_id)
            tallies.append((started, time.perf_counter()))
            done.wait(max(0.0, REFRESH_S - (time.perf_counter() - started)))

    watcher = threading.Thread(target=reader)
    watcher.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    time.sleep(0.2)
    done.set()
    watcher.join()
    if errors:
        raise errors[0]
    lags = []
    starts = [s for s, _ in tallies]
    import bisect

    for c in commits:
        i = bisect.bisect_right(starts, c)
        if i < len(tallies):
            lags.append((tallies[i][1] - c) * 1000)
    lags.sort()
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else float("nan")
    return {"elapsed": elapsed, "tally_p99_ms": p99, "tallies": len(tallies), "batches": len(commits)}


def check(
    db, principal: Principal, order_id: int, newest: dict[int, MarkIn], distinct: int
) -> tuple[int, int]:
    """(double_counted, lost) against what was sent."""
    with db.reading() as session:
        logged = session.scalar(
            select(func.count()).select_from(EvacuationMark).where(EvacuationMark.order_id == order_id)
        )
        keys = session.scalar(
            select(func.count(func.distinct(EvacuationMark.client_key))).where(
                EvacuationMark.order_id == order_id
            )
        )
        final = dict(
            (hid, state)
            for hid, state in session.execute(
                select(EvacuationHousehold.id, EvacuationHousehold.state).where(
                    EvacuationHousehold.order_id == order_id
                )
            )
        )
        t = tally.tally(session, principal, order_id)
        total = session.get(EvacuationOrder, order_id).households_total
    buckets = sum(
        getattr(t, b).households for b in ("moved", "sheltered", "safe_elsewhere", "unaccounted", "returned")
    )
    double = (
        (logged - keys)
        + max(0, logged - distinct)
        + max(0, buckets - total)
        + max(0, t.threatened.households - total)
    )
    lost = sum(1 for hid, m in newest.items() if final.get(hid) != m.state.value)
    lost += max(0, distinct - logged) + max(0, total - buckets)
    return double, lost


def one_run(base_url: str | None, label: str, runs: int, seed: int) -> dict:
    with fresh_database(base_url, "evacuation") as db:
        t0 = time.perf_counter()
        residents = build(db, seed)
        print(f"[{label}] built {residents} residents in {time.perf_counter() - t0:.1f} s", flush=True)
        principal = Principal.system(COUNTY, what="bench")
        created = []
        first_order = None
        for _ in range(runs):
            order_id, seconds = issue(db, principal)
            created.append(seconds)
            first_order = first_order or order_id
        base = [baseline(db, principal, first_order) for _ in range(runs)]
        with db.reading() as session:
            order = session.get(EvacuationOrder, first_order)
            households, people = order.households_total, order.people_total
        print(
            f"[{label}] order: {households} households, {people} people; create {created} baseline {base}",
            flush=True,
        )
        batches, newest, distinct = plan_marks(db, first_order, seed)
        result = run_marks(db, principal, first_order, batches)
        double, lost = check(db, principal, first_order, newest, distinct)
        rate = distinct / result["elapsed"]
        print(
            f"[{label}] {distinct} marks ({sum(len(b) for b in batches)} sent, {len(batches)} batches) in "
            f"{result['elapsed']:.1f} s = {rate:.0f}/s; tally p99 {result['tally_p99_ms']:.0f} ms over "
            f"{result['tallies']} tallies; double {double}, lost {lost}",
            flush=True,
        )
        return {
            "households": households,
            "people": people,
            "create_s": median(created),
            "baseline": median(base),
            "figure": rate,
            "double_counted": double,
            "lost": lost,
            "tally_p99_ms": result["tally_p99_ms"],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="orders issued (the median create_s)")
    parser.add_argument("--pg", default=os.environ.get("YINGJI_BENCH_PG_URL"), help="PostgreSQL server too")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    results = {"sqlite": one_run(None, "sqlite", args.runs, args.seed)}
    if args.pg:
        results["postgresql"] = one_run(args.pg, "postgresql", args.runs, args.seed)
    rows = []
    for name, r in results.items():
        rows += [
            (f"{name}: households / people", f"{r['households']} / {r['people']}"),
            (f"{name}: create_s (goal ≤ {GOAL_CREATE_S})", f"{r['create_s']:.2f}"),
            (f"{name}: baseline raw insert s", f"{r['baseline']:.2f}"),
            (f"{name}: marks/s (goal ≥ {GOAL_RATE:.0f})", f"{r['figure']:.0f}"),
            (f"{name}: double counted / lost", f"{r['double_counted']} / {r['lost']}"),
            (f"{name}: tally p99 ms (goal ≤ {GOAL_TALLY_MS:.0f})", f"{r['tally_p99_ms']:.0f}"),
        ]
    main_result = results["sqlite"]
    out = {
        "figure": round(main_result["figure"], 1),
        "unit": "marks/s",
        "baseline": round(main_result["baseline"], 3),
        "ratio": round(main_result["create_s"] / main_result["baseline"], 2),
        "create_s": round(main_result["create_s"], 3),
        "double_counted": main_result["double_counted"],
        "lost": main_result["lost"],
        "tally_p99_ms": round(main_result["tally_p99_ms"], 1),
        "database": "sqlite",
    }
    if "postgresql" in results:
        pg = results["postgresql"]
        out["postgresql"] = {
            "figure": round(pg["figure"], 1),
            "baseline": round(pg["baseline"], 3),
            "ratio": round(pg["create_s"] / pg["baseline"], 2),
            "create_s": round(pg["create_s"], 3),
            "double_counted": pg["double_counted"],
            "lost": pg["lost"],
            "tally_p99_ms": round(pg["tally_p99_ms"], 1),
        }
    report("evacuation", rows, out)


if __name__ == "__main__":
    main()
