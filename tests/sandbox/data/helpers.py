"""An in-process data layer (no auth): a tiny Starlette app forwarding /Profiles/v4/* to DataApi."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from mypref_harness.sandbox.api import DataApi
from mypref_harness.sandbox.context import RequestContext
from mypref_harness.sandbox.store import Store

TENANT = "ACME_CORP"


@dataclass(frozen=True)
class Tenant:
    client_id: str


class Settings:
    def __init__(self, defects: frozenset[str] = frozenset()) -> None:
        self.defects = defects
        self.clock_offset = 0.0

    def has_defect(self, name: str) -> bool:
        return name in self.defects


def make_app(store: Store, settings: Settings) -> Starlette:
    api = DataApi(store, settings)

    async def forward(request: Request) -> Response:
        return await api.handle(request, RequestContext(TENANT, "John.Doe", "pnauth"))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"]
    return Starlette(routes=[Route("/Profiles/v4/{rest:path}", forward, methods=methods)])


def client_for(store: Store, defects: frozenset[str] = frozenset()) -> TestClient:
    return TestClient(make_app(store, Settings(defects)), base_url="http://testserver")
