"""The FastAPI application: wiring only (routers, middleware, startup)."""

from __future__ import annotations

import gc
import importlib
import logging
from contextlib import asynccontextmanager
from importlib.resources import files
from urllib.parse import urlparse

from fastapi import FastAPI

from yingji import __version__
from yingji.auth.security import SecurityEvents
from yingji.config import Settings, load_settings
from yingji.core import i18n, migrate
from yingji.core.db import Database, open_database
from yingji.core.http import RequestContext, install_error_handlers
from yingji.web.assets import FingerprintedStatic

log = logging.getLogger("yingji")


# Every module with a ``router``; pages before the JSON API of the same domain.
ROUTER_MODULES = [
    "yingji.web.views",
    "yingji.auth.views",
    "yingji.auth.api",
    "yingji.org.views",
    "yingji.org.api",
    "yingji.geo.api",
    "yingji.rules.api",
    "yingji.duty.views",
    "yingji.duty.api",
    "yingji.incidents.views",
    "yingji.incidents.api",
    "yingji.response.views",
    "yingji.response.api",
    "yingji.notify.views",
    "yingji.forces.views",
    "yingji.forces.api",
    "yingji.supplies.views",
    "yingji.supplies.api",
    "yingji.warnings.views",
    "yingji.warnings.api",
    "yingji.delivery.views",
    "yingji.delivery.api",
    "yingji.residents.views",
    "yingji.residents.api",
    "yingji.monitoring.views",
    "yingji.monitoring.api",
    "yingji.risk.views",
    "yingji.risk.api",
    "yingji.files.views",
    "yingji.files.api",
    "yingji.video.views",
    "yingji.video.api",
    "yingji.overview.views",
    "yingji.overview.api",
    "yingji.events.api",
    "yingji.plans.views",
    "yingji.plans.api",
    "yingji.drills.views",
    "yingji.drills.api",
    "yingji.experts.views",
    "yingji.experts.api",
    "yingji.evacuation.views",
    "yingji.evacuation.api",
    "yingji.shelters.views",
    "yingji.shelters.api",
    "yingji.damage.views",
    "yingji.damage.api",
    "yingji.aid.views",
    "yingji.aid.api",
    "yingji.governance.views",
    "yingji.governance.api",
    "yingji.assessment.views",
    "yingji.assessment.api",
    "yingji.readiness.views",
    "yingji.readiness.api",
    "yingji.training.views",
    "yingji.training.api",
    "yingji.seismic.views",
    "yingji.seismic.api",
    "yingji.handbook.views",
    "yingji.handbook.api",
    "yingji.field.views",  # issue 15: the grid worker's app
    "yingji.field.api",
    "yingji.ownership.views",  # issue 15: 首接负责制
    "yingji.ownership.api",
]


class SchemaOutOfDate(RuntimeError):
    pass


def _tune_gc() -> None:
    """The loaded app holds ~400,000 long-lived objects (mappers, routes, code tables, catalogs): a
    full collection that walks them all stalls a page for up to half a second. Freeze what exists at
    start-up (it lives as long as the process, and refcounting still frees what it lets go), so a
    full collection walks only what came after (tens of milliseconds). The collector keeps its
    default thresholds: an earlier tuning (gen-0 threshold 50,000, a full collection every ~100
    million allocations) let cyclic garbage pile up, 560 MB per whole-city export, never freed
    (bench/resilience_exports.py measures both: memory over exports, pauses per setting)."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()  # built at the first query otherwise, after the freeze
    for locale in i18n.LOCALE_NAMES:
        i18n.translations(locale)  # compiled at first use otherwise
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None, db: Database | None = None, *, start_worker: bool | None = None
) -> FastAPI:
    settings = settings or load_settings()
    db = db or open_database(settings)
    run_worker = settings.run_inprocess_worker if start_worker is None else start_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if not migrate.is_current(db.engine):
            raise SchemaOutOfDate("the database schema is not current: run `yingji migrate` first")
        _tune_gc()
        worker = None
        if run_worker:
            from yingji.jobs.worker import start_background

            worker = start_background(db)
        yield
        if worker is not None:
            worker.stop()

    app = FastAPI(
        title="应急 Yingji",
        version=__version__,
        description="Integrated emergency-management platform / 智慧应急综合平台",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    tile_host = ""
    if settings.tile_url:
        parsed = urlparse(settings.tile_url.replace("{s}", "a"))
        tile_host = f"{parsed.scheme}://{parsed.netloc.replace('a.', '*.', 1)}"
    media = " ".join(str(settings.extra.get("video_media_origins", "")).replace(",", " ").split())
    app.add_middleware(
        RequestContext, max_body=settings.max_upload_mb * 1024 * 1024, csp_img=tile_host, csp_media=media
    )
    app.add_middleware(SecurityEvents)  # records refusals after the response, see auth/security.py
    if settings.compress:
        from yingji.core.compress import Compress

        app.add_middleware(Compress)  # outermost: compresses the final body, error pages and 413s too
    install_error_handlers(app)
    static = FingerprintedStatic(directory=str(files("yingji.web") / "static"), compress=settings.compress)
    app.mount("/static", static, name="static")
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app
