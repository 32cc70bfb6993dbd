"""Typing a route left its JSON as clients knew it: a GET answers the same bytes with its ``Out`` model
(``response_model=``) as the same endpoint answers without one (the dict through FastAPI's encoder)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from yingji.core.http import install_error_handlers


def untyped_app(app: FastAPI, router: APIRouter) -> FastAPI:
    """The router's GET routes with no response model, on the test app's database and settings."""
    bare = FastAPI()
    bare.state.settings, bare.state.db = app.state.settings, app.state.db
    install_error_handlers(bare)
    for route in router.routes:
        if isinstance(route, APIRoute) and route.methods == {"GET"} and route.response_model is not None:
            bare.add_api_route(route.path, route.endpoint, methods=["GET"], response_model=None)
    return bare


def same_bytes(app: FastAPI, router: APIRouter, token: str, urls: list[str]) -> None:
    bare = TestClient(untyped_app(app, router), raise_server_exceptions=True)
    typed = TestClient(app, raise_server_exceptions=True)
    for c in (bare, typed):
        c.headers["Authorization"] = f"Bearer {token}"
    for url in urls:
        before, after = bare.get(url), typed.get(url)
        assert after.status_code == before.status_code == 200, (url, after.text)
        assert after.content == before.content, url
