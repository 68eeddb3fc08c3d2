import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.load.shapes import (
    Stage,
    build_stages,
    format_duration,
    parse_duration,
    peak_users,
    tick,
    total_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15s", 15),
        ("2m", 120),
        ("1h30m", 5400),
        ("1m30s", 90),
        ("90", 90),
        (" 3S ", 3),
        (2.5, 2.5),
        ("0.5s", 0.5),
    ],
)
def test_parse_duration_accepts_locust_style_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "15x", "1m1m", "-5s", "0s", "0", "5 s", "m", "1.2.3s", True])
def test_parse_duration_rejects_garbage_with_a_config_error(text):
    with pytest.raises(ConfigError, match=r"invalid duration|must be positive"):
        parse_duration(text)


def test_format_duration_rounds_up_to_whole_seconds():
    assert format_duration(14.2) == "15s"
    assert format_duration(0.1) == "1s"


def test_unknown_shape_is_a_config_error_naming_the_choices():
    with pytest.raises(ConfigError, match=r"unknown load shape 'burst'.*smoke, ramp, spike, soak"):
        build_stages("burst")


def test_smoke_is_constant_and_ends():
    stages = build_stages("smoke", users=3, spawn_rate=3, duration=10)
    assert tick(stages, 0) == (3, 3)
    assert tick(stages, 9.9) == (3, 3)
    assert tick(stages, 10) is None


def test_ramp_climbs_in_four_equal_steps():
    stages = build_stages("ramp", users=40, spawn_rate=8, duration=80)
    seen = [tick(stages, t) for t in (0, 19, 20, 39, 40, 60, 79)]
    assert seen == [(10, 8), (10, 8), (20, 8), (20, 8), (30, 8), (40, 8), (40, 8)]
    assert tick(stages, 80) is None


def test_ramp_never_drops_to_zero_users_for_small_counts():
    stages = build_stages("ramp", users=2, duration=8)
    assert [s.users for s in stages] == [1, 1, 2, 2]


def test_spike_is_baseline_burst_baseline():
    stages = build_stages("spike", users=50, spawn_rate=5, duration=30)
    assert tick(stages, 1) == (5, 5)
    users, rate = tick(stages, 15)
    assert users == 50
    assert rate >= 50  # the burst is immediate, not a slow ramp
    assert tick(stages, 25)[0] == 5
    assert tick(stages, 30) is None


def test_defaults_fill_missing_parameters():
    soak = build_stages("soak")
    assert total_duration(soak) == 1800
    assert peak_users(soak) == 20


@pytest.mark.parametrize(("kw", "msg"), [({"users": 0}, "users"), ({"spawn_rate": 0}, "spawn rate")])
def test_nonsense_parameters_are_rejected(kw, msg):
    with pytest.raises(ConfigError, match=msg):
        build_stages("smoke", **kw)


def test_tick_on_an_empty_shape_stops():
    assert tick((), 0) is None
    assert tick((Stage(end=1, users=1, spawn_rate=1),), 1) is None
