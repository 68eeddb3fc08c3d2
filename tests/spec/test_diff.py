"""spec diff: one change of each kind made to a copy of our own spec, each classified as oasdiff would.

Every case edits one operation (or the security schemes) of a deep copy of the reconstructed spec
and expects exactly the listed (kind, breaking) changes: nothing else may show up, so a
mis-classified or spurious change fails the case.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mypref_harness import cli
from mypref_harness.resources import spec_file, swagger2_spec_file
from mypref_harness.spec.diff import diff_documents, render
from mypref_harness.spec.document import load_spec
from mypref_harness.spec.refs import resolve
from mypref_harness.spec.schema_diff import compare_schemas
from tests.fixtures.specs import make_swashbuckle

Document = dict[str, Any]

OURS = load_spec(None, validate=False).document
SWAGGER2 = load_spec(swagger2_spec_file(), validate=False).document

CREATE, GET, BY_NAME, PROGRAMS = (
    ("/{clientId}/Profile", "post"),
    ("/{clientId}/Profile/{profileId}", "get"),
    ("/{clientId}/Profile/Name", "get"),
    ("/{clientId}/Programs", "get"),
)


def _op(doc: Document, where: tuple[str, str]) -> dict[str, Any]:
    return doc["paths"][where[0]][where[1]]


def _request_schema(doc: Document, where: tuple[str, str]) -> dict[str, Any]:
    """The operation's JSON request schema, inlined (a copy), so an edit changes this operation only."""
    media = _op(doc, where)["requestBody"]["content"]["application/json"]
    media["schema"] = copy.deepcopy(resolve(doc, media["schema"]))
    return media["schema"]


def _response_schema(doc: Document, where: tuple[str, str], status: str) -> dict[str, Any]:
    response = resolve(doc, _op(doc, where)["responses"][status])
    media = copy.deepcopy(response)["content"]["application/json"]
    media["schema"] = copy.deepcopy(resolve(doc, media["schema"]))
    _op(doc, where)["responses"][status] = {**response, "content": {"application/json": media}}
    return media["schema"]


def _query(doc: Document, where: tuple[str, str], name: str) -> dict[str, Any]:
    return next(p for p in _op(doc, where)["parameters"] if p.get("name") == name)


def _rename_path(doc: Document) -> None:
    doc["paths"]["/{clientId}/Programmes"] = doc["paths"].pop("/{clientId}/Programs")


def _remove_operation(doc: Document) -> None:
    del doc["paths"]["/{clientId}/Programs"]["get"]


def _add_operation(doc: Document) -> None:
    doc["paths"]["/{clientId}/Programs"]["post"] = copy.deepcopy(_op(doc, PROGRAMS)) | {
        "operationId": "addProgram"
    }


def _add_parameter(required: bool) -> Callable[[Document], None]:
    def edit(doc: Document) -> None:
        _op(doc, PROGRAMS)["parameters"].append(
            {"name": "region", "in": "query", "required": required, "schema": {"type": "string"}}
        )

    return edit


def _require_body_field(doc: Document) -> None:
    schema = _request_schema(doc, CREATE)
    schema["properties"]["Channel"] = {"type": "string"}
    schema["required"] = ["Channel"]


def _optional_body_field(doc: Document) -> None:
    _request_schema(doc, CREATE)["properties"]["Channel"] = {"type": "string"}


def _narrow_type(doc: Document) -> None:
    _query(doc, BY_NAME, "firstName")["schema"] = {"type": "integer"}


def _widen_type(doc: Document) -> None:
    _request_schema(doc, CREATE)["properties"]["IsActive"] = {"type": "string"}  # boolean -> string


def _new_max_length(doc: Document) -> None:
    _query(doc, BY_NAME, "firstName")["schema"]["maxLength"] = 20


def _looser_max_length(doc: Document) -> None:
    _query(doc, PROGRAMS, "locale")["schema"]["maxLength"] = 30  # was 15


def _new_pattern(doc: Document) -> None:
    _query(doc, BY_NAME, "firstName")["schema"]["pattern"] = "^[A-Za-z]+$"


def _remove_response_field(doc: Document) -> None:
    del _response_schema(doc, GET, "200")["properties"]["CustomerType"]


def _add_response_field(doc: Document) -> None:
    _response_schema(doc, GET, "200")["properties"]["Channel"] = {"type": "string"}


def _remove_status(doc: Document) -> None:
    del _op(doc, GET)["responses"]["404"]


def _add_status(doc: Document) -> None:
    _op(doc, GET)["responses"]["410"] = {"description": "gone"}


def _change_scheme(doc: Document) -> None:
    doc["components"]["securitySchemes"]["pnAuthInfo3"]["name"] = "X-PN-Auth"


