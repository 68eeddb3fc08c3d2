"""Every rule of the contract suite says where it comes from; documented rules quote the overview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mypref_harness.basis import Basis
from mypref_harness.contract.checks import CUSTOM_CHECKS
from mypref_harness.contract.results import Status
from mypref_harness.contract.scenarios import SCENARIO_RULES, _failed, _passed, scenario_table

# The vendor document lies in shared/ beside the checkout (tests that need it skip without it).
OVERVIEW = Path(__file__).resolve().parents[3] / "shared" / "reference" / "mypreferences-v4-api-overview.txt"


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_scenario_has_a_rule():
    assert {check for check, _needs, _run in scenario_table(1)} == set(SCENARIO_RULES)


def test_scenario_records_carry_their_rules_basis():
    assert _failed("put_replaces", "t", "e").basis is Basis.DOCUMENTED
    assert _failed("unicode_names", "t", "e").basis is Basis.DOCUMENTED  # names are stored, any script
    assert _passed("search_cap_honoured", "t", "e").basis is Basis.CATALOG
    # an explicit basis (a finding weaker than the scenario's rule) wins
    weaker = _failed("create_read_back", "t", "e", Basis.ASSUMPTION)
    assert weaker.basis is Basis.ASSUMPTION and weaker.status is Status.FAILED


@pytest.mark.skipif(not OVERVIEW.is_file(), reason="the vendor's API overview is not on this machine")
def test_documented_scenario_and_check_rules_are_verbatim_quotes():
    overview = _normalised(OVERVIEW.read_text(encoding="utf-8"))
    rules = {
        **{f"scenario {k}": v for k, v in SCENARIO_RULES.items()},
        **{f"check {k}": c.rule for k, c in CUSTOM_CHECKS.items()},
    }
    documented = {name: rule for name, rule in rules.items() if rule.basis is Basis.DOCUMENTED}
    assert len(documented) >= 5
    missing = [name for name, rule in documented.items() if _normalised(rule.source) not in overview]
    assert missing == []
