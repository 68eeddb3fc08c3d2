"""The spec document a contract run tests: loading it (or a clear configuration error) and --operations."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness import resources
from mypref_harness.contract.spec_document import load_spec_document, operations_regex
from mypref_harness.errors import ConfigError

SPEC = str(resources.spec_file())


@pytest.fixture(scope="module")
def document() -> dict:
    return load_spec_document(SPEC)


def test_operation_ids_become_exact_labels(document):
    regex = operations_regex(["getProfile,createProfile"], document)
    assert regex == r"(?:^GET\ /\{clientId\}/Profile/\{profileId\}$)|(?:^POST\ /\{clientId\}/Profile$)"


def test_regex_selectors_pass_through_and_must_match_something(document):
    assert operations_regex(["^GET /{clientId}/Programs"], document) == "(?:^GET /{clientId}/Programs)"
    with pytest.raises(ConfigError, match="matches no operation"):
        operations_regex(["noSuchOperation"], document)
    with pytest.raises(ConfigError, match="not a valid regex"):
        operations_regex(["GET /(unclosed"], document)
    assert operations_regex([], document) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("a: [unclosed", "not valid YAML"),
        ("just: text", "not an OpenAPI"),
        ("openapi: 3.0.3\npaths: {}", "invalid"),  # no info object
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}", "no paths"),
    ],
)
def test_unusable_specs_are_config_errors(tmp_path: Path, content, message):
    path = tmp_path / "spec.yaml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_spec_document(str(path))


def test_swagger2_rendition_loads():
    document = load_spec_document(str(Path(SPEC).with_name("mypreferences-v4.swagger2.json")))
    assert document["swagger"] == "2.0"