def _drop_security_alternative(doc: Document) -> None:
    _op(doc, GET)["security"] = [{"oauth2ClientCredentials": []}]


def _json_body_becomes_a_form(doc: Document) -> None:
    content = _op(doc, CREATE)["requestBody"]["content"]
    content["application/x-www-form-urlencoded"] = content.pop("application/json")


def _csv_answer_added(doc: Document) -> None:
    response = copy.deepcopy(resolve(doc, _op(doc, GET)["responses"]["200"]))
    response["content"]["text/csv"] = {"schema": {"type": "string"}}
    _op(doc, GET)["responses"]["200"] = response


def _response_field_becomes_nullable(doc: Document) -> None:
    _response_schema(doc, GET, "200")["properties"]["ProfileId"]["nullable"] = True


def _request_field_no_longer_nullable(doc: Document) -> None:
    del _request_schema(doc, CREATE)["properties"]["CustomerType"]["nullable"]


ADD_ADDRESS_TYPES = ("/{clientId}/AddressTypes", "post")


def _location_header_removed(doc: Document) -> None:
    del _op(doc, ADD_ADDRESS_TYPES)["responses"]["201"]["headers"]["Location"]


def _deprecate(doc: Document) -> None:
    _op(doc, PROGRAMS)["deprecated"] = True


