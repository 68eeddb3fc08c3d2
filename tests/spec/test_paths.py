"""spec.paths: the API's base path from a document, and a base URL joined with a spec path."""

from __future__ import annotations

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.spec.paths import base_path, join, plain_base, reconcile


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"openapi": "3.0.3", "servers": [{"url": "https://h.example/Profiles/v4/"}]}, "/Profiles/v4"),
        ({"openapi": "3.0.3", "servers": [{"url": "/Profiles/v4"}]}, "/Profiles/v4"),
        ({"openapi": "3.1.0"}, ""),
        (
            {
                "openapi": "3.0.3",
                "servers": [
                    {
                        "url": "https://{host}/{prefix}/v4",
                        "variables": {"host": {"default": "pm.example"}, "prefix": {"default": "Profiles"}},
                    }
                ],
            },
            "/Profiles/v4",
        ),
        ({"swagger": "2.0", "basePath": "/Profiles/v4/"}, "/Profiles/v4"),
        ({"swagger": "2.0"}, ""),
    ],
)
def test_base_path(document: dict[str, object], expected: str) -> None:
    assert base_path(document) == expected


@pytest.mark.parametrize(
    ("base_url", "path", "expected"),
    [
        (
            "http://127.0.0.1:8080/Profiles/v4",
            "/ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
        ),
        (
            "http://127.0.0.1:8080/Profiles/v4/",
            "/ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
        ),
        (
            "http://127.0.0.1:8080/Profiles/v4",
            "ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
        ),
        ("http://127.0.0.1:8080/Profiles/v4", "/", "http://127.0.0.1:8080/Profiles/v4/"),
    ],
)
def test_join_puts_exactly_one_slash_between(base_url: str, path: str, expected: str) -> None:
    assert join(base_url, path) == expected


# ------------------------------------------------------------------ reconcile: one URL per spec path

OURS = {  # our reconstructed spec's shape: servers carry the prefix, paths are relative
    "openapi": "3.0.3",
    "servers": [{"url": "https://pm.mypreferences.com/Profiles/v4"}],
    "paths": {"/{clientId}/Profile": {"post": {}}, "/Async/{clientId}/Import": {"post": {}}},
}
SWAGGER_BASE_PATH = {  # a Swashbuckle export: basePath carries the prefix
    "swagger": "2.0",
    "host": "pm.mypreferences.com",
    "basePath": "/Profiles/v4",
    "paths": {"/{ClientId}/Profile": {"post": {}}, "/Async/{ClientId}/Import": {"post": {}}},
}
PREFIXED_PATHS = {  # no server path; every path carries /Profiles/v4
    "openapi": "3.0.3",
    "servers": [{"url": "https://pm.mypreferences.com"}],
    "paths": {"/Profiles/v4/{ClientId}/Profile": {"post": {}}, "/Profiles/v4/Async/{ClientId}/Import": {}},
}
RELATIVE_NO_SERVER = {"openapi": "3.1.0", "paths": {"/{clientId}/Profile": {"post": {}}}}
SANDBOX = "http://127.0.0.1:8080/Profiles/v4"
PROFILE_URL = SANDBOX + "/ACME/Profile"


