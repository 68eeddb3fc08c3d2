"""The profile operations the read-back scenarios (and a target profile's status checks) send, found in
the spec by their role (spec.roles), on one httpx client; every profile created is remembered for cleanup."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from mypref_harness.auth.answers import json_body
from mypref_harness.basis import Basis, route_basis
from mypref_harness.config import Target
from mypref_harness.created import CREATE_STATUSES, created_id, location_header
from mypref_harness.spec.operations import OperationObject
from mypref_harness.spec.params import is_client_id_param, is_profile_id_param
from mypref_harness.spec.roles import Role, RoleMap, resolve_roles


class ScenarioError(Exception):
    """An unexpected answer that stops one scenario (reported as its failure)."""


class ProfileApi:
    """The few profile operations the scenarios need, found in the spec by their role."""

    def __init__(self, target: Target, document: Mapping[str, Any], client: httpx.Client) -> None:
        self.target = target
        self.client = client
        self.roles: RoleMap = resolve_roles(document, target.operations)
        self.routes: dict[Role, OperationObject] = self.roles.resolved()
        self.created: list[Any] = []
        self.requests = 0

    def route_basis(self, role: Role) -> Basis:
        """How sure the spec is that this operation's route exists: our spec says it per operation
        (x-route-confidence); an operation without it is the vendor's own declaration (documented)."""
        found = self.routes.get(role)
        confidence = found.raw.get("x-route-confidence") if found is not None else None
        confidence = str(confidence) if confidence else None
        return route_basis(confidence, users_spec=confidence is None)

    def has(self, *roles: Role) -> bool:
        return all(r in self.routes for r in roles)

    def lacks(self, roles: tuple[Role, ...]) -> str:
        """What the spec lacks for ``roles``: "unresolved role create-profile, read-profile"."""
        return "unresolved role " + ", ".join(r.value for r in self.roles.unresolved(roles))

    def url(self, role: Role, profile_id: Any = None) -> str:
        template = self.routes[role].path
        segments = []
        for segment in template.strip("/").split("/"):
            name = segment[1:-1] if segment.startswith("{") and segment.endswith("}") else None
            if name is not None and is_client_id_param(name, self.target.client_id_param):
                segment = quote(str(self.target.client_id), safe="")
            elif name is not None and is_profile_id_param(name):
                segment = quote(str(profile_id), safe="")
            segments.append(segment)
        return self.target.url_for("/".join(segments))

    def call(self, role: Role, profile_id: Any = None, **kwargs: Any) -> httpx.Response:
        method = self.routes[role].method.upper()
        self.requests += 1
        return self.client.request(method, self.url(role, profile_id), **kwargs)

    def create(self, body: Mapping[str, Any]) -> tuple[httpx.Response, Any]:
        """Create a profile; the id comes from the body or from Location, whichever is present."""
        response = self.call(Role.CREATE_PROFILE, json=dict(body))
        profile_id = None
        if response.status_code in CREATE_STATUSES:
            profile_id = created_id(json_body(response), location_header(response.headers))
        if profile_id is not None:
            self.created.append(profile_id)
        return response, profile_id

    def read(self, profile_id: Any) -> dict[str, Any]:
        response = self.call(Role.READ_PROFILE, profile_id)
        if response.status_code != 200:
            raise ScenarioError(f"GET profile {profile_id}: HTTP {response.status_code}")
        return json_body(response)

    def cleanup(self) -> None:
        if not self.has(Role.DELETE_PROFILE):
            return
        for profile_id in self.created:
            with contextlib.suppress(httpx.HTTPError):
                self.call(Role.DELETE_PROFILE, profile_id)
        self.created.clear()