def _require_body(doc: Document) -> None:
    _op(doc, PROGRAMS)["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }


CASES: list[tuple[str, Callable[[Document], None], set[tuple[str, bool]]]] = [
    ("path renamed", _rename_path, {("path-changed", True)}),
    ("operation removed", _remove_operation, {("operation-removed", True)}),
    ("operation added", _add_operation, {("operation-added", False)}),
    ("required parameter added", _add_parameter(True), {("request-parameter-added-required", True)}),
    ("optional parameter added", _add_parameter(False), {("request-parameter-added", False)}),
    ("required body field added", _require_body_field, {("request-body-required-property-added", True)}),
    ("optional body field added", _optional_body_field, {("request-body-property-added", False)}),
    ("request body now required", _require_body, {("request-body-added", True)}),
    ("parameter type changed", _narrow_type, {("request-parameter-type-changed", True)}),
    ("body field type changed", _widen_type, {("request-body-type-changed", True)}),
    ("new maxLength", _new_max_length, {("request-parameter-maxLength-changed", True)}),
    ("looser maxLength", _looser_max_length, {("request-parameter-maxLength-changed", False)}),
    ("new pattern", _new_pattern, {("request-parameter-pattern-changed", True)}),
    ("response field removed", _remove_response_field, {("response-property-removed", True)}),
    ("response field added", _add_response_field, {("response-property-added", False)}),
    ("response status removed", _remove_status, {("response-status-removed", True)}),
    ("response status added", _add_status, {("response-status-added", False)}),
    ("security scheme changed", _change_scheme, {("security-scheme-changed", True)}),
    ("security alternative dropped", _drop_security_alternative, {("security-requirement-removed", True)}),
    ("operation deprecated", _deprecate, {("operation-deprecated", False)}),
    ("response header removed", _location_header_removed, {("response-header-removed", True)}),
    (
        "response field became nullable",
        _response_field_becomes_nullable,
        {("response-nullable-changed", True)},
    ),
    (
        "request field no longer nullable",
        _request_field_no_longer_nullable,
        {("request-body-nullable-changed", True)},
    ),
    (
        "request media type replaced",
        _json_body_becomes_a_form,
        {("request-body-media-type-removed", True), ("request-body-media-type-added", False)},
    ),
    ("response media type added", _csv_answer_added, {("response-media-type-added", False)}),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_change_is_classified(
    edit: Callable[[Document], None], expected: set[tuple[str, bool]]
) -> None:
    new = copy.deepcopy(OURS)
    edit(new)
    result = diff_documents(OURS, new)
    assert {(c.kind, c.breaking) for c in result.changes} == expected


def _enum_doc(values: list[str]) -> Document:
    doc = copy.deepcopy(OURS)
    _request_schema(doc, CREATE)["properties"]["CustomerType"]["enum"] = values
    return doc


def test_an_enum_value_removed_from_a_request_breaks_and_one_added_does_not() -> None:
    both, one = _enum_doc(["Consumer", "Business"]), _enum_doc(["Consumer"])
    removed = diff_documents(both, one).changes
    added = diff_documents(one, both).changes
    assert [(c.kind, c.breaking, c.where) for c in removed] == [
        ("request-body-enum-value-removed", True, "request body/CustomerType")
    ]
    assert [(c.kind, c.breaking) for c in added] == [("request-body-enum-value-added", False)]


def test_a_response_that_may_carry_more_breaks_the_reader() -> None:
    """The same edit read from the other side: a new enum value in a response breaks the client."""
    old, new = copy.deepcopy(OURS), copy.deepcopy(OURS)
    _response_schema(old, GET, "200")["properties"]["CustomerType"] = {"type": "string", "enum": ["Consumer"]}
    _response_schema(new, GET, "200")["properties"]["CustomerType"] = {
        "type": "string",
        "enum": ["Consumer", "X"],
    }
    assert [(c.kind, c.breaking) for c in diff_documents(old, new).changes] == [
        ("response-enum-value-added", True)
    ]


def test_the_same_spec_has_no_change() -> None:
    assert diff_documents(OURS, copy.deepcopy(OURS)).changes == []


def test_swagger2_changes_are_classified_like_openapi3() -> None:
    new = copy.deepcopy(SWAGGER2)
    del new["paths"]["/{clientId}/Programs"]["get"]
    new["paths"]["/{clientId}/Profile/Name"]["get"]["parameters"].append(
        {"name": "region", "in": "query", "required": True, "type": "string"}
    )
    kinds = {(c.kind, c.breaking) for c in diff_documents(SWAGGER2, new).changes}
    assert kinds == {("operation-removed", True), ("request-parameter-added-required", True)}


def test_our_spec_against_its_swagger2_rendition_breaks_nothing() -> None:
    """Swagger 2.0 spells bodies, parameters, oneOf and OAuth flows otherwise: read alike, they agree
    (the rendition only drops what 2.0 cannot say, e.g. a deepObject query parameter)."""
    result = diff_documents(OURS, SWAGGER2)
    assert result.breaking == []
    assert {c.kind for c in result.changes} <= {"request-parameter-removed"}


def test_a_base_path_that_moved_into_the_paths_is_no_change() -> None:
    moved = copy.deepcopy(SWAGGER2)
    moved["paths"] = {"/Profiles/v4" + path: item for path, item in moved.pop("paths").items()}
    moved["basePath"] = "/"
    assert diff_documents(SWAGGER2, moved).changes == []


def test_null_is_read_alike_from_every_spelling() -> None:
    """OpenAPI 3.0 nullable, Swagger 2.0 x-nullable (Swashbuckle) and OpenAPI 3.1 ["string", "null"]."""
    spellings = [
        {"type": "string", "nullable": True},
        {"type": "string", "x-nullable": True},
        {"type": ["string", "null"]},
    ]
    for old in spellings:
        for new in spellings:
            assert compare_schemas({}, old, {}, new, "response") == []
    changes = compare_schemas({}, {"type": "string"}, {}, {"type": ["string", "null"]}, "response")
    assert [(c.kind, c.breaking) for c in changes] == [("nullable-changed", True)]


def test_a_recursive_schema_ends() -> None:
    old, new = copy.deepcopy(OURS), copy.deepcopy(OURS)
    for doc, extra in ((old, {}), (new, {"maxLength": 5})):
        doc["components"]["schemas"]["Node"] = {
            "type": "object",
            "properties": {
                "name": {"type": "string", **extra},
                "child": {"$ref": "#/components/schemas/Node"},
            },
        }
        _response_schema(doc, GET, "200")["properties"]["Tree"] = {"$ref": "#/components/schemas/Node"}
    changes = diff_documents(old, new).changes
    assert [(c.kind, c.where) for c in changes] == [("response-maxLength-changed", "response 200/Tree/name")]


# --- the command --------------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, doc: Document) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_exit_code_is_0_without_a_breaking_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = copy.deepcopy(OURS)
    _add_status(new)
    assert cli.main(["spec", "diff", str(spec_file()), str(_write(tmp_path, "new.json", new))]) == 0
    assert "0 breaking, 1 non-breaking change(s)" in capsys.readouterr().out


def test_exit_code_is_1_on_a_breaking_change_and_json_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = copy.deepcopy(OURS)
    _remove_operation(new)
    code = cli.main(
        ["spec", "diff", str(spec_file()), str(_write(tmp_path, "new.json", new)), "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (report["breaking"], report["non_breaking"]) == (1, 0)
    assert report["changes"][0]["operation"] == "GET /{clientId}/Programs"
    assert report["changes"][0]["kind"] == "operation-removed"


def test_exit_code_is_2_on_a_file_that_is_not_a_spec(tmp_path: Path) -> None:
    not_a_spec = _write(tmp_path, "x.json", {"hello": "world"})
    assert cli.main(["spec", "diff", str(spec_file()), str(not_a_spec)]) == 2
    assert cli.main(["spec", "diff", str(tmp_path / "missing.yaml"), str(spec_file())]) == 2


def test_output_writes_markdown_to_a_file(tmp_path: Path) -> None:
    new = copy.deepcopy(OURS)
    _remove_status(new)
    out = tmp_path / "reports" / "diff.md"
    code = cli.main(
        [
            "spec",
            "diff",
            str(spec_file()),
            str(_write(tmp_path, "n.json", new)),
            "--format",
            "md",
            "--output",
            str(out),
        ]
    )
    text = out.read_text(encoding="utf-8")
    assert code == 1
    assert text.startswith("# Spec diff: 1 breaking, 0 non-breaking change(s)")
    assert (
        "| breaking | GET /{clientId}/Profile/{profileId} | response 404 | response-status-removed: removed |"
        in text
    )


def test_the_table_names_every_change() -> None:
    new = copy.deepcopy(OURS)
    _rename_path(new)
    table = render(diff_documents(OURS, new, old="a.yaml", new="b.yaml"), "table")
    assert (
        "path-changed: GET /Profiles/v4/{clientId}/Programs -> GET /Profiles/v4/{clientId}/Programmes"
        in table
    )
    assert table.rstrip().endswith("a.yaml -> b.yaml: 1 breaking, 0 non-breaking change(s)")


def test_the_swashbuckle_fixture_with_one_route_renamed_shows_the_rename_as_breaking() -> None:
    old = load_spec(make_swashbuckle.FIXTURE, validate=False).document
    new = load_spec(make_swashbuckle.RENAMED_FIXTURE, validate=False).document
    changes = [(c.kind, c.breaking, c.operation) for c in diff_documents(old, new).changes]
    assert changes == [
        ("operation-removed", True, "POST /{ClientId}/Profile"),
        ("operation-added", False, "POST /{ClientId}/Profiles"),
    ]


def test_a_change_to_a_shared_schema_shows_under_every_operation_at_its_own_place() -> None:
    """Named schemas are compared once per pair (a memo); each use still gets its own 'where'."""
    new = copy.deepcopy(OURS)
    del new["components"]["schemas"]["CustomerName"]["properties"]["Suffix"]  # under Profile, a list's items
    changes = diff_documents(OURS, new).changes
    found = {(c.operation, c.where) for c in changes}
    assert {
        ("GET /{clientId}/Profile/{profileId}", "response 200/CustomerName/Suffix"),
        ("POST /{clientId}/Profile", "response 201/CustomerName/Suffix"),
        ("GET /{clientId}/Profile/Name", "response 200[]/CustomerName/Suffix"),
        ("GET /{clientId}/Profile/{profileId}/History/StandardFields", "response 200[]/CustomerName/Suffix"),
        ("POST /{clientId}/Profile", "request body/CustomerName/Suffix"),
    } <= found
    assert {(c.kind, c.breaking) for c in changes} == {
        ("response-property-removed", True),
        ("request-body-property-removed", False),
    }


def test_a_new_required_swagger2_form_field_is_a_new_required_body_field() -> None:
    def upload(*fields: dict[str, Any]) -> Document:
        operation = {"parameters": list(fields), "responses": {"200": {"description": "ok"}}}
        return {
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/upload": {"post": operation}},
        }

    file_field = {"in": "formData", "name": "file", "type": "file", "required": True}
    label = {"in": "formData", "name": "label", "type": "string", "required": True}
    changes = diff_documents(upload(file_field), upload(file_field, label)).changes
    assert [(c.kind, c.breaking, c.where) for c in changes] == [
        ("request-body-required-property-added", True, "request body/label")
    ]


def test_a_scheme_dropped_from_every_operation_is_one_change_not_one_per_operation() -> None:
    """The vendor's Swashbuckle file names no PNAUTHINFO3 scheme: before, 1 + 110 breaking changes."""
    new = copy.deepcopy(OURS)
    del new["components"]["securitySchemes"]["pnAuthInfo3"]
    operations = 0
    for item in new["paths"].values():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                operations += 1
                security = operation.get("security", new.get("security"))
                operation["security"] = [r for r in security if "pnAuthInfo3" not in r]
    changes = diff_documents(OURS, new).changes
    assert operations == 110
    assert [(c.kind, c.breaking, c.operation) for c in changes] == [
        ("security-requirement-removed", True, "(whole API)"),
        ("security-scheme-removed", True, "(whole API)"),
    ]
    assert changes[0].message == "pnAuthInfo3 no longer accepted (on all 110 operations)"


def test_a_requirement_dropped_from_some_operations_stays_per_operation() -> None:
    new = copy.deepcopy(OURS)
    _drop_security_alternative(new)
    _op(new, PROGRAMS)["security"] = [{"oauth2ClientCredentials": []}]
    changes = diff_documents(OURS, new).changes
    assert sorted(c.operation for c in changes) == [
        "GET /{clientId}/Profile/{profileId}",
        "GET /{clientId}/Programs",
    ]
