from pathlib import Path

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.load.scenarios import (
    REQUEST_TEMPLATES,
    format_routes,
    load_model,
    parse_model,
    parse_routes,
    parse_think_time,
)


def test_operation_urls_quote_path_and_query_values():
    op = REQUEST_TEMPLATES["upsert_preferences"]
    url = op.url({"x": "a b"}, clientId="ACME_CORP", alternateIdType="CRM ID", alternateId="A/1")
    assert url == "/ACME_CORP/Profile/Preferences/AlternateIdType/CRM%20ID/AlternateId/A%2F1?x=a+b"
    assert op.name.startswith("write: POST /{clientId}/Profile/Preferences/")
    with pytest.raises(ValueError, match="missing path parameter"):
        REQUEST_TEMPLATES["profile_by_id"].url(clientId="X")


def test_every_operation_is_in_the_spec():
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(Path("contracts/openapi/mypreferences-v4.yaml").read_text(), Loader=loader)  # noqa: S506
    for op in REQUEST_TEMPLATES.values():
        assert op.method.lower() in spec["paths"][op.template], op.key


def test_scenario_file_overrides_only_what_it_sets(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        'locales = ["fr-ca"]\n[users.integration]\nweight = 0\n'
        "[users.preference_center]\nthink_time = [0.1, 0.2]\n[users.preference_center.tasks]\n"
        "view_history = 0\n[data]\nseed_profiles = 3\n"
    )
    model = load_model(path)
    pc = model.users["preference_center"]
    assert pc.think_time == (0.1, 0.2) and pc.tasks["view_history"] == 0 and pc.tasks["view_profile"] == 3
    assert [u.name for u in model.active_users()] == ["preference_center"]
    assert model.locales == ("fr-ca",) and model.seed_profiles == 3


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        ({"users": {"robot": {}}}, "unknown user kind"),
        ({"users": {"integration": {"tasks": {"dance": 1}}}}, "unknown task"),
        ({"users": {"integration": {"weight": -1}}}, "integer >= 0"),
        ({"users": {"integration": {"weight": 0}, "preference_center": {"weight": 0}}}, "weight 0"),
        ({"locales": []}, "locales"),
        ({"speed": 1}, "unknown key"),
    ],
)
def test_bad_scenarios_are_config_errors(data, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_model(data)


def test_think_time_parsing():
    assert parse_think_time("0.5:2") == (0.5, 2.0)
    assert parse_think_time("1") == (1.0, 1.0)
    for bad in ("2:1", "a:b", "-1:2", "1:2:3"):
        with pytest.raises(ConfigError):
            parse_think_time(bad)
    assert load_model(None, "0:0").users["integration"].think_time == (0.0, 0.0)


ROUTES = frozenset(
    {
        ("GET", "/{clientId}/Profile/Email"),
        ("GET", "/{clientId}/Profile/{profileId}/History/Consents"),
        ("GET", "/{clientId}/AlternateIdTypes"),
    }
)


def test_route_lists_round_trip_through_text():
    text = format_routes(ROUTES)
    assert parse_routes(text) == ROUTES
    assert parse_routes("") == frozenset()
    assert parse_routes(" get /{clientId}/Programs ; ") == {("GET", "/{clientId}/Programs")}
