"""The JSON door: lone surrogates and non-finite numbers are refused with 400 {Message} on every
operation that takes a body, before anything is stored (issue 12, "The sandbox under hostile input")."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from mypref_harness.sandbox.api import route_table
from mypref_harness.sandbox.operations.routing import Route
from mypref_harness.sandbox.store import Store
from mypref_harness.sandbox.validation import UnsafeJson, parse_request_json

BASE = "/Profiles/v4"
TENANT = "ACME_CORP"
BODY_OPERATIONS = [op for op in route_table().routes if op.body is not None]


def concrete_path(op: Route) -> str:
    """The operation's template with the tenant and a plausible value ("1") for every other parameter."""

    def fill(match: re.Match[str]) -> str:
        return TENANT if match.group(1).lower() == "clientid" else "1"

    return BASE + re.sub(r"\{([^}]+)\}", fill, op.template)


def send(client: TestClient, op: Route, text: str) -> Any:
    return client.request(
        op.method,
        concrete_path(op),
        content=text.encode("utf-8"),
        headers={"Content-Type": op.body.media_types[0]},
    )


def assert_refused(response: Any, phrase: str) -> None:
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"Message"}
    assert phrase in response.json()["Message"]


def strict_json(text: str) -> Any:
    """json.loads that fails on the non-JSON tokens Python's encoder can write (Infinity, NaN)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"non-JSON token {name}")

    return json.loads(text, parse_constant=refuse)


# -- lone surrogates --------------------------------------------------------------------------------
def test_every_body_operation_is_covered() -> None:
    assert len(BODY_OPERATIONS) >= 40  # the spec has 43 today; a broken enumeration must not pass quietly


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=lambda op: f"{op.method} {op.template}")
def test_a_lone_surrogate_anywhere_in_a_body_is_a_400(data_client: TestClient, op: Route) -> None:
    # In a key and in a nested value, so that no schema position can hide it.
    assert_refused(send(data_client, op, '{"Name": "x\\ud800", "\\udfff": ["\\udc00"]}'), "surrogate")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/Profile", '{"CustomerName": {"FirstName": "Rick\\ud800"}}'),
        ("/CustomFields/Text", '{"TextFields": [{"Name": "\\ud800"}]}'),
        ("/Webhooks/Subscriptions", '{"Name": "n\\udbff", "Url": "https://example.com/hook"}'),
    ],
)
def test_a_lone_surrogate_in_a_valid_looking_body_is_a_400_and_nothing_is_stored(
    data_client: TestClient, path: str, body: str
) -> None:
    before = data_client.get(f"{BASE}/{TENANT}/Profile/1001")
    response = data_client.post(
        f"{BASE}/{TENANT}{path}", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert_refused(response, "surrogate")
    assert data_client.get(f"{BASE}/{TENANT}/Profile/1001").text == before.text


def test_a_surrogate_pair_is_a_character_and_is_accepted(data_client: TestClient) -> None:
    response = data_client.post(
        f"{BASE}/{TENANT}/Profile",
        content=b'{"CustomerName": {"FirstName": "Rick \\ud83d\\ude00"}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["CustomerName"]["FirstName"] == "Rick \U0001f600"


# -- non-finite numbers -----------------------------------------------------------------------------
NON_FINITE = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1" + "0" * 400]


@pytest.mark.parametrize("number", NON_FINITE)
def test_a_non_finite_number_in_a_create_body_is_a_400(data_client: TestClient, number: str) -> None:
    body = f'{{"NumericFields": [{{"Name": "Overflow", "MaxValue": {number}}}]}}'
    response = data_client.post(
        f"{BASE}/{TENANT}/CustomFields/Numeric",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"Message"}
    listing = data_client.get(f"{BASE}/{TENANT}/CustomFields/Numeric")
    assert listing.status_code == 200
    assert "Overflow" not in json.dumps(strict_json(listing.text))


@pytest.mark.parametrize("number", NON_FINITE)
def test_a_non_finite_number_in_a_json_patch_value_is_a_400(data_client: TestClient, number: str) -> None:
    listing = strict_json(data_client.get(f"{BASE}/{TENANT}/CustomFields/Numeric").text)
    field_id = listing["NumericFields"][0]["Id"]
    patch = f'[{{"op": "replace", "path": "/MaxValue", "value": {number}}}]'
    response = data_client.patch(
        f"{BASE}/{TENANT}/CustomField/Numeric/{field_id}",
        content=patch.encode(),
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"Message"}
    after = strict_json(data_client.get(f"{BASE}/{TENANT}/CustomFields/Numeric").text)
    assert after == listing


def test_large_finite_numbers_still_pass_the_door() -> None:
    assert parse_request_json('{"a": 1.7976931348623157e308, "b": -1e-999, "c": 9007199254740993}') == {
        "a": 1.7976931348623157e308,
        "b": -0.0,
        "c": 9007199254740993,
    }


@pytest.mark.parametrize("text", ['{"a": 1e999}', '{"a": NaN}', '["\\ud800"]', '{"\\udc00": 1}'])
def test_the_door_names_the_unsafe_value(text: str) -> None:
    with pytest.raises(UnsafeJson):
        parse_request_json(text)


def test_the_store_refuses_to_write_a_non_finite_number(seeded_db: Any) -> None:
    store = Store.open(seeded_db)
    try:
        with pytest.raises(ValueError), store.write() as tx:
            tx.put(TENANT, "probe", 1, {"value": float("inf")})
        assert store.read_text(TENANT, "probe", 1) is None
    finally:
        store.close()
