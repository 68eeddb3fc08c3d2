"""Issue 11 section 2: the spec allows what the vendor document allows, and quotes it correctly.

Expected values come from the API overview (../shared/reference/mypreferences-v4-api-overview.txt, read
here when present, otherwise the sentences written below by hand), from the endpoint catalog
(tools/spec/endpoints.json) or are written here by hand; none is computed by the generator.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
V4 = REPO / "contracts" / "openapi" / "mypreferences-v4.yaml"
OAUTH = REPO / "contracts" / "openapi" / "mypreferences-oauth.yaml"
SWAGGER2 = REPO / "contracts" / "openapi" / "mypreferences-v4.swagger2.json"
CATALOG = REPO / "tools" / "spec" / "endpoints.json"
OVERVIEW = REPO.parent / "shared" / "reference" / "mypreferences-v4-api-overview.txt"
METHODS = ("get", "put", "post", "delete", "patch")

# The document's status code list says, verbatim: "402 / Request Failed / The parameters were valid but
# the request failed."
REQUEST_FAILED = "The parameters were valid but the request failed."
# The document's OAuth sample request line and the PNAUTHINFO3 example header (verbatim).
TOKEN_REQUEST_LINE = "POST /oauth2/v1/token HTTP/1.1"
PNAUTH_EXAMPLE = "Credential=RickSanchez/2015-08-10T20:11:00 Signature="


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.load(V4.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


@pytest.fixture(scope="module")
def catalog() -> list[dict[str, Any]]:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items() if m in METHODS]


def by_id(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for _, _, op in operations(spec)}


def overview_text() -> str:
    if not OVERVIEW.exists():
        pytest.skip("the vendor document is not available next to the repository")
    return OVERVIEW.read_text(encoding="utf-8")


def test_the_quoted_sentences_are_the_documents():
    text = overview_text()
    assert "402\n\nRequest Failed\n\n" + REQUEST_FAILED in text
    assert TOKEN_REQUEST_LINE in text
    assert PNAUTH_EXAMPLE in text
    assert "Both parameters are delimited by a space" in text


# ------------------------------------------------------------------------------------------ 402


def test_every_operation_that_can_fail_on_state_declares_402_request_failed(spec):
    with_409 = [op["operationId"] for _, _, op in operations(spec) if "409" in op["responses"]]
    assert len(with_409) == 38  # 24 StateConflict + 14 Conflict (creates), counted by hand in issue 11
    for _, _, op in operations(spec):
        if "409" in op["responses"]:
            assert op["responses"].get("402") == {"$ref": "#/components/responses/RequestFailed"}, op[
                "operationId"
            ]


def test_every_write_to_an_existing_resource_declares_402(spec):
    """A valid write can fail on the state of the resource it names (an inactive profile answers
    addConsents with 'The profile is inactive.' on an independent server): the document's 402 applies."""
    writes = 0
    for method, path, op in operations(spec):
        names = [n for n in re.findall(r"{(\w+)}", path) if n != "clientId"]
        if method in ("post", "put", "patch", "delete") and names:
            writes += 1
            assert op["responses"].get("402") == {"$ref": "#/components/responses/RequestFailed"}, op[
                "operationId"
            ]
    # 20 of the 38 with 409, and 8 more: addConsents, upsertPreferencesByAlternateId, archivePreferences,
    # deleteProfile, (de)activateProfile, initiateSegmentExport, initiateSegmentGroupExport
    assert writes == 28
    for operation_id in ("addConsents", "upsertPreferencesByAlternateId", "archivePreferences"):
        assert "402" in by_id(spec)[operation_id]["responses"], operation_id


