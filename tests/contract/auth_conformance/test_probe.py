"""The probe request of auth conformance: the spec's programs read (spec.roles), its ClientId filled in."""

from __future__ import annotations

from pathlib import Path

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance.probe import (
    DEFAULT_PROBE_PATH,
    AuthProbe,
    ConformanceOptions,
    programs_path,
)

SWASHBUCKLE = Path(__file__).resolve().parents[2] / "fixtures" / "specs" / "swashbuckle-v4.json"
BASE_URL = "http://127.0.0.1:9/Profiles/v4"


def test_the_probe_is_the_programs_read_of_the_targets_spec() -> None:
    assert programs_path(Target(spec=str(resources.spec_file()))) == DEFAULT_PROBE_PATH
    assert programs_path(Target(spec=str(SWASHBUCKLE))) == "/{ClientId}/Programs"


def test_the_probe_path_is_the_one_the_operations_table_names() -> None:
    target = Target(spec=str(SWASHBUCKLE), operations={"programs": "ProgramGroup_GetAll"})
    assert programs_path(target) == "/{ClientId}/ProgramGroups"


def test_the_probe_url_fills_the_client_id_however_the_spec_spells_it() -> None:
    target = Target(base_url=BASE_URL, client_id="ACME CORP")
    probe = AuthProbe(target, ConformanceOptions(probe_path="/{ClientId}/Programs"))
    assert probe.url() == f"{BASE_URL}/ACME%20CORP/Programs"
    renamed = Target(base_url=BASE_URL, client_id="ACME", client_id_param="accountId")
    probe = AuthProbe(renamed, ConformanceOptions(probe_path="/{accountId}/Programs"))
    assert probe.url(client_id="OTHER") == f"{BASE_URL}/OTHER/Programs"