@pytest.mark.parametrize(
    ("base_url", "document", "spec_path", "expected_url", "schemathesis_url"),
    [
        (SANDBOX, OURS, "/ACME/Profile", PROFILE_URL, SANDBOX),
        (SANDBOX, SWAGGER_BASE_PATH, "/ACME/Profile", PROFILE_URL, SANDBOX),
        (
            SANDBOX,
            PREFIXED_PATHS,
            "/Profiles/v4/ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
            "http://127.0.0.1:8080",
        ),
        (SANDBOX, RELATIVE_NO_SERVER, "/ACME/Profile", PROFILE_URL, SANDBOX),
        # a host-only base URL takes the prefix from the spec
        (
            "http://127.0.0.1:8080",
            SWAGGER_BASE_PATH,
            "/ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
            SANDBOX,
        ),
        (
            "http://127.0.0.1:8080/",
            PREFIXED_PATHS,
            "/Profiles/v4/ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
            "http://127.0.0.1:8080",
        ),
        # a gateway prefix in front of the API stays in front
        (
            "https://gw.example/mypref/Profiles/v4",
            SWAGGER_BASE_PATH,
            "/ACME/Profile",
            "https://gw.example/mypref/Profiles/v4/ACME/Profile",
            "https://gw.example/mypref/Profiles/v4",
        ),
        # the base URL covers only part of the spec's base path: the rest follows it
        (
            "http://127.0.0.1:8080/Profiles",
            SWAGGER_BASE_PATH,
            "/ACME/Profile",
            "http://127.0.0.1:8080/Profiles/v4/ACME/Profile",
            SANDBOX,
        ),
        # an IIS virtual directory as basePath, the version in the route templates
        (
            SANDBOX,
            {"swagger": "2.0", "basePath": "/Profiles", "paths": {"/v4/{ClientId}/Profile": {"post": {}}}},
            "/v4/ACME/Profile",
            PROFILE_URL,
            "http://127.0.0.1:8080/Profiles",
        ),
        # the prefix declared twice (servers and every path): sent once
        (
            SANDBOX,
            {**PREFIXED_PATHS, "servers": [{"url": "https://pm.mypreferences.com/Profiles/v4"}]},
            "/Profiles/v4/ACME/Profile",
            PROFILE_URL,
            "http://127.0.0.1:8080",
        ),
        # ASP.NET routes are case-insensitive: a lower-case base URL still matches the basePath
        (
            "http://127.0.0.1:8080/profiles/v4",
            SWAGGER_BASE_PATH,
            "/ACME/Profile",
            "http://127.0.0.1:8080/profiles/v4/ACME/Profile",
            "http://127.0.0.1:8080/profiles/v4",
        ),
    ],
)
def test_reconcile_sends_the_prefix_exactly_once(
    base_url: str, document: dict[str, object], spec_path: str, expected_url: str, schemathesis_url: str
) -> None:
    api = reconcile(base_url, document)
    assert api.url(spec_path) == expected_url
    assert api.schemathesis_url == schemathesis_url
    # Schemathesis requests base-url + "/" + the path as written: the same URL
    assert join(api.schemathesis_url, spec_path) == expected_url


@pytest.mark.parametrize("document", [OURS, SWAGGER_BASE_PATH, PREFIXED_PATHS, RELATIVE_NO_SERVER])
def test_a_catalog_path_goes_under_the_api_root_whatever_the_spec(document: dict[str, object]) -> None:
    api = reconcile(SANDBOX, document)
    assert api.root == SANDBOX
    assert api.url("/ACME/Programs") == "http://127.0.0.1:8080/Profiles/v4/ACME/Programs"


def test_relative_is_the_path_under_the_root() -> None:
    assert reconcile(SANDBOX, PREFIXED_PATHS).relative("/Profiles/v4/ACME/Profile") == "/ACME/Profile"
    assert reconcile("http://127.0.0.1:8080/Profiles", SWAGGER_BASE_PATH).relative("/ACME/Profile") == (
        "/v4/ACME/Profile"
    )


def test_a_base_path_the_base_url_does_not_share_is_an_error_showing_the_three_parts() -> None:
    document = {"swagger": "2.0", "basePath": "/api/v2", "paths": {"/{ClientId}/Profile": {"post": {}}}}
    with pytest.raises(ConfigError) as caught:
        reconcile(SANDBOX, document)
    message = str(caught.value)
    assert f"base URL {SANDBOX}" in message
    assert "spec base path /api/v2" in message
    assert "first path /{ClientId}/Profile" in message


def test_paths_that_disagree_on_carrying_the_prefix_are_an_error() -> None:
    document = {
        "openapi": "3.0.3",
        "paths": {"/Profiles/v4/{ClientId}/Profile": {"post": {}}, "/{ClientId}/Programs": {"get": {}}},
    }
    with pytest.raises(ConfigError, match="disagree"):
        reconcile(SANDBOX, document)


def test_plain_base_is_the_base_url_as_root() -> None:
    assert plain_base(SANDBOX + "/").url("/ACME/Profile") == SANDBOX + "/ACME/Profile"
