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
