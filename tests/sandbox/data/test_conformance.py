"""Every operation of the spec, called with the spec's own examples, answers a documented status with a
body that validates strictly against the documented schema (and needed no repair by the shaper)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import yaml
from jsonschema import Draft4Validator

from mypref_harness.sandbox.api import default_spec_path, route_table
from mypref_harness.sandbox.operations.routing import REPAIRS
from mypref_harness.sandbox.validation import FORMAT_CHECKER, SchemaSet, convert

from .helpers import TENANT, client_for

SPEC = yaml.load(default_spec_path().read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
COMPONENTS = SPEC["components"]["schemas"]
# Run order: reads and creates before the operations that delete or consume the example records.
LAST = ("deleteProfile", "deleteTags", "getExportData", "commitExport", "stageImport", "executeImport")


def _deref(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node and not node["$ref"].startswith("#/components/schemas/"):
        target: Any = SPEC
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _operations() -> list[tuple[str, str, dict[str, Any], list[Any]]]:
    ops = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                params = [_deref(p) for p in [*item.get("parameters", []), *op.get("parameters", [])]]
                ops.append((method.upper(), path, op, params))
    return sorted(
        ops,
        key=lambda o: (
            o[2]["operationId"] in LAST,
            LAST.index(o[2]["operationId"]) if o[2]["operationId"] in LAST else 0,
        ),
    )


def _example(param: dict[str, Any]) -> Any:
    if "example" in param:
        return param["example"]
    schema = param.get("schema") or {}
    return schema.get("example", schema.get("default"))


def _request(path: str, op: dict[str, Any], params: list[dict[str, Any]]) -> tuple[str, dict[str, Any], Any]:
    url = "/Profiles/v4" + path
    query: dict[str, Any] = {}
    for param in params:
        if param["name"] == "clientId":
            url = url.replace("{clientId}", TENANT)
            continue
        value = _example(param)
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", quote(str(value), safe=""))
        elif param["in"] == "query" and value is not None:
            query[param["name"]] = str(value).lower() if isinstance(value, bool) else value
    body = None
    request_body = _deref(op.get("requestBody"))
    if request_body:
        media = request_body["content"].get("application/json") or next(
            iter(request_body["content"].values())
        )
        examples = media.get("examples") or {}
        body = _deref(next(iter(examples.values())))["value"] if examples else media.get("example")
    return url, query, body


@pytest.fixture(scope="module")
def responses(seeded_db: Any, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, int, Any, Any]]:
    from mypref_harness.sandbox.store import Store

    path = tmp_path_factory.mktemp("conf") / "db.sqlite"
    path.write_bytes(seeded_db.read_bytes())
    store = Store.open(path)
    client = client_for(store)
    REPAIRS.clear()
    out = []
    try:
        for method, template, op, params in _operations():
            url, query, body = _request(template, op, params)
            kwargs: dict[str, Any] = {"params": query}
            if body is not None:
                kwargs["json"] = body
            response = client.request(method, url, **kwargs)
            out.append((op["operationId"], response.status_code, op, response))
    finally:
        store.close()
    return out


def test_every_operation_has_a_handler() -> None:
    assert route_table().unhandled() == []
    assert len(route_table().routes) == sum(
        1 for item in SPEC["paths"].values() for m in item if m in ("get", "post", "put", "patch", "delete")
    )


def test_examples_get_documented_statuses_and_strictly_valid_bodies(responses: list[Any]) -> None:
    schemas = SchemaSet(COMPONENTS, request=False)
    problems = []
    for op_id, status, op, response in responses:
        documented = op["responses"]
        if str(status) not in documented:
            problems.append(f"{op_id}: undocumented status {status}: {response.text[:200]}")
            continue
        content = (_deref(documented[str(status)]).get("content") or {}).get("application/json")
        if content is None or not response.content:
            continue
        schema = convert(content["schema"], COMPONENTS, request=False)
        validator = Draft4Validator(
            {"allOf": [schema], "components": {"schemas": schemas.converted}}, format_checker=FORMAT_CHECKER
        )
        errors = list(validator.iter_errors(response.json()))
        if errors:
            problems.append(f"{op_id} {status}: {errors[0].message[:200]}")
    assert problems == []


def test_examples_mostly_succeed(responses: list[Any]) -> None:
    """The seed matches the spec's examples: nearly every example request succeeds."""
    failed = [
        f"{op_id} {status} {r.text[:120]}"
        for op_id, status, _, r in responses
        if status >= 300 and not (status == 409 and op_id.startswith("create"))
    ]
    assert failed == []


def test_handlers_build_documented_shapes_without_repairs(responses: list[Any]) -> None:
    assert REPAIRS == {}
