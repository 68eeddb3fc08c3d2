import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import plan


def test_plan_defaults_to_a_short_bounded_run():
    p = plan(LoadOptions())
    assert (p.users, p.spawn_rate, p.duration, p.shape, p.load_processes) == (5, 5.0, 15.0, None, 1)


def test_plan_with_a_shape_uses_its_stages_and_overrides():
    p = plan(LoadOptions(shape="ramp", users=20, duration="40s"))
    assert (p.shape, p.users, p.duration) == ("ramp", 20, 40.0)
    assert plan(LoadOptions(distributed_local=3)).load_processes == 3
    assert plan(LoadOptions(master=True, expect_workers=4)).load_processes == 4


@pytest.mark.parametrize(
    ("options", "msg"),
    [
        (LoadOptions(shape="burst"), "unknown load shape"),
        (LoadOptions(duration="soon"), "invalid duration"),
        (LoadOptions(users=0), "--users"),
        (LoadOptions(processes=0), "--processes"),
        (LoadOptions(think_time="3:1"), "think time"),
    ],
)
def test_plan_rejects_bad_input(options, msg):
    with pytest.raises(ConfigError, match=msg):
        plan(options)
