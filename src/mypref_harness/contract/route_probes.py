"""The harness's own requests that decide routes Schemathesis's answers left undecided (contract/routes.py
says which 404s decide): one bare GET for an operation that can name no resource (rule 2), and a search
for, or a read of, a profile created for the purpose (rule 3). Only on a configured target.

``spec_base_url`` is the URL the spec's paths are appended to as written (``Target.spec_base_url``, the
base-url Schemathesis got), so a probe reaches the same URL as Schemathesis's requests for that operation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mypref_harness.contract.route_verdicts import RouteState, RouteVerdict
from mypref_harness.contract.routes import (
    REASON_BARE_GET,
    REASON_KNOWN_SEARCH,
    REASON_NO_ROUTE,
    OperationEvidence,
    SpecOperation,
    is_no_route_body,
    spec_operations,
)
from mypref_harness.spec.params import PROFILE_ID_PARAM_NAMES, fill_client_id, is_client_id_param
from mypref_harness.spec.paths import join
from mypref_harness.spec.roles import Role, resolve_roles


def search_probes(
    document: Mapping[str, Any], routes: Iterable[RouteVerdict], client_id_param: str | None = None
) -> list[SpecOperation]:
    """Undecided searches and profile reads that a profile of known name, email and id can decide."""
    undecided = {r.label for r in routes if r.state is RouteState.UNDECIDED}
    return [
        op
        for op in spec_operations(document, client_id_param)
        if (op.search_fields or op.profile_read) and op.label in undecided
    ]


def send_known_searches(
    operations: list[SpecOperation],
    client: Any,
    spec_base_url: str,
    client_id: str,
    document: Mapping[str, Any],
    *,
    table: Mapping[str, str] | None = None,
    client_id_param: str | None = None,
) -> dict[str, OperationEvidence]:
    """Create one profile (unique last name and email), search for it with each operation, delete it.

    The create and delete operations are found by role (``table``: the [operations] table), the ClientId
    parameter by name or ``client_id_param`` (spec.params)."""
    import secrets
    from urllib.parse import quote

    from mypref_harness.created import CREATE_STATUSES, created_id, location_header

    roles = resolve_roles(document, table)
    create, delete = roles.get(Role.CREATE_PROFILE), roles.get(Role.DELETE_PROFILE)
    if not operations or create is None:
        return {}
    client_segment = quote(client_id, safe="")
    tag = secrets.token_hex(6)
    values = {"lastname": f"Routeproof{tag}", "emailaddress": f"route-proof-{tag}@example.com"}
    body = {
        "CustomerName": {"FirstName": "Route", "LastName": values["lastname"]},
        "Emails": [{"EmailAddress": values["emailaddress"]}],
    }
    create_path = fill_client_id(create.path, client_id, client_id_param)
    response = client.post(join(spec_base_url, create_path), json=body)
    if response.status_code not in CREATE_STATUSES:
        return {}  # no known data, no decision
    try:
        created_body = response.json()
    except ValueError:
        created_body = None
    profile_id = created_id(created_body, location_header(response.headers))
    evidence: dict[str, OperationEvidence] = {}
    try:
        for operation in operations:
            params = {name: values[name.lower()] for name in operation.search_fields}
            profile = None if profile_id is None else str(profile_id)
            path = _fill(operation.path, client_segment, profile, client_id_param)
            if path is None:
                continue  # a profile read, but the create gave no id
            answer = client.get(join(spec_base_url, path), params=params)
            reason = REASON_NO_ROUTE if is_no_route_body(answer.content) else REASON_KNOWN_SEARCH
            evidence.setdefault(operation.label, OperationEvidence()).add(int(answer.status_code), reason)
    finally:
        if delete is not None and profile_id is not None:
            path = fill_client_id(delete.path, client_id, client_id_param)
            client.delete(join(spec_base_url, re.sub(r"\{[^}]+\}", quote(str(profile_id), safe=""), path)))
    return evidence


def _fill(
    template: str, client_segment: str, profile_id: str | None, client_id_param: str | None
) -> str | None:
    """The path with the ClientId and (if the template has one) the ProfileId filled in."""
    from urllib.parse import quote

    def value(match: re.Match[str]) -> str:
        if is_client_id_param(match.group(1), client_id_param):
            return client_segment
        return quote(profile_id or "", safe="")

    if profile_id is None and any(
        n.lower() in PROFILE_ID_PARAM_NAMES for n in re.findall(r"\{([^}]+)\}", template)
    ):
        return None
    return re.sub(r"\{([^}]+)\}", value, template)


def bare_get_probes(
    document: Mapping[str, Any], routes: Iterable[RouteVerdict], client_id_param: str | None = None
) -> list[SpecOperation]:
    """Undecided GETs that can name no resource: one bare GET of ours decides each (rule 2)."""
    undecided = {r.label for r in routes if r.state is RouteState.UNDECIDED}
    return [op for op in spec_operations(document, client_id_param) if op.bare_get and op.label in undecided]


def send_bare_gets(
    operations: Iterable[SpecOperation], client: Any, spec_base_url: str, client_id: str
) -> dict[str, OperationEvidence]:
    """One GET per operation, ClientId filled in, nothing else; answers as route evidence."""
    from urllib.parse import quote

    evidence: dict[str, OperationEvidence] = {}
    for operation in operations:
        path = re.sub(r"\{[^}]+\}", quote(client_id, safe=""), operation.path)
        response = client.get(join(spec_base_url, path))
        status = int(response.status_code)
        reason = REASON_NO_ROUTE if is_no_route_body(response.content) else REASON_BARE_GET
        evidence.setdefault(operation.label, OperationEvidence()).add(status, reason)
    return evidence
