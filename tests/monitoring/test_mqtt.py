"""MQTT ingest against the real broker (Mosquitto at 127.0.0.1:1883): a topic per sensor, single
readings and batches, bad payloads counted, QoS 1 messages that arrive while the subscriber is away
delivered later (persistent session), and the ``yingji ingest mqtt://…`` command."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import timedelta

import paho.mqtt.client as paho
import pytest
from click.testing import CliRunner
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from tests.monitoring.conftest import make_point, make_sensor, principal_of, uid
from yingji.core import clock
from yingji.monitoring.cli import ingest as ingest_command
from yingji.monitoring.models import Reading, Rejection, Sensor
from yingji.monitoring.mqtt import Source, Subscriber, parse_url

HOST, PORT = "127.0.0.1", 1883


def _broker_up() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


if not _broker_up():
    if os.environ.get("YINGJI_REQUIRE_MQTT") == "1":
        pytest.fail(f"YINGJI_REQUIRE_MQTT=1 but no MQTT broker answers at {HOST}:{PORT}", pytrace=False)
    pytestmark = pytest.mark.skip(reason=f"no MQTT broker at {HOST}:{PORT} (start Mosquitto; CI requires it)")


def publish(messages: list[tuple[str, bytes]], qos: int = 1) -> None:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uid()}")
    client.connect(HOST, PORT)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=qos) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def stored(db, code: str) -> int:
    with db.reading() as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == code))
        return session.scalar(select(func.count()).where(Reading.sensor_id == sid))


def wait_for(check, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_the_url_names_broker_and_topic():
    assert parse_url("mqtt://10.0.0.5:1884/tongren/sensors/#") == Source(
        "10.0.0.5", 1884, "tongren/sensors/#"
    )
    assert parse_url("mqtts://u:p%40ss@broker") == Source(
        "broker", 8883, "yingji/sensors/#", True, "u", "p@ss"
    )
    with pytest.raises(ValueError):
        parse_url("http://broker/x")


def test_readings_over_mqtt_are_stored_and_bad_ones_counted(city):
    db = city.db
    prefix = f"yj-test-{uid()}"
    point = make_point(db, city.group_a)
    gauge = make_sensor(db, point, "rain_gauge")
    meter = make_sensor(db, point, "crack_meter")
    now = clock.now().replace(microsecond=0)
    sub = Subscriber(
        db, Source(HOST, PORT, f"{prefix}/#"), principal_of(db, "county"), client_id=f"t-{uid()}"
    )
    sub.start()
    stop = threading.Event()
    runner = threading.Thread(target=sub.run, args=(stop,), daemon=True)
    runner.start()
    try:
        batch = [{"t": (now - timedelta(minutes=5 * k)).isoformat(), "v": 0.5} for k in range(1, 7)]
        publish(
            [
                (f"{prefix}/{gauge}", json.dumps({"t": now.isoformat(), "v": 1.5}).encode()),
                (f"{prefix}/{gauge}", json.dumps(batch).encode()),  # a batch in one message
                (f"{prefix}/{meter}", json.dumps({"t": now.timestamp(), "v": 12.25}).encode()),
                (f"{prefix}/{meter}", b"{broken"),
                (f"{prefix}/{meter}", json.dumps({"t": now.isoformat(), "v": 99999}).encode()),
                (f"{prefix}/NO-SUCH-{uid()}", json.dumps({"t": now.isoformat(), "v": 1}).encode()),
            ]
        )
        assert wait_for(lambda: sub.messages >= 6)
    finally:
        stop.set()
        runner.join(10)
        sub.stop()
    assert stored(db, gauge) == 7 and stored(db, meter) == 1
    assert sub.total.accepted == 8
    assert dict(sub.total.rejected) == {"malformed": 1, "out_of_range": 1, "unknown_sensor": 1}
    with db.reading() as session:
        counted = dict(
            session.execute(
                select(Rejection.reason, Rejection.count).where(Rejection.sensor_code == meter)
            ).all()
        )
    assert counted == {"malformed": 1, "out_of_range": 1}


def test_messages_sent_while_the_subscriber_is_away_arrive_later(city):
    db = city.db
    prefix = f"yj-test-{uid()}"
    code = make_sensor(db, make_point(db, city.group_a), "water_level")
    client_id = f"t-away-{uid()}"
    principal = principal_of(db, "county")
    first = Subscriber(db, Source(HOST, PORT, f"{prefix}/#"), principal, client_id=client_id)
    first.start()  # subscribes: the broker keeps the session when it disconnects
    first.stop()
    now = clock.now().replace(microsecond=0)
    publish(
        [
            (
                f"{prefix}/{code}",
                json.dumps({"t": (now - timedelta(minutes=k)).isoformat(), "v": 300 + k}).encode(),
            )
            for k in range(5)
        ]
    )
    again = Subscriber(db, Source(HOST, PORT, f"{prefix}/#"), principal, client_id=client_id)
    again.start()
    try:
        total = again.run(max_messages=5, idle_exit_s=10)
    finally:
        again.stop()
    assert total.accepted == 5 and stored(db, code) == 5


def test_the_ingest_command(city, monkeypatch, tmp_path):
    db = city.db
    prefix = f"yj-test-{uid()}"
    code = make_sensor(db, make_point(db, city.group_a), "temperature")
    monkeypatch.setenv("YINGJI_DATABASE_URL", db.settings.database_url)
    monkeypatch.setenv("YINGJI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("YINGJI_SECRET_KEY", "tests")
    now = clock.now().replace(microsecond=0)
    messages = [
        (f"{prefix}/{code}", json.dumps({"t": (now - timedelta(minutes=k)).isoformat(), "v": 20.5}).encode())
        for k in range(3)
    ]
    timer = threading.Timer(1.5, publish, args=(messages,))
    timer.start()
    result = CliRunner().invoke(
        ingest_command,
        [
            f"mqtt://{HOST}:{PORT}/{prefix}/#",
            "--as",
            "county",
            "--client-id",
            f"t-cli-{uid()}",
            "--max-messages",
            "3",
            "--idle-exit",
            "20",
        ],
    )
    timer.join()
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["messages"] == 3 and out["accepted"] == 3
    assert stored(db, code) == 3


def test_the_ingest_command_reads_a_file(city, monkeypatch, tmp_path):
    db = city.db
    code = make_sensor(db, make_point(db, city.group_a), "humidity")
    monkeypatch.setenv("YINGJI_DATABASE_URL", db.settings.database_url)
    monkeypatch.setenv("YINGJI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("YINGJI_SECRET_KEY", "tests")
    path = tmp_path / "readings.json"
    path.write_text(
        json.dumps(
            [{"sensor": code, "t": clock.now().isoformat(), "v": 77.0}, {"sensor": code, "t": "x", "v": 1}]
        )
    )
    result = CliRunner().invoke(ingest_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rejected_by_reason"] == {"malformed": 1}
    assert stored(db, code) == 1
    bad = CliRunner().invoke(ingest_command, ["mqtt://"])
    assert bad.exit_code != 0
