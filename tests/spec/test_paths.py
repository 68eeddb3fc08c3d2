"""spec.paths: the API's base path from a document, and a base URL joined with a spec path."""

from __future__ import annotations

import pytest

from mypref_harness.spec.paths import base_path, join


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"openapi": "3.0.3", "servers": [{"url": "https://h.example/Profiles/v4/"}]}, "/Profiles/v4"),
        ({"openapi": "3.0.3", "servers": [{"url": "/Profiles/v4"}]}, "/Profiles/v4"),
        ({"openapi": "3.1.0"}, ""),
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
