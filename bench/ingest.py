"""Sensor-reading ingest: through the service layer, the HTTP batch endpoint and MQTT, and the alarm
latency from a reading to its alarm row.

All in one run on fresh databases with 2,000 rain gauges and 200 gas sensors (default alarm rules in
force, every batch evaluated: 1 h / 3 h / 24 h rain windows, rates, thresholds):

1. service: ``ingest.ingest`` in batches of 10,000 readings in time order (goal ≥ 100,000/s);
2. HTTP: ``POST /api/v1/readings`` on a real uvicorn server (another process), one client, batches of
   10,000 readings as JSON (goal ≥ 20,000/s);
3. MQTT: one reading per message on a topic per sensor, published by two other processes (sensors are
   many devices; one Python publisher alone tops out near 11,000 QoS 1 messages/s) to Mosquitto
   (127.0.0.1:1883) at QoS 0 and QoS 1, ingested by the subscriber of ``yingji ingest`` (goal ≥ 10,000/s);
4. alarm latency: a gas reading over its limit published over MQTT, until its alarm row is readable
   (p99 goal < 1 s).

Each rate has as baseline a raw bulk insert of exactly the same rows with the bare driver (sqlite3
``executemany`` / PostgreSQL ``COPY``) into the same table, measured in the same run.

    python -m bench.ingest
    python -m bench.ingest --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import httpx
import numpy as np
from sqlalchemy import func, select, text

from bench.common import fresh_database, report
from yingji.auth import service as auth_service
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.monitoring import ingest, sensors, store
from yingji.monitoring.models import Alarm, Reading, Sensor
from yingji.monitoring.mqtt import Source, Subscriber
from yingji.monitoring.parse import Parsed
from yingji.monitoring.schemas import SensorIn
from yingji.org.models import Jurisdiction

GOALS = {"service": 100_000, "http": 20_000, "mqtt": 10_000, "latency_p99_s": 1.0}
GAUGES, GASES = 2000, 200
BATCH = 10_000
PUBLISHERS = 2
BROKER = ("127.0.0.1", 1883)
SYSTEM = Principal.system(what="bench")


def setup(db: Database) -> str:
    """Places, sensors and an API token of a county officer; returns the token."""
    with db.writing(Actor.system("bench")) as session:
        session.add(Jurisdiction(code="52", name="贵州省", level="province"))
        session.add(Jurisdiction(code="5206", name="铜仁市", level="city", parent_code="52"))
        session.add(Jurisdiction(code="520628", name="松桃苗族自治县", level="county", parent_code="5206"))
        session.flush()
        for i in range(GAUGES):
            sensors.create(
                session,
                SYSTEM,
                SensorIn(code=f"RG{i:05d}", name=f"雨量计{i}", kind="rain_gauge", jurisdiction_code="520628"),
            )
        for i in range(GASES):
            sensors.create(
                session,
                SYSTEM,
                SensorIn(code=f"GS{i:05d}", name=f"可燃气体{i}", kind="gas_lel", jurisdiction_code="520628"),
            )
        user = auth_service.create_user(
            session,
            SYSTEM,
            username="bench",
            password="Gauge#Rain-7731",
            display_name="bench",
            role="county_officer",
            jurisdiction_code="520628",
        )
        secret, _ = auth_service.create_token(session, SYSTEM, user, "bench")
    return secret


def readings(steps: int, offset_steps: int, seed: int) -> tuple[list[str], list[int], list[float]]:
    """Rain of every gauge every 5 minutes (light, a few tenths of a millimetre), in time order."""
    rng = np.random.default_rng(seed)
    end = clock.now().replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5 + 5 * offset_steps)
    codes = [f"RG{i:05d}" for i in range(GAUGES)]
    out_c, out_t, out_v = [], [], []
    for k in range(steps):
        t = store.us_of(end - timedelta(minutes=5 * (steps - 1 - k)))
        out_c += codes
        out_t += [t] * GAUGES
        out_v += np.round(rng.gamma(1.2, 0.08, GAUGES), 1).tolist()
    return out_c, out_t, out_v


def raw_rate(db: Database, ids: dict[str, int], data) -> float:
    """Readings per second of a raw bulk insert of the same rows (the floor of any loader)."""
    codes, t, v = data
    rows = list(zip([ids[c] for c in codes], store.db_text(np.asarray(t, dtype=np.int64)), v, strict=True))
    with db.writing(Actor.system("bench")) as session:
        session.execute(text("DELETE FROM sensor_readings"))
        store.ensure_partitions(session, t)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        if db.kind == "sqlite":
            cur.execute("BEGIN")
            cur.executemany("INSERT INTO sensor_readings (sensor_id, at, value) VALUES (?, ?, ?)", rows)
        else:
            with cur.copy("COPY sensor_readings (sensor_id, at, value) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()
        return len(rows) / (time.perf_counter() - started)
    finally:
        raw.close()


def sensor_ids(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return dict(session.execute(select(Sensor.code, Sensor.id)).all())


def stored(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Reading))


# -- 1. service -------------------------------------------------------------------------------------
def bench_service(db: Database, data) -> tuple[float, int]:
    codes, t, v = data
    alarms = 0
    started = time.perf_counter()
    for i in range(0, len(codes), BATCH):
        parsed = Parsed(codes[i : i + BATCH], t[i : i + BATCH], v[i : i + BATCH])
        with db.writing(Actor.system("bench")) as session:
            alarms += len(ingest.ingest(session, SYSTEM, parsed, source="bench").alarms_raised)
    return len(codes) / (time.perf_counter() - started), alarms


# -- 2. HTTP ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(db: Database, token: str, data) -> float:
    port = free_port()
    env = dict(
        os.environ,
        YINGJI_DATABASE_URL=db.settings.database_url,
        YINGJI_SECRET_KEY="bench",
        YINGJI_INPROCESS_WORKER="0",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "yingji.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # a loaded machine takes its time to import the app
            if server.poll() is not None:
                raise SystemExit("the HTTP server exited")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        codes, t, v = data
        bodies = [
            json.dumps(
                [
                    {"sensor": c, "t": x / 1e6, "v": y}
                    for c, x, y in zip(codes[i : i + BATCH], t[i : i + BATCH], v[i : i + BATCH], strict=True)
                ]
            ).encode()
            for i in range(0, len(codes), BATCH)
        ]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(timeout=120) as client:
            started = time.perf_counter()
            accepted = 0
            for body in bodies:
                r = client.post(base + "/api/v1/readings", content=body, headers=headers)
                r.raise_for_status()
                accepted += r.json()["accepted"]
            elapsed = time.perf_counter() - started
        assert accepted == len(codes), f"HTTP accepted {accepted} of {len(codes)}"
        return len(codes) / elapsed
    finally:
        server.terminate()
        server.wait(10)


# -- 3. MQTT and 4. latency ----------------------------------------------------------------------------
def _publish(prefix: str, messages: list[tuple[str, str]], qos: int, go, k: int) -> None:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}-{k}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(*BROKER)
    client.loop_start()
    go.wait()
    infos = [client.publish(f"{prefix}/{code}", payload, qos=qos) for code, payload in messages]
    for info in infos[-1000:]:
        info.wait_for_publish(120)
    client.disconnect()
    client.loop_stop()


def bench_mqtt(db: Database, data, qos: int) -> float:
    prefix = f"bench-{os.getpid()}-{qos}"
    codes, t, v = data
    messages = [(c, json.dumps({"t": x / 1e6, "v": y})) for c, x, y in zip(codes, t, v, strict=True)]
    sub = Subscriber(
        db, Source(*BROKER, f"{prefix}/#"), SYSTEM, client_id=f"bench-sub-{prefix}", qos=1, batch_size=BATCH
    )
    sub.start()
    stop = threading.Event()
    runner = threading.Thread(target=sub.run, args=(stop,), daemon=True)
    runner.start()
    go = multiprocessing.Event()
    publishers = [  # sensors are many devices: the messages come from several processes
        multiprocessing.Process(target=_publish, args=(prefix, messages[k::PUBLISHERS], qos, go, k))
        for k in range(PUBLISHERS)
    ]
    for p in publishers:
        p.start()
    time.sleep(1.5)  # the publishers connect
    started = time.perf_counter()
    go.set()
    deadline = started + 300
    while (
        sub.total.accepted + sum(sub.total.rejected.values()) < len(messages)
        and time.perf_counter() < deadline
    ):
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop.set()
    runner.join(10)
    sub.stop()
    for p in publishers:
        p.join(30)
    got = sub.total.accepted
    assert got == len(messages), f"MQTT stored {got} of {len(messages)} (rejected {dict(sub.total.rejected)})"
    return got / elapsed


def bench_latency(db: Database, trials: int = 200) -> list[float]:
    """Seconds from publishing a gas reading over its limit to its alarm row being readable."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    prefix = f"bench-latency-{os.getpid()}"
    sub = Subscriber(db, Source(*BROKER, f"{prefix}/#"), SYSTEM, client_id=f"bench-lat-{os.getpid()}", qos=1)
    sub.start()
    stop = threading.Event()
    runner = threading.Thread(target=sub.run, args=(stop,), daemon=True)
    runner.start()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-lat-pub-{os.getpid()}")
    client.connect(*BROKER)
    client.loop_start()
    ids = sensor_ids(db)
    out = []
    try:
        for k in range(trials):
            code = f"GS{k % GASES:05d}"
            sid = ids[code]
            with db.reading() as session:
                before = session.scalar(select(func.count()).where(Alarm.sensor_id == sid))
            low = {"t": clock.now().timestamp(), "v": 1.0}
            client.publish(f"{prefix}/{code}", json.dumps(low), qos=1).wait_for_publish(10)  # clears
            time.sleep(0.25)
            started = time.perf_counter()
            high = {"t": clock.now().timestamp() + 0.001, "v": 60.0}
            client.publish(f"{prefix}/{code}", json.dumps(high), qos=1)
            while True:
                with db.reading() as session:
                    if session.scalar(select(func.count()).where(Alarm.sensor_id == sid)) > before:
                        break
                if time.perf_counter() - started > 10:
                    raise RuntimeError("no alarm within 10 s")
                time.sleep(0.002)
            out.append(time.perf_counter() - started)
            time.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
        stop.set()
        runner.join(10)
        sub.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    parser.add_argument(
        "--steps", type=int, default=100, help="5-minute steps of every gauge for the service figure"
    )
    parser.add_argument(
        "--only-service", action="store_true", help="run only the service step (and its raw baseline)"
    )
    args = parser.parse_args()
    # in time order: the service's readings first, then HTTP's, then MQTT's (newer each time)
    quarter = args.steps // 4
    service_data = readings(args.steps, offset_steps=args.steps // 2 + 2 * quarter, seed=1)
    http_data = readings(args.steps // 2, offset_steps=2 * quarter, seed=2)
    mqtt_data = readings(quarter, offset_steps=quarter, seed=3)
    mqtt1_data = readings(quarter, offset_steps=0, seed=4)
    with (
        fresh_database(args.database_url, "ingest") as db,
        fresh_database(args.database_url, "raw") as raw_db,
    ):
        token = setup(db)
        setup(raw_db)
        kind = db.kind
        ids = sensor_ids(raw_db)
        service, alarms = bench_service(db, service_data)
        service_raw = raw_rate(raw_db, ids, service_data)
        if args.only_service:
            print(
                json.dumps(
                    {
                        "name": f"ingest_{kind}_service",
                        "figure": round(service),
                        "alarms": alarms,
                        "baseline": round(service_raw),
                        "ratio": round(service / service_raw, 3),
                    }
                )
            )
            return
        http = bench_http(db, token, http_data)
        http_raw = raw_rate(raw_db, ids, http_data)
        mqtt0 = bench_mqtt(db, mqtt_data, qos=0)
        mqtt1 = bench_mqtt(db, mqtt1_data, qos=1)
        mqtt_raw = raw_rate(raw_db, ids, mqtt_data)
        latency = bench_latency(db)
        total = stored(db)
    p50, p99 = (float(np.percentile(latency, q)) for q in (50, 99))
    n_service, n_http, n_mqtt = len(service_data[0]), len(http_data[0]), len(mqtt_data[0])

    def line(rate: float, raw: float, goal: float) -> str:
        verdict = "met" if rate >= goal else "NOT MET"
        return f"{rate:>10,.0f}/s   raw {raw:>10,.0f}/s   ratio {rate / raw:.2f}   goal ≥ {goal:,}  {verdict}"

    verdict = "met" if p99 < GOALS["latency_p99_s"] else "NOT MET"
    latency_line = f"p50 {p50 * 1000:.0f} ms   p99 {p99 * 1000:.0f} ms   goal p99 < 1 s  {verdict}"

    report(
        f"ingest_{kind}",
        [
            ("database", kind),
            ("sensors", f"{GAUGES} rain gauges + {GASES} gas sensors, default rules evaluated per batch"),
            (
                f"service, {n_service:,} readings in batches of {BATCH:,}",
                line(service, service_raw, GOALS["service"]),
            ),
            ("  alarms raised", str(alarms)),
            (f"HTTP POST /api/v1/readings, {n_http:,} readings", line(http, http_raw, GOALS["http"])),
            (f"MQTT QoS 0, {n_mqtt:,} messages of one reading", line(mqtt0, mqtt_raw, GOALS["mqtt"])),
            (f"MQTT QoS 1, {n_mqtt:,} messages of one reading", line(mqtt1, mqtt_raw, GOALS["mqtt"])),
            ("alarm latency reading → alarm row (MQTT)", latency_line),
            ("readings stored", f"{total:,}"),
        ],
        {
            "figure": round(service),
            "unit": "readings/s",
            "baseline": round(service_raw),
            "ratio": round(service / service_raw, 3),
            "goal": GOALS["service"],
            "http": round(http),
            "http_baseline": round(http_raw),
            "http_ratio": round(http / http_raw, 3),
            "mqtt_qos0": round(mqtt0),
            "mqtt_qos1": round(mqtt1),
            "mqtt_baseline": round(mqtt_raw),
            "mqtt_ratio": round(mqtt0 / mqtt_raw, 3),
            "alarm_latency_p50_ms": round(p50 * 1000, 1),
            "alarm_latency_p99_ms": round(p99 * 1000, 1),
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()
