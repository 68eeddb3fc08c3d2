"""Stateful links by role: the links our spec declares, added to a spec that has none.

Schemathesis's stateful phase follows a spec's links (OpenAPI 3 ``links``, Swagger 2.0 ``x-links``)
from one operation's answer to the next request: create a profile, then read, update or delete THAT
profile. A vendor's Swagger file has no links (Swagger 2.0 cannot say them, Swashbuckle writes none),
so the phase would have nothing to follow. The harness knows which operation plays which part
(spec.roles), and so the links between them: when the run's spec declares no link at all, those are
added to the run's copy. A spec with links of its own is left as it is (its author chose them).

A link fills the target's path parameters by position, as every catalog route is written: the first
(the account, ``{clientId}`` however it is spelled) from the source request's first path parameter,
the second (the profile) from the ``ProfileId`` member of the source's answer (any case).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from mypref_harness.spec.operations import OperationObject, operation_objects
from mypref_harness.spec.refs import is_local_ref, resolve_if_possible
from mypref_harness.spec.roles import Role, resolve_all

# (source, target): after the source succeeded, the target can run on the same profile. The same
# links our spec declares between these operations (contracts/openapi/mypreferences-v4.yaml).
ROLE_LINKS: tuple[tuple[Role, Role], ...] = (
    (Role.CREATE_PROFILE, Role.READ_PROFILE),
    (Role.CREATE_PROFILE, Role.UPDATE_PROFILE),
    (Role.CREATE_PROFILE, Role.REPLACE_PROFILE),
    (Role.CREATE_PROFILE, Role.PATCH_PROFILE),
    (Role.CREATE_PROFILE, Role.STANDARD_FIELDS_HISTORY),
    (Role.CREATE_PROFILE, Role.DELETE_PROFILE),
    (Role.UPDATE_PROFILE, Role.READ_PROFILE),
    (Role.UPDATE_PROFILE, Role.STANDARD_FIELDS_HISTORY),
    (Role.REPLACE_PROFILE, Role.READ_PROFILE),
    (Role.REPLACE_PROFILE, Role.STANDARD_FIELDS_HISTORY),
    (Role.PATCH_PROFILE, Role.READ_PROFILE),
    (Role.PATCH_PROFILE, Role.STANDARD_FIELDS_HISTORY),
)
PROFILE_ID_MEMBER = "profileid"  # the answer's member carrying the profile id, compared case-insensitively
LINK_KEYS = ("links", "x-links")  # OpenAPI 3 / Swagger 2.0
_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")


def add_role_links(
    document: Mapping[str, Any], table: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], int]:
    """A copy of ``document`` with the links of ROLE_LINKS when it declares none; and how many were
    added (one per source success response that names a profile id, and target). ``table`` is the
    ``[operations]`` table of mypref.toml (spec.roles)."""
    doc = copy.deepcopy(dict(document))
    if has_links(doc):
        return doc, 0
    key = "x-links" if str(doc.get("swagger", "")).startswith("2.") else "links"
    roles = resolve_all(doc, table)
    added = 0
    for source_role, target_role in ROLE_LINKS:
        source, target = roles.get(source_role), roles.get(target_role)
        if source is None or target is None:
            continue
        for response, member in _success_responses(doc, source):
            parameters = _link_parameters(source, target, member)
            if parameters is not None:
                links = response.setdefault(key, {})
                links[_link_name(target_role)] = {**_link_target(target), "parameters": parameters}
                added += 1
    return doc, added


def has_links(document: Mapping[str, Any]) -> bool:
    """Whether any response of ``document`` declares a link."""
    for found in operation_objects(document):
        for response in (found.raw.get("responses") or {}).values():
            response = resolve_if_possible(document, response)
            if isinstance(response, Mapping) and any(response.get(key) for key in LINK_KEYS):
                return True
    return False


def _success_responses(doc: dict[str, Any], source: OperationObject) -> Iterator[tuple[dict[str, Any], str]]:
    """Each 2xx response of ``source`` whose body names the profile id, with that member's name.

    A shared (``$ref``) response is written out in the operation first, so that the links stay its own.
    """
    responses = source.raw.get("responses")
    if not isinstance(responses, dict):
        return
    for status, response in list(responses.items()):
        if not str(status).startswith("2"):
            continue
        if is_local_ref(response):
            response = responses[status] = copy.deepcopy(resolve_if_possible(doc, response))
        member = _profile_id_member(doc, response) if isinstance(response, dict) else None
        if member is not None:
            yield response, member


def _profile_id_member(doc: Mapping[str, Any], response: Mapping[str, Any]) -> str | None:
    schemas = [response.get("schema")]  # Swagger 2.0
    content = response.get("content")
    if isinstance(content, Mapping):  # OpenAPI 3: any JSON media type
        schemas += [
            body.get("schema")
            for media, body in content.items()
            if "json" in media and isinstance(body, Mapping)
        ]
    for schema in schemas:
        schema = resolve_if_possible(doc, schema)
        properties = schema.get("properties") if isinstance(schema, Mapping) else None
        for name in properties or {}:
            if str(name).lower() == PROFILE_ID_MEMBER:
                return str(name)
    return None


def _link_parameters(source: OperationObject, target: OperationObject, member: str) -> dict[str, str] | None:
    """The target's two path parameters (account, profile) filled from the source; None when either
    route is not of that shape."""
    source_params = _PATH_PARAMETER.findall(source.path)
    target_params = _PATH_PARAMETER.findall(target.path)
    if not source_params or len(target_params) != 2:
        return None
    account, profile = target_params
    return {account: f"$request.path.{source_params[0]}", profile: f"$response.body#/{member}"}


def _link_target(target: OperationObject) -> dict[str, str]:
    if target.operation_id:
        return {"operationId": target.operation_id}
    pointer = target.path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{target.method}"}


def _link_name(role: Role) -> str:
    """``read-profile`` -> ``ReadProfile``."""
    return "".join(part.capitalize() for part in re.split("[-_]", role.value))
