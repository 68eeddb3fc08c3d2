import pytest

from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.load import runner
from mypref_harness.load.options import LoadOptions


def test_production_is_refused_without_the_flag():
    target = Target(
        base_url="https://pm.mypreferences.com/Profiles/v4", client_id="A", user_id="u", api_key="k" * 8
    )
    with pytest.raises(ConfigError, match="--allow-production"):
        runner.run_load(target, LoadOptions())


def _swashbuckle(prefixed: bool) -> dict:
    import json
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4.json"
    document = json.loads(fixture.read_text())
    if prefixed:  # an OpenAPI-style file whose paths carry the prefix and declare no base path
        document["paths"] = {"/Profiles/v4" + path: item for path, item in document["paths"].items()}
        del document["basePath"]
    return document


@pytest.mark.parametrize(
    ("base_url", "prefixed"),
    [
        ("http://127.0.0.1:9/Profiles/v4", False),  # our convention: the base URL carries the prefix
        ("http://127.0.0.1:9", False),  # host only: the spec's basePath says where the API is
        ("http://127.0.0.1:9/Profiles/v4", True),  # the spec's paths carry it too: sent once
        ("http://127.0.0.1:9", True),
    ],
)
def test_the_load_runs_under_the_api_root_whatever_carries_the_prefix(base_url, prefixed):
    from mypref_harness.load.scenarios import DEFAULT_MODEL

    document = _swashbuckle(prefixed)
    target = Target(base_url=base_url, client_id="A", user_id="u", api_key="k" * 8)
    templates = runner.spec_templates(document, target, DEFAULT_MODEL)
    placed_target, placed = runner.on_target(target, document, templates)
    assert placed_target.base_url == "http://127.0.0.1:9/Profiles/v4"  # Locust's host
    read = placed.templates["profile_by_id"]
    assert read.url(clientId="A", profileId=7) == "/A/Profile/7"
    assert read.template.endswith("/{ClientId}/Profile/{profileId}")


def test_a_base_url_the_spec_cannot_agree_with_is_a_config_error_before_anything_runs():
    from mypref_harness.load.scenarios import DEFAULT_MODEL

    document = _swashbuckle(False)
    target = Target(base_url="http://127.0.0.1:9/Other/v9", client_id="A", user_id="u", api_key="k" * 8)
    templates = runner.spec_templates(document, target, DEFAULT_MODEL)
    with pytest.raises(ConfigError, match="cannot reconcile the base URL with the spec"):
        runner.on_target(target, document, templates)


def test_a_spec_that_serves_no_scenario_is_a_config_error():
    from mypref_harness.load.scenarios import DEFAULT_MODEL

    document = {"swagger": "2.0", "paths": {"/{c}/Profile/Name": {"get": {}}}}
    target = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="A", user_id="u", api_key="k" * 8)
    with pytest.raises(ConfigError, match="serves none of the load scenarios: left out of the mix"):
        runner.spec_templates(document, target, DEFAULT_MODEL)
