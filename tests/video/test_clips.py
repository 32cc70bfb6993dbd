"""视频联报 uploads: resumable in chunks (interrupted, asked, resumed), a repeated chunk changes nothing,
a chunk past the held bytes says where to resume, too big and not-a-video are refused with a
bilingual error, the clip lands on the timeline and in the audit log, and plays only in scope."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.video.conftest import first_report, settings_extra
from yingji.auth.models import AuditEntry
from yingji.incidents.models import TimelineEvent
from yingji.video.models import Clip

CHUNK = 4 * 1024


def start(client, incident_id: int, size: int, key: str | None = None, content_type: str = "video/webm"):
    body = {"client_key": key or uuid.uuid4().hex, "size_bytes": size, "content_type": content_type}
    return client.post(
        f"/api/v1/incidents/{incident_id}/clips/uploads", json=body | {"filename": "现场.webm"}
    )


def put(client, upload_id: int, offset: int, data: bytes):
    return client.put(
        f"/api/v1/video/uploads/{upload_id}",
        params={"offset": offset},
        content=data,
        headers={"Content-Type": "application/octet-stream"},
    )


def test_an_interrupted_upload_resumes_and_repeats_are_harmless(city, api, webm_clip):
    worker = api("gridworker")
    incident = first_report(worker, city.db, city.group_a).json()
    key = uuid.uuid4().hex
    opened = start(worker, incident["id"], len(webm_clip), key, "video/webm;codecs=vp8")
    assert opened.status_code == 201, opened.text
    upload = opened.json()
    assert upload["offset"] == 0 and upload["state"] == "open" and upload["content_type"] == "video/webm"
    uid = upload["id"]

    assert put(worker, uid, 0, webm_clip[:CHUNK]).json()["offset"] == CHUNK
    # The connection drops: the second chunk never arrives, the phone sends the third.
    ahead = put(worker, uid, 2 * CHUNK, webm_clip[2 * CHUNK : 3 * CHUNK])
    assert ahead.status_code == 409 and "4096" in ahead.json()["error"]["message"]
    assert (
        start(worker, incident["id"], len(webm_clip), key).json()["id"] == uid
    )  # re-announcing: same upload
    held = worker.get(f"/api/v1/video/uploads/{uid}").json()["offset"]
    assert held == CHUNK
    # The server took a chunk but the answer was lost: the phone sends it again.
    assert put(worker, uid, held, webm_clip[held : held + CHUNK]).json()["offset"] == 2 * CHUNK
    assert put(worker, uid, held, webm_clip[held : held + CHUNK]).json()["offset"] == 2 * CHUNK
    # A chunk that overlaps what is held keeps only the new bytes.
    overlap = put(worker, uid, CHUNK + 100, webm_clip[CHUNK + 100 : 3 * CHUNK])
    assert overlap.json()["offset"] == 3 * CHUNK
    offset = 3 * CHUNK
    while offset < len(webm_clip):
        r = put(worker, uid, offset, webm_clip[offset : offset + CHUNK])
        assert r.status_code == 200, r.text
        offset = r.json()["offset"]
    done = worker.get(f"/api/v1/video/uploads/{uid}").json()
    assert done["state"] == "done" and done["clip"]["size_bytes"] == len(webm_clip)
    assert put(worker, uid, 0, webm_clip[:CHUNK]).json()["state"] == "done"  # the last chunk repeated

    clip_url = done["clip"]["url"]
    served = api("county").get(clip_url)
    assert served.status_code == 200 and served.content == webm_clip
    assert served.headers["content-type"] == "video/webm"
    ranged = api("county").get(clip_url, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.content == webm_clip[:100]  # seeking in the player
    assert api("town_b").get(clip_url).status_code == 404
    assert api("town_b").get(f"/api/v1/video/uploads/{uid}").status_code == 404
    assert [c["id"] for c in api("town").get(f"/api/v1/incidents/{incident['id']}/clips").json()] == [
        done["clip"]["id"]
    ]
    with city.db.reading() as session:
        clip = session.get(Clip, done["clip"]["id"])
        events = session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == incident["id"], TimelineEvent.kind == "video"
            )
        ).all()
        audited = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity.in_(("video_clips", "video_clip_uploads")),
                AuditEntry.entity_id.in_((str(clip.id), str(uid))),
            )
        ).all()
    assert len(events) == 1 and "现场视频" in events[0].summary
    assert sorted(audited) == ["create", "upload_start"]


def test_too_big_not_a_video_and_other_people_are_refused(city, api, app, webm_clip):
    worker = api("gridworker")
    incident = first_report(worker, city.db, city.group_a).json()
    with settings_extra(app, video_clip_max_mb="1"):
        big = start(worker, incident["id"], 2 * 1024 * 1024)
    assert big.status_code == 413
    error = big.json()["error"]
    assert error["message"] == "文件超过 1 MB。" and error["message_en"] == "The file is larger than 1 MB."

    wrong_type = start(worker, incident["id"], 1000, content_type="application/pdf")
    assert (
        wrong_type.status_code == 422 and wrong_type.json()["error"]["details"][0]["field"] == "content_type"
    )

    fake = start(worker, incident["id"], 1000).json()
    refused = put(worker, fake["id"], 0, b"%PDF-1.7 this is not a video" + b"\0" * 972)
    assert (
        refused.status_code == 422 and "不是 WebM 或 MP4" in refused.json()["error"]["details"][0]["message"]
    )
    assert worker.get(f"/api/v1/video/uploads/{fake['id']}").json()["offset"] == 0

    up = start(worker, incident["id"], len(webm_clip)).json()
    past_end = put(worker, up["id"], 0, webm_clip + b"extra")
    assert past_end.status_code == 422
    assert put(api("gridleader"), up["id"], 0, webm_clip[:CHUNK]).status_code == 404  # not their upload
    assert start(api("town_b"), incident["id"], 1000).status_code == 404  # cannot see the incident
    assert start(api("viewer"), incident["id"], 1000).status_code == 403  # may see, may not report
    too_long = put(worker, up["id"], 0, b"\x1a\x45\xdf\xa3" + b"\0" * (4 * 1024 * 1024 + 10))
    assert too_long.status_code == 413 and too_long.json()["error"]["message_en"].startswith(
        "The file is larger"
    )


def test_the_panel_plays_the_clip(city, api, browser_client, webm_clip):
    worker = api("gridworker")
    incident = first_report(worker, city.db, city.group_a).json()
    up = start(worker, incident["id"], len(webm_clip)).json()
    assert put(worker, up["id"], 0, webm_clip).json()["state"] == "done"
    page = browser_client("town").get(f"/incidents/{incident['id']}/video")
    assert f"/api/v1/incidents/{incident['id']}/clips/" in page.text and "现场视频" in page.text


def test_abandoned_uploads_are_forgotten_with_their_partial_files(city, api, app, webm_clip):
    from datetime import timedelta

    from sqlalchemy import update

    from yingji.core import clock
    from yingji.core.db import Actor
    from yingji.video import clips
    from yingji.video.models import ClipUpload

    worker = api("gridworker")
    incident = first_report(worker, city.db, city.group_a).json()
    up = start(worker, incident["id"], len(webm_clip)).json()
    assert put(worker, up["id"], 0, webm_clip[:CHUNK]).status_code == 200
    root = clips.dir_of(app.state.settings)
    partial = root / "partial" / f"{up['id']}.part"
    assert partial.stat().st_size == CHUNK
    with city.db.writing(Actor.system("tests")) as session:
        clips.expire(session, root)
        assert session.get(ClipUpload, up["id"]) is not None  # a fresh upload is kept
        old = clock.now() - timedelta(hours=clips.ABANDONED_HOURS + 1)
        session.execute(update(ClipUpload).where(ClipUpload.id == up["id"]).values(updated_at=old))
    with city.db.writing(Actor.system("tests")) as session:
        assert clips.expire(session, root) >= 1
    assert not partial.exists()
    assert worker.get(f"/api/v1/video/uploads/{up['id']}").status_code == 404
