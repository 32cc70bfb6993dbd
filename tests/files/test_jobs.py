"""Large exports and imports run as file jobs: the request answers with the job (API 202 + its URL,
pages go to the job's page), the worker writes the file with progress, only its requester (and an
administrator whose area covers it) may download it, every download is audited; an import over its
time limit fails with a clear bilingual message and imports nothing; old files expire."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from tests.conftest import log_in, unique_mobile
from tests.factories import xlsx
from tests.files.conftest import run_file_jobs, sheet_rows, small_app
from yingji.auth import service as auth_service
from yingji.auth.models import AuditEntry, User
from yingji.auth.scope import Principal
from yingji.core import clock as clock_module
from yingji.core.db import Actor
from yingji.files import service
from yingji.files.models import FileJob
from yingji.residents.models import Resident

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESIDENTS = ["姓名", "手机号", "所属区划代码", "户号", "残疾", "独居老人", "高龄", "接收预警", "备注"]


def token_for(db, username: str, role: str, code: str) -> str:
    with db.writing(Actor.system("tests")) as session:
        user = auth_service.create_user(
            session,
            Principal.system(),
            username=username,
            password=f"{uuid.uuid4().hex}Aa1!",
            display_name=username,
            role=role,
            jurisdiction_code=code,
            check_password=False,
        )
        secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
    return secret


def test_a_large_export_becomes_a_job_only_its_requester_may_download(city, app, small, on):
    town = on(small, "town")
    r = town.get("/api/v1/risk/enterprises.xlsx")
    assert r.status_code == 202, r.text[:300]
    job = r.json()
    assert r.headers["location"] == job["url"] == f"/api/v1/files/jobs/{job['id']}"
    assert job["state"] == "queued" and job["total"] > 5 and job["download_url"] is None
    assert town.get(job["url"]).json()["percent"] == 0
    assert town.get(f"{job['url']}/download").status_code == 409  # not written yet

    assert run_file_jobs(city.db) >= 1
    done = town.get(job["url"]).json()
    assert done["state"] == "done" and done["percent"] == 100 and done["done"] == job["total"]
    assert done["download_url"] == f"{job['url']}/download"
    got = town.get(done["download_url"])
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert "enterprises-all.xlsx" in got.headers["content-disposition"]
    rows = sheet_rows(got.content)
    assert rows[0][:2] == ("单位名称", "统一社会信用代码") and len(rows) == job["total"] + 1
    # the same rows as a direct export (the normal app, no job)
    assert len(sheet_rows(on(app, "town").get("/api/v1/risk/enterprises.xlsx").content)) == len(rows)

    with city.db.reading() as session:
        audited = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "export",
                AuditEntry.entity == "risk_enterprises",
                AuditEntry.note.like(f"file job {job['id']} %"),
            )
        )
    assert audited == 1

    # Somebody else: the county officer above (not an administrator), another town, a viewer: 404.
    for other in ("county", "town_b", "viewer"):
        client = on(small, other)
        assert client.get(job["url"]).status_code == 404
        assert client.get(done["download_url"]).status_code == 404
        assert job["id"] not in [j["id"] for j in client.get("/api/v1/files/jobs").json()["items"]]
    # The city's administrator may (their area covers it); another county's administrator may not.
    assert on(small, "admin").get(done["download_url"]).status_code == 200
    secret = token_for(city.db, f"admin_{uuid.uuid4().hex[:6]}", "admin", city.county_b)
    outsider = on(small, "town")
    outsider.headers["Authorization"] = f"Bearer {secret}"
    assert outsider.get(done["download_url"]).status_code == 404
    assert town.get("/api/v1/files/jobs").json()["items"][0]["id"] == job["id"]


def test_a_small_export_is_still_answered_at_once(city, small, on):
    # Narrowed to one village: fewer rows than a page of enterprises is no job.
    r = on(small, "town").get("/api/v1/risk/dangers.xlsx", params={"q": "YH0000000000"})
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_a_browser_goes_to_the_job_page_which_shows_progress_then_the_download(city, small):
    c = log_in(small, "town")
    r = c.get("/api/v1/residents/export", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/files/")
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "我的导出/我的导入" in page.text and "居民" in page.text
    assert 'hx-trigger="every 2s"' in page.text  # refreshes itself while the job is live
    listing = c.get("/files")
    assert listing.status_code == 200 and r.headers["location"] in listing.text
    run_file_jobs(city.db)
    page = c.get(r.headers["location"] + "/panel")
    assert "下载" in page.text and "/download" in page.text and "every 2s" not in page.text
    # an import page's large upload goes to its job's page too
    for url, data in (("/residents/import", {}), ("/exchange/import", {"kind": "people"})):
        posted = c.form(
            url, data, files={"file": ("r.xlsx", xlsx(RESIDENTS, []), XLSX)}, follow_redirects=False
        )
        assert posted.status_code == 303 and posted.headers["location"].startswith("/files/"), url
    c.cookies.set("yingji_lang", "en")
    english = c.get(r.headers["location"])
    assert "My exports and imports" in english.text and "Download" in english.text


def test_an_import_runs_as_a_job_and_its_result_is_shown_row_by_row(city, small, on):
    household = f"J{uuid.uuid4().hex[:6]}"
    good = [["李大", unique_mobile(), city.group_a, household, "", "", "", "", ""]]
    bad = [*good, ["李二", "12345", city.group_a, household, "", "", "", "", ""]]
    town = on(small, "town")
    r = town.post("/api/v1/residents/import", files={"file": ("r.xlsx", xlsx(RESIDENTS, bad), XLSX)})
    assert r.status_code == 202, r.text[:300]
    refused = r.json()
    ok = town.post("/api/v1/residents/import", files={"file": ("r.xlsx", xlsx(RESIDENTS, good), XLSX)}).json()
    run_file_jobs(city.db)

    refused = town.get(refused["url"]).json()
    assert refused["state"] == "failed"
    assert refused["message"] == "文件有 1 处错误,未导入任何数据。"
    assert refused["result"]["errors"][0]["row"] == 3 and refused["result"]["error_count"] == 1
    ok = town.get(ok["url"]).json()
    assert ok["state"] == "done" and ok["result"] == {"created": 1, "updated": 0, "unchanged": 0}
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Resident.household == household)) == 1
        note = session.scalar(
            select(AuditEntry.note)
            .where(AuditEntry.action == "import", AuditEntry.entity == "residents")
            .order_by(AuditEntry.id.desc())
        )
        assert f"file job {ok['id']}" in note
    c = log_in(small, "town")
    page = c.get(f"/files/{refused['id']}")
    assert "不是有效的大陆手机号" in page.text and "未导入任何数据" in page.text
    # an upload is not kept once applied
    with city.db.reading() as session:
        assert not Path(session.get(FileJob, ok["id"]).path).exists()


def test_an_import_over_its_time_limit_fails_clearly_and_imports_nothing(city, tmp_path, on):
    application = small_app(city, tmp_path, import_job_kb=0, import_time_limit_s=0)
    household = f"L{uuid.uuid4().hex[:6]}"
    rows = [["限时", unique_mobile(), city.group_a, household, "", "", "", "", ""]]
    r = on(application, "town").post(
        "/api/v1/residents/import", files={"file": ("r.xlsx", xlsx(RESIDENTS, rows), XLSX)}
    )
    assert r.status_code == 202
    run_file_jobs(city.db)
    job = on(application, "town").get(r.json()["url"]).json()
    assert job["state"] == "failed"
    assert job["message"] == "导入用时超过 0 秒，已停止，未导入任何数据。请将文件拆分成较小的文件后再导入。"
    assert job["message_en"].startswith("The import took longer than 0 seconds and was stopped")
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Resident.household == household)) == 0
    # In the request (a file below the job size) the same limit is a clear 422.
    inline = small_app(city, tmp_path, import_time_limit_s=0)
    r = on(inline, "town").post(
        "/api/v1/residents/import", files={"file": ("r.xlsx", xlsx(RESIDENTS, rows), XLSX)}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "time_limit_exceeded"
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Resident.household == household)) == 0


def test_an_import_job_is_refused_at_once_without_the_permission(city, small, on):
    r = on(small, "viewer").post(
        "/api/v1/residents/import", files={"file": ("r.xlsx", xlsx(RESIDENTS, []), XLSX)}
    )
    assert r.status_code == 403
    with city.db.reading() as session:
        viewer = session.scalar(select(User.id).where(User.username == "viewer"))
        assert session.scalar(select(func.count()).where(FileJob.user_id == viewer)) == 0


def test_files_expire(city, small, on):
    town = on(small, "town")
    job = town.get("/api/v1/export/people").json()
    run_file_jobs(city.db)
    with city.db.reading() as session:
        path = Path(session.get(FileJob, job["id"]).path)
    assert path.is_file()
    orphan = path.with_name("left-behind.upload")
    orphan.write_bytes(b"x")
    with city.db.writing(Actor.system("tests")) as session:
        session.execute(
            update(FileJob)
            .where(FileJob.id == job["id"])
            .values(expires_at=clock_module.now() - timedelta(minutes=1))
        )
    with city.db.writing(Actor.system("tests")) as session:
        result = service.expire(session, orphan_age=timedelta(0))
    assert result["expired"] >= 1 and result["orphans"] >= 1
    assert not path.exists() and not orphan.exists()
    assert town.get(job["url"]).json()["state"] == "expired"
    r = town.get(f"{job['url']}/download")
    assert r.status_code == 404 and r.json()["error"]["message"] == "文件已过期，请重新导出。"


def test_every_excel_import_queues_a_large_file(city, small, on):
    """Units, people, grid, teams, members, a roster, residents, enterprises: with every upload
    above the (tiny) size, each route answers 202 and the worker applies or refuses the file."""
    town = on(small, "town")
    roster = town.get("/api/v1/duty/rosters").json()["items"][0]["id"]
    routes = {
        "units": "/api/v1/import/units",
        "people": "/api/v1/import/people",
        "grid": "/api/v1/import/grid",
        "forces.teams": "/api/v1/forces/import/teams",
        "forces.members": "/api/v1/forces/import/members",
        "duty_rosters": f"/api/v1/duty/rosters/{roster}/import",
        "residents": "/api/v1/residents/import",
        "risk_enterprises": "/api/v1/risk/enterprises/import",
    }
    jobs = {}
    for kind, url in routes.items():
        r = town.post(url, files={"file": ("x.xlsx", xlsx(["名称"], [["一行"]]), XLSX)})
        assert r.status_code == 202, (kind, r.text[:300])
        assert r.json()["kind"] == kind
        jobs[kind] = r.json()["url"]
    run_file_jobs(city.db)
    for kind, url in jobs.items():
        job = town.get(url).json()
        # a file without the required columns: refused row by row, never a crash of the job
        assert job["state"] == "failed" and job["result"]["errors"], (kind, job)
        assert job["message"] == "文件有 {} 处错误,未导入任何数据。".format(job["result"]["error_count"])
