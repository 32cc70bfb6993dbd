"""A real HLS stream, made by ffmpeg and served over HTTP on 127.0.0.1 by the test, plays on the
incident page: the nearest camera's player (hls.js, vendored) advances its currentTime in Chromium.

Debian's Chromium decodes H.264 through MediaSource (checked below), so the stream is H.264 as a
media gateway (ZLMediaKit / WVP) would serve it. The app is served with the stream's origin in its
media and connect CSP, as a deployment sets YINGJI_VIDEO_MEDIA_ORIGINS."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from tests.browser.conftest import CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, LiveServer, log_in
from tests.incidents.conftest import first_report
from yingji.app import create_app
from yingji.core.db import Actor
from yingji.video.models import Camera


def need_ffmpeg() -> None:
    """The video tests play a real stream made by ffmpeg: CI requires it (YINGJI_REQUIRE_FFMPEG=1,
    set by .ci/run, which installs Debian's package), so there a missing ffmpeg fails, never skips."""
    if shutil.which("ffmpeg") is None:
        if os.environ.get("YINGJI_REQUIRE_FFMPEG") == "1":
            pytest.fail("YINGJI_REQUIRE_FFMPEG=1 but ffmpeg is not installed", pytrace=False)
        pytest.skip("ffmpeg is not installed (apt install ffmpeg; CI requires it)")


class CorsHandler(SimpleHTTPRequestHandler):
    """Static files with the CORS header a media gateway sends (hls.js fetches cross-origin)."""

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hls_stream(tmp_path_factory):
    """A 30-second H.264 HLS stream (1 s segments) served on 127.0.0.1; yields its playlist URL."""
    need_ffmpeg()
    root = tmp_path_factory.mktemp("hls")
    subprocess.run(
        [
            *(
                "ffmpeg",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=10",
                "-t",
                "30",
            ),
            *("-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-g", "10"),
            *("-f", "hls", "-hls_time", "1", "-hls_list_size", "0", str(root / "index.m3u8")),
        ],
        check=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CorsHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.m3u8"
    server.shutdown()


@pytest.fixture(scope="module")
def video_server(city, hls_stream):
    """The app with the stream's origin allowed by its CSP, served like the live server."""
    origin = hls_stream.rsplit("/", 1)[0]
    settings = city.db.settings.with_(extra={**city.db.settings.extra, "video_media_origins": origin})
    server = LiveServer(create_app(settings, city.db, start_worker=False))
    server.start()
    yield server
    server.stop()


def test_the_nearest_camera_plays_a_real_hls_stream_on_the_incident_page(
    browser, video_server, hls_stream, city, api, screenshot_path
):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    near = api("town").get(f"/api/v1/incidents/{incident['id']}/cameras", params={"n": 1}).json()
    camera_id = near["cameras"][0]["id"]
    with city.db.writing(Actor.system("tests")) as session:
        before = session.scalar(select(Camera.hls_url).where(Camera.id == camera_id))
        session.execute(
            update(Camera).where(Camera.id == camera_id).values(hls_url=hls_stream, status="online")
        )
    context = browser.new_context(base_url=video_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        assert page.evaluate("() => MediaSource.isTypeSupported('video/mp4; codecs=\"avc1.42E01E\"')"), (
            "this Chromium cannot decode H.264"
        )
        log_in(page, "town", next_path=f"/incidents/{incident['id']}")
        player = page.locator(f'.video-near [data-camera="{camera_id}"]')
        player.locator("[data-play]").click()
        video = player.locator("video.video-hls")
        page.wait_for_function(
            "v => v.currentTime > 1.5 && !v.paused", arg=video.element_handle(), timeout=30_000
        )
        first = video.evaluate("v => v.currentTime")
        page.wait_for_function(
            f"v => v.currentTime > {first} + 1", arg=video.element_handle(), timeout=30_000
        )
        assert video.evaluate("v => v.src.startsWith('blob:')")  # hls.js through MediaSource, not a link
        assert video.evaluate("v => v.videoWidth") == 320
        assert page.locator("[data-record-start]").count() == 1  # the 视频联报 button is there
        assert not errors, errors
        player.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path))
    finally:
        context.close()
        with city.db.writing(Actor.system("tests")) as session:
            session.execute(update(Camera).where(Camera.id == camera_id).values(hls_url=before))


def test_a_clip_recorded_from_a_file_uploads_from_the_page(browser, video_server, city, api, tmp_path):
    """The 视频联报 fallback (file input with capture): the page uploads the file in chunks, and when
    the connection drops in the middle it asks the server how much it holds and resumes."""
    need_ffmpeg()
    clip = tmp_path / "scene.webm"
    subprocess.run(
        [
            *(
                "ffmpeg",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=15,noise=alls=80:allf=t",
                "-t",
                "5",
            ),
            *("-c:v", "libvpx", "-b:v", "3M", str(clip)),
        ],
        check=True,
    )
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    context = browser.new_context(base_url=video_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, "gridworker", next_path=f"/incidents/{incident['id']}")
        dropped: list[str] = []

        def drop_second_chunk_once(route):
            if route.request.method == "PUT" and "offset=0" not in route.request.url and not dropped:
                dropped.append(route.request.url)
                route.abort("connectionreset")  # the weak network loses this chunk
            else:
                route.continue_()

        page.route("**/api/v1/video/uploads/*", drop_second_chunk_once)
        page.set_input_files("[data-record-file]", str(clip))
        page.wait_for_selector(".video-clips video", timeout=60_000)
        clips = api("town").get(f"/api/v1/incidents/{incident['id']}/clips").json()
        assert len(dropped) == 1 and clip.stat().st_size > 2 * 512 * 1024
        assert len(clips) == 1 and clips[0]["size_bytes"] == clip.stat().st_size
        served = api("town").get(clips[0]["url"])
        assert served.content == clip.read_bytes()  # resumed without a gap or a repeat
    finally:
        context.close()


@pytest.fixture(scope="module")
def camera_browser(playwright_instance, chromium_executable):
    """Chromium with its fake camera and microphone (a test pattern and a beep), permission granted."""
    args = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    b = playwright_instance.chromium.launch(
        executable_path=chromium_executable, headless=True, args=[*CHROMIUM_ARGS, *args]
    )
    yield b
    b.close()


def test_video_report_records_with_the_camera_and_uploads(camera_browser, video_server, city, api):
    """视频联报 on a phone: getUserMedia + MediaRecorder, then the chunked upload; the clip plays."""
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    context = camera_browser.new_context(
        base_url=video_server.url,
        viewport={"width": 390, "height": 844},
        permissions=["camera", "microphone"],
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(page, "gridworker", next_path=f"/incidents/{incident['id']}")
        page.click("[data-record-start]")
        page.wait_for_function("() => !document.querySelector('[data-record-stop]').hidden")
        page.wait_for_function("() => document.querySelector('[data-record-preview]').currentTime > 2")
        page.click("[data-record-stop]")
        page.wait_for_selector(".video-clips video", timeout=30_000)
        (clip,) = api("town").get(f"/api/v1/incidents/{incident['id']}/clips").json()
        assert clip["content_type"] == "video/webm" and clip["size_bytes"] > 1000
        video = page.locator(".video-clips video")
        page.wait_for_function("v => v.readyState >= 1 && v.videoWidth > 0", arg=video.element_handle())
        assert not errors, errors
    finally:
        context.close()
