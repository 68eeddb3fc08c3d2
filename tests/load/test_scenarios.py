import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.load.scenarios import (
    format_routes,
    load_model,
    parse_model,
    parse_routes,
    parse_think_time,
)


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
