"""mypref_harness.resources: one lookup for every shipped data file, in a checkout and in a wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mypref_harness import resources
from mypref_harness.errors import ConfigError, ExitCode

REPO = Path(__file__).resolve().parents[1]


def test_a_source_checkout_finds_the_top_level_files():
    assert resources.spec_file() == REPO / "contracts" / "openapi" / "mypreferences-v4.yaml"
    assert resources.oauth_spec_file() == REPO / "contracts" / "openapi" / "mypreferences-oauth.yaml"
    assert resources.swagger2_spec_file() == REPO / "contracts" / "openapi" / "mypreferences-v4.swagger2.json"
    assert resources.schemathesis_config_file() == REPO / "contracts" / "schemathesis.toml"
    assert resources.contract_hooks_file() == REPO / "contracts" / "hooks.py"
    assert resources.locustfile() == REPO / "loadtests" / "locustfile.py"
    assert resources.shapes_file() == REPO / "loadtests" / "shapes.py"
    assert resources.slo_file() == REPO / "loadtests" / "slo.toml"
    assert resources.vectors_dir() == REPO / "auth_vectors"


def test_the_files_are_found_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resources.slo_file() == REPO / "loadtests" / "slo.toml"


def test_the_installed_copy_wins_over_the_checkout(tmp_path, monkeypatch):
    packaged = tmp_path / "_data"
    (packaged / "loadtests").mkdir(parents=True)
    (packaged / "loadtests" / "slo.toml").write_text("[run]\n")
    monkeypatch.setattr(resources, "packaged_root", lambda: packaged)
    assert resources.slo_file() == packaged / "loadtests" / "slo.toml"
    assert resources.spec_file() == REPO / "contracts" / "openapi" / "mypreferences-v4.yaml"  # not packaged


def test_a_missing_file_is_a_usage_error_naming_it_and_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "packaged_root", lambda: tmp_path / "wheel" / "_data")
    monkeypatch.setattr(resources, "checkout_root", lambda: tmp_path / "checkout")
    with pytest.raises(resources.MissingResource) as caught:
        resources.locustfile()
    message = str(caught.value)
    assert message.startswith("loadtests/locustfile.py is missing from this installation")
    assert str(tmp_path / "wheel" / "_data" / "loadtests" / "locustfile.py") in message
    assert str(tmp_path / "checkout" / "loadtests" / "locustfile.py") in message
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == ExitCode.USAGE


def _force_include() -> dict[str, str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    return mapping


def test_the_wheel_maps_each_shipped_file_to_the_same_path_under_the_package_data():
    mapping = _force_include()
    for relative in resources.SHIPPED:
        assert mapping.get(relative) == f"mypref_harness/_data/{relative}", relative
    for source, target in mapping.items():
        assert (REPO / source).is_file(), source
        assert target == f"mypref_harness/_data/{source}"


def test_the_wheel_carries_every_vector_file_of_the_corpus():
    corpus = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "auth_vectors").glob("*.json"))
    assert corpus  # the corpus is not empty, so the check below means something
    shipped = sorted(s for s in _force_include() if s.startswith("auth_vectors/") and s.endswith(".json"))
    assert shipped == corpus
