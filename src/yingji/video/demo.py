"""Demo video points: one village video room (村级视频室) in every village, and in every town a few
天网 cameras at the town centre and 雪亮 cameras along the roads out of it — deterministic device IDs
(GB/T 28181 rule A: the county's centre code, type 132 network camera or 131 camera, a serial) and
positions from the seed, bulk-inserted; the audit log gets one summary entry. Without a media
gateway the demo cameras carry no stream address (YINGJI_VIDEO_HLS_TEMPLATE gives them one)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction
from yingji.video.codes import CameraStatus
from yingji.video.models import Camera

SKYNET_PER_TOWN = 3
XUELIANG_PER_TOWN = 2
STATUS_P = (0.9, 0.07, 0.03)  # online, offline, fault
STATUSES = tuple(s.value for s in CameraStatus)  # online, offline, fault: STATUS_P in this order
INDUSTRY = {"skynet": "00", "xueliang": "01", "village_room": "05"}


def device_id(county: str, kind: str, type_code: str, serial: int) -> str:
    return f"{county[:6]}00{INDUSTRY[kind]}{type_code}{serial:07d}"


def places(db: Database, top: str) -> tuple[list, list]:
    with db.reading() as session:
        rows = session.execute(
            select(
                Jurisdiction.code, Jurisdiction.name, Jurisdiction.level, Jurisdiction.lon, Jurisdiction.lat
            )
            .where(Jurisdiction.code.startswith(top), Jurisdiction.level.in_(("town", "village")))
            .order_by(Jurisdiction.code)
        ).all()
    towns = [r for r in rows if r.level == "town" and r.lon is not None]
    villages = [r for r in rows if r.level == "village" and r.lon is not None]
    return towns, villages


def generate(towns, villages, seed: int) -> list[dict]:
    rng = np.random.default_rng([seed, 18])
    now = clock.now()
    serials: dict[str, int] = {}
    rows: list[dict] = []

    def add(place, kind, type_code, name, lon, lat, address, owner):
        county = place.code[:6]
        serials[county] = serials.get(county, 0) + 1
        status = STATUSES[int(rng.choice(3, p=STATUS_P))]
        rows.append(
            {
                "device_id": device_id(county, kind, type_code, serials[county]),
                "name": name,
                "kind": kind,
                "jurisdiction_code": place.code,
                "owner_unit": owner,
                "lon": round(float(lon), 6),
                "lat": round(float(lat), 6),
                "address": address,
                "status": status,
                "hls_url": None,
                "flv_url": None,
                "webrtc_url": None,
                "active": True,
                "note": None,
                "created_at": now,
                "updated_at": now,
            }
        )

    for t in towns:
        for i in range(SKYNET_PER_TOWN):
            dx, dy = rng.normal(0, 0.004, 2)
            add(
                t,
                "skynet",
                "132",
                f"{t.name}天网{i + 1}号",
                t.lon + dx,
                t.lat + dy,
                f"{t.name}集镇",
                "县公安局",
            )
        for i in range(XUELIANG_PER_TOWN):
            angle, dist = rng.uniform(0, 2 * np.pi), rng.uniform(0.01, 0.03)
            lon, lat = t.lon + dist * np.cos(angle), t.lat + dist * np.sin(angle)
            add(t, "xueliang", "132", f"{t.name}雪亮{i + 1}号", lon, lat, f"{t.name}进出路口", "县委政法委")
    for v in villages:
        dx, dy = rng.normal(0, 0.0008, 2)
        short = v.name.removesuffix("村民委员会").removesuffix("居民委员会")  # 瓦屋村, 北门社区
        committee = v.name if v.name != short else f"{short}委员会"
        room = f"{short}村级视频室" if short.endswith("村") else f"{short}视频室"
        add(v, "village_room", "131", room, v.lon + dx, v.lat + dy, committee, committee)
    return rows


def build(db, data, options, progress) -> None:
    """The demo's cameras and village video rooms."""
    towns, villages = places(db, data.top)
    rows = generate(towns, villages, options.seed)
    actor = Actor.system("demo")
    for i in range(0, len(rows), 5000):
        with db.writing(actor) as session:
            session.execute(insert(Camera), rows[i : i + 5000])
    with db.writing(actor) as session:
        counts = {k: sum(1 for r in rows if r["kind"] == k) for k in INDUSTRY}
        audit.record(session, "demo.build", "video_cameras", data.top, after=counts, note="demo cameras")
    if progress:
        progress("cameras", len(rows), len(rows))
