"""Photos: type by magic bytes and decoding, size limit, stored by hash, served only in scope."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.incidents.conftest import first_report, principal_of
from yingji.core.db import Actor
from yingji.core.errors import PayloadTooLarge, ValidationFailed
from yingji.incidents import photos
from yingji.incidents.models import Incident


def image_bytes(fmt: str = "PNG", size=(64, 48), colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format=fmt)
    return buf.getvalue()


def test_photos_are_checked_stored_once_and_served_in_scope(city, api):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    url = f"/api/v1/incidents/{incident['id']}/photos"
    png = image_bytes()
    r = api("gridworker").post(url, files={"file": ("scene.png", png, "image/png")})
    assert r.status_code == 201, r.text
    photo = r.json()
    assert (photo["width"], photo["height"], photo["content_type"]) == (64, 48, "image/png")
    again = api("gridworker").post(url, files={"file": ("same.png", png, "image/png")})
    assert again.json()["id"] == photo["id"]  # a retried upload is the same photo

    jpeg = api("gridworker").post(url, files={"file": ("b.jpg", image_bytes("JPEG"), "image/jpeg")})
    webp = api("gridworker").post(url, files={"file": ("c.webp", image_bytes("WEBP"), "image/webp")})
    assert jpeg.status_code == webp.status_code == 201

    fake = api("gridworker").post(
        url, files={"file": ("x.jpg", b"just some text, not a photo", "image/jpeg")}
    )
    assert fake.status_code == 422
    truncated = api("gridworker").post(url, files={"file": ("t.png", png[:60], "image/png")})
    assert truncated.status_code == 422

    served = api("county").get(photo["url"])
    assert (
        served.status_code == 200 and served.content == png and served.headers["content-type"] == "image/png"
    )
    assert api("town_b").get(photo["url"]).status_code == 404
    assert api("town_b").post(url, files={"file": ("s.png", png, "image/png")}).status_code == 404
    detail = api("town").get(f"/api/v1/incidents/{incident['id']}").json()
    assert len(detail["photos"]) == 3


def test_oversize_and_renamed_files_are_refused(city, api, tmp_path):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    principal = principal_of(city.db, "gridworker")
    with city.db.writing(Actor(principal.user_id, principal.username)) as session:
        inc = session.get(Incident, incident["id"])
        big = image_bytes(size=(400, 400), colour=(1, 2, 3))
        with pytest.raises(PayloadTooLarge):
            photos.store(session, principal, inc, big, "big.png", upload_dir=tmp_path, max_bytes=len(big) - 1)
        with pytest.raises(ValidationFailed):
            photos.store(
                session,
                principal,
                inc,
                b"%PDF-1.4 not an image",
                "doc.jpg",
                upload_dir=tmp_path,
                max_bytes=10**6,
            )
        png_named_jpeg = image_bytes()
        kept = photos.store(
            session, principal, inc, png_named_jpeg, "looks.jpg", upload_dir=tmp_path, max_bytes=10**6
        )
        assert kept.content_type == "image/png"  # the bytes decide, not the name
        assert photos.path_of(tmp_path, kept.sha256, "png").read_bytes() == png_named_jpeg
