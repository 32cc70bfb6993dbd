"""The upload limit holds while a body streams: a 300 MB chunked body (no Content-Length) is cut off
at the limit, whoever reads it (a document endpoint, a JSON endpoint, a multipart form, a page form),
and answered with a 413 in the project's bilingual format. Smaller limits of single routes (CAP
documents) still hold. Each case counts how much of the body the app pulled."""

from __future__ import annotations

from tests.core.asgi import MB, call
from yingji.warnings import capxml

BIG = 300  # chunks of 1 MB
CHUNK = b"x" * MB
LIMIT = 20 * MB  # the default YINGJI_MAX_UPLOAD_MB
BOUNDARY = "yingjiboundary"


def _bearer(client) -> dict[str, str]:
    return {"authorization": client.headers["Authorization"]}


def _refused(answer, limit_mb: int) -> None:
    assert answer.status == 413, (answer.status, answer.body[:300])
    error = answer.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["message"] == f"文件超过 {limit_mb} MB。"
    assert error["message_en"] == f"The file is larger than {limit_mb} MB."
    assert answer.headers["x-request-id"] and answer.headers["x-content-type-options"] == "nosniff"


def test_a_chunked_document_stops_at_its_route_limit(scratch_app, scratch_admin_api):
    answer = call(
        scratch_app,
        "POST",
        "/api/v1/warnings/cap",
        headers={**_bearer(scratch_admin_api), "content-type": "application/xml"},
        first=b"<alert>",
        chunk=CHUNK,
        chunks=BIG,
    )
    _refused(answer, capxml.MAX_CAP_BYTES // MB)
    assert answer.pulled <= capxml.MAX_CAP_BYTES + MB


def test_a_chunked_json_batch_stops_at_the_upload_limit(scratch_app, scratch_admin_api):
    answer = call(
        scratch_app,
        "POST",
        "/api/v1/readings",
        headers={**_bearer(scratch_admin_api), "content-type": "application/json"},
        first=b"[",
        chunk=CHUNK,
        chunks=BIG,
    )
    _refused(answer, 20)
    assert answer.pulled <= LIMIT + MB


def test_a_chunked_json_body_of_a_schema_stops_at_the_upload_limit(scratch_app, scratch_admin_api):
    answer = call(
        scratch_app,
        "POST",
        "/api/v1/people",
        headers={**_bearer(scratch_admin_api), "content-type": "application/json"},
        first=b'{"name": "',
        chunk=CHUNK,
        chunks=BIG,
    )
    _refused(answer, 20)
    assert answer.pulled <= LIMIT + MB


def _multipart_head(csrf: str | None = None) -> bytes:
    head = ""
    if csrf:
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return head.encode()


def test_a_chunked_multipart_upload_stops_at_the_upload_limit(scratch_app, scratch_admin_api):
    answer = call(
        scratch_app,
        "POST",
        "/api/v1/residents/import",
        headers={**_bearer(scratch_admin_api), "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        first=_multipart_head(),
        chunk=CHUNK,
        chunks=BIG,
    )
    _refused(answer, 20)
    assert answer.pulled <= LIMIT + MB


def test_a_chunked_page_upload_stops_at_the_upload_limit(scratch_app, scratch_admin_browser):
    """A page's multipart form: the CSRF check parses it first, a file part is spooled to disk."""
    cookies = "; ".join(f"{k}={v}" for k, v in scratch_admin_browser.cookies.items())
    answer = call(
        scratch_app,
        "POST",
        "/residents/import",
        headers={"cookie": cookies, "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        first=_multipart_head(csrf=scratch_admin_browser.csrf),
        chunk=CHUNK,
        chunks=BIG,
    )
    assert answer.status == 413 and answer.pulled <= LIMIT + MB
    assert answer.headers["content-type"].startswith("text/html")
    assert "文件超过 20 MB" in answer.body.decode()


def test_a_page_form_field_is_bounded_too(scratch_app, scratch_admin_browser):
    """A url-encoded field: Starlette's parser stops at 1 MB (a 400), long before the limit."""
    cookies = "; ".join(f"{k}={v}" for k, v in scratch_admin_browser.cookies.items())
    answer = call(
        scratch_app,
        "POST",
        "/warnings/new",
        headers={"cookie": cookies, "content-type": "application/x-www-form-urlencoded"},
        first=f"csrf_token={scratch_admin_browser.csrf}&description=".encode(),
        chunk=CHUNK,
        chunks=BIG,
    )
    assert 400 <= answer.status < 500 and answer.pulled <= LIMIT + MB


def test_a_declared_length_past_the_limit_is_refused_unread(scratch_app, scratch_admin_api):
    answer = call(
        scratch_app,
        "POST",
        "/api/v1/readings",
        headers={**_bearer(scratch_admin_api), "content-type": "application/json"},
        first=b"[",
        chunk=CHUNK,
        chunks=BIG,
        content_length=BIG * MB + 1,
    )
    _refused(answer, 20)
    assert answer.pulled == 0


def test_a_route_limit_smaller_than_the_upload_limit_still_holds(scratch_admin_api):
    body = b"<alert>" + b" " * (capxml.MAX_CAP_BYTES + 1)
    r = scratch_admin_api.post("/api/v1/warnings/cap", content=body, headers={"Content-Type": "text/xml"})
    assert r.status_code == 413 and r.json()["error"]["message"] == "文件超过 5 MB。"


def test_a_body_under_the_limit_passes_whole(scratch_app, scratch_admin_api):
    """Chunked but small: read whole and answered by the endpoint (here: not JSON → 422)."""
    answer = call(
        scratch_app,
        "POST",
        "/api/v1/readings",
        headers={**_bearer(scratch_admin_api), "content-type": "application/json"},
        first=b"[",
        chunk=b"x" * 1000,
        chunks=3,
    )
    assert answer.status == 422 and answer.pulled == 3001
