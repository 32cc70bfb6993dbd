"""The MQTT subscriber of ``yingji ingest mqtt://host:port/prefix/#``: one topic per sensor (the last
level is the sensor's code), JSON payloads ``{"t", "v"}`` or lists of them.

Messages are gathered into batches (a size or a time limit, whichever comes first) and go through the
same ingest as the HTTP endpoint, in one transaction per batch. With QoS 1 a message is acknowledged
to the broker only after its batch committed, and the session is persistent (MQTT 5, a fixed client id,
a week's session expiry): what arrives while the subscriber is down or before a commit is delivered
again, and the ingest's duplicate check keeps the readings once (at least once, stored once). MQTT 5's
Receive Maximum lets the broker keep many messages in flight while a batch commits (with MQTT 3.1.1
Mosquitto stops at 20 and drops what overflows its queue).

One subscriber process is bound by the Python MQTT client (about 10,000 QoS 1 or 20,000 QoS 0 messages a
second here); more processes share the stream with an MQTT 5 shared subscription on PostgreSQL, e.g.
``yingji ingest 'mqtt://broker/$share/yingji/yingji/sensors/#' --client-id ingest-N`` started several
times, each with its own client id (the per-sensor state rows are locked, so batches of the same sensor
never interleave).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from yingji.auth.scope import Principal
from yingji.core.db import Database
from yingji.monitoring import ingest
from yingji.monitoring.parse import Parsed, add_mqtt

log = logging.getLogger("yingji.monitoring.mqtt")
DEFAULT_TOPIC = "yingji/sensors/#"
RECEIVE_MAXIMUM = 65535  # MQTT 5: unacknowledged QoS 1 messages in flight to us (acked after commit)
SESSION_EXPIRY_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Source:
    host: str
    port: int
    topic: str
    tls: bool = False
    username: str | None = None
    password: str | None = None


def parse_url(url: str) -> Source:
    """``mqtt://[user:pass@]host[:port][/topic/filter]`` (``mqtts://`` for TLS)."""
    parts = urlparse(url, allow_fragments=False)  # "#" is the multi-level wildcard, not a fragment
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError("write mqtt://host:port/topic/# (or mqtts:// for TLS)")
    topic = unquote(parts.path.lstrip("/")) or DEFAULT_TOPIC
    port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    return Source(
        parts.hostname,
        port,
        topic,
        parts.scheme == "mqtts",
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


class Subscriber:
    """Subscribe, batch, ingest, acknowledge. ``run`` returns when ``stop`` is set, after
    ``max_messages`` messages, or after ``idle_exit_s`` seconds without one."""

    def __init__(
        self,
        db: Database,
        source: Source,
        principal: Principal,
        *,
        client_id: str = "yingji-ingest",
        qos: int = 1,
        batch_size: int = 5000,
        flush_s: float = 0.2,
    ) -> None:
        self.db, self.source, self.principal = db, source, principal
        self.qos, self.batch_size, self.flush_s = qos, batch_size, flush_s
        self.inbox: queue.Queue = queue.Queue()
        self.connected = threading.Event()
        self.total = ingest.IngestResult()
        self.messages = 0
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5, manual_ack=qos > 0
        )
        if source.username:
            self.client.username_pw_set(source.username, source.password)
        if source.tls:
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        client.subscribe(self.source.topic, qos=self.qos)
        self.connected.set()
        log.info("subscribed to %s on %s:%s", self.source.topic, self.source.host, self.source.port)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        if reason_code.is_failure:
            log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        self.inbox.put((message.topic, message.payload, message.mid, message.qos))

    def start(self, timeout_s: float = 10.0) -> None:
        """Connect and subscribe (raises OSError when the broker cannot be reached)."""
        props = Properties(PacketTypes.CONNECT)
        props.ReceiveMaximum = RECEIVE_MAXIMUM  # the broker may send this many unacknowledged messages
        props.SessionExpiryInterval = SESSION_EXPIRY_S  # a persistent session: queued while we are away
        self.client.connect(
            self.source.host, self.source.port, keepalive=30, clean_start=False, properties=props
        )
        self.client.loop_start()
        if not self.connected.wait(timeout_s):
            self.client.loop_stop()
            raise OSError(f"no MQTT connection to {self.source.host}:{self.source.port}")

    def stop(self) -> None:
        """Disconnect (the broker keeps the session for the next start)."""
        self.client.disconnect()
        self.client.loop_stop()

    def _take(self, deadline: float) -> list[tuple]:
        """Up to a batch of messages, waiting at most until ``deadline`` for them to come."""
        out: list[tuple] = []
        while len(out) < self.batch_size:
            try:
                out.append(self.inbox.get_nowait())
                continue
            except queue.Empty:
                pass
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
            try:
                out.append(self.inbox.get(timeout=min(wait, 0.02)))
            except queue.Empty:
                continue
        return out

    def _ingest(self, batch: list[tuple]) -> None:
        parsed = Parsed()
        for topic, payload, _mid, _qos in batch:
            add_mqtt(parsed, topic, payload)
        while True:
            try:
                with self.db.writing(self.principal.as_actor()) as session:
                    result = ingest.ingest(session, self.principal, parsed, source="mqtt")
                break
            except Exception:  # the database may be restarting: keep the batch, unacknowledged, and retry
                log.exception("ingest of %d MQTT messages failed; retrying", len(batch))
                time.sleep(2.0)
        for _topic, _payload, mid, qos in batch:
            if qos > 0:
                self.client.ack(mid, qos)
        self.total.add(result)
        self.messages += len(batch)

    def run(
        self,
        stop: threading.Event | None = None,
        *,
        max_messages: int | None = None,
        idle_exit_s: float | None = None,
    ) -> ingest.IngestResult:
        """Batch, ingest and acknowledge until stopped; returns the totals."""
        stop = stop or threading.Event()
        last_message = time.monotonic()
        while not stop.is_set():
            batch = self._take(time.monotonic() + self.flush_s)
            if batch:
                self._ingest(batch)
                last_message = time.monotonic()
                if max_messages is not None and self.messages >= max_messages:
                    break
            elif idle_exit_s is not None and time.monotonic() - last_message > idle_exit_s:
                break
        return self.total