def test_request_failed_quotes_the_document_and_has_the_error_body(spec):
    failed = spec["components"]["responses"]["RequestFailed"]
    assert REQUEST_FAILED in failed["description"]
    assert failed["x-basis"] == "documented"
    assert failed["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_409_is_marked_as_our_assumption_on_the_shared_response(spec):
    responses = spec["components"]["responses"]
    assert responses["StateConflict"]["x-basis"] == "assumption"
    assert "ASSUMPTION" in responses["StateConflict"]["description"]
    # the document's own statuses are documented, the catalog's additions are catalog
    assert responses["BadRequest"]["x-basis"] == "documented"
    assert responses["Conflict"]["x-basis"] == "catalog"


def test_no_text_calls_409_a_rule_of_the_api_overview(spec):
    """The overview's status list is 200, 400, 401, 402, 403, 404: 409 is never one of its rules."""
    for _, _, op in operations(spec):
        for line in op["description"].splitlines():
            if (
                "API overview" in line and "added" in line
            ):  # "Responses added ... API overview ...: 400, 402."
                listed = re.findall(r"\b(\d{3})\b", line.rsplit(":", 1)[-1])
                assert listed and "409" not in listed, (op["operationId"], line)
    create_profile = by_id(spec)["createProfile"]
    assert re.search(r"ASSUMPTION[^\n]*409", create_profile["description"])


# ------------------------------------------------------------------------------------------ creates


def _creates_marked_200_or_201(catalog: list[dict[str, Any]]) -> set[int]:
    out = set()
    for index, entry in enumerate(catalog, 1):
        meanings = " ".join(str(s["meaning"]) for s in entry["status_codes"])
        if re.search(r"200 or 201|200/201", meanings):
            out.add(index)
    return out


def test_creates_the_catalog_marks_200_or_201_declare_both(spec, catalog):
    marked = _creates_marked_200_or_201(catalog)
    assert marked == {56, 105}  # createProfile, createWebhookSubscription
    for _, _, op in operations(spec):
        if op["x-catalog-index"] in marked:
            responses = op["responses"]
            assert {"200", "201"} <= set(responses), op["operationId"]
            schemas = {
                c: responses[c]["content"]["application/json"]["schema"]["$ref"] for c in ("200", "201")
            }
            assert schemas["200"] == schemas["201"], op["operationId"]


def test_create_profile_location_is_optional_and_both_successes_link_onwards(spec):
    create = by_id(spec)["createProfile"]
    for code in ("200", "201"):
        response = create["responses"][code]
        # the catalog does not mention Location for profiles: the id may come from the body alone
        assert response["headers"]["Location"]["required"] is False
        assert "GetProfile" in response["links"]
    # the configuration creates document "201 Created; Location header references new resource"
    address_types = spec["paths"]["/{clientId}/AddressTypes"]["post"]["responses"]
    assert set(c for c in address_types if c.startswith("2")) == {"201"}
    assert address_types["201"]["headers"]["Location"]["required"] is True


def test_swagger2_rendition_keeps_both_create_statuses_and_the_markers():
    doc = json.loads(SWAGGER2.read_text(encoding="utf-8"))
    create = doc["paths"]["/{clientId}/Profile"]["post"]["responses"]
    assert {"200", "201"} <= set(create)
    assert doc["responses"]["StateConflict"]["x-basis"] == "assumption"
    assert doc["responses"]["RequestFailed"]["x-basis"] == "documented"


# ------------------------------------------------------------------------------------------ misquotes


def test_the_oauth_token_path_is_documented_not_a_guess():
    token = yaml.safe_load(OAUTH.read_text(encoding="utf-8"))
    post = token["paths"]["/oauth2/v1/token"]["post"]
    assert post["x-route-confidence"] == "high"
    text = token["info"]["description"] + post["description"]
    assert "not found in the sources" not in text
    assert "ASSUMPTION: the paths /oauth2/v1/token" not in text
    assert TOKEN_REQUEST_LINE.removesuffix(" HTTP/1.1") in text  # quotes the request line it relies on


def test_pnauthinfo3_scheme_text_has_a_space_between_credential_and_signature(spec):
    description = spec["components"]["securitySchemes"]["pnAuthInfo3"]["description"]
    assert "Credential=<UserId>/<ISO 8601 issued timestamp> Signature=" in description
    assert ", Signature" not in description


def test_rename_group_is_a_post_as_in_the_documents_method_list(spec):
    item = spec["paths"]["/{clientId}/Groups/{groupType}"]
    assert set(m for m in item if m in METHODS) == {"post"}
    assert item["post"]["operationId"] == "renameGroup"


def test_experience_api_methods_match_the_documents_endpoint_list(spec):
    """The overview lists the Experience API's 54 endpoints by method only; the counts must agree."""
    text = overview_text()
    block = text.split("Experience API", 1)[1].split("Endpoints\n", 1)[1].split("Data API", 1)[0]
    documented = Counter(line.strip() for line in block.splitlines() if line.strip())
    ours = Counter(m.upper() for m, _, op in operations(spec) if op["tags"] == ["Experience/Configuration"])
    assert sum(documented.values()) == 54
    assert ours == documented
