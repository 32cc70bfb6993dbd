"""The FastAPI application: wiring only (routers, middleware, startup)."""

from __future__ import annotations

import gc
import importlib
import logging
from contextlib import asynccontextmanager
from importlib.resources import files
from urllib.parse import urlparse

from fastapi import FastAPI

from yingji import __version__, domains
from yingji.auth.security import SecurityEvents
from yingji.config import Settings, load_settings
from yingji.core import i18n, migrate, pagecache, routing
from yingji.core.db import Database, open_database
from yingji.core.http import RequestContext, install_error_handlers
from yingji.web.assets import FingerprintedStatic

log = logging.getLogger("yingji")


# Every module with a ``router``, from the one list of domains (yingji/domains.py).
ROUTER_MODULES = domains.modules("routers")


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
        # other processes' writes drop this process's shared page figures (PostgreSQL; TTL elsewhere)
        following = pagecache.follow(settings.database_url) is not None
        worker = None
        if run_worker:
            from yingji.jobs.worker import start_background

            worker = start_background(db)
        yield
        if worker is not None:
            worker.stop()
        if following:
            pagecache.unfollow(settings.database_url)

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
    routing.index(app)  # a request tries only the routers that serve its path's start
    return app
