"""`contract --spec FILE` against a running sandbox: a vendor-shaped Swagger file, with its basePath or with
the prefix in every path, and a base URL with or without /Profiles/v4, sends every request to the sandbox's
routes (no doubled prefix, no missing prefix, no route 404)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mypref_harness.cli import main
from mypref_harness.config import Target, target_env
from mypref_harness.embedded import target_for_sandbox
from mypref_harness.sandbox.process import running_sandbox
from mypref_harness.sandbox.request_log import api_requests, read_request_log

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4.json"
OPERATIONS = "Program_GetAll,Profile_GetByEmail"


def _prefixed_copy(folder: Path) -> Path:
    """The fixture with basePath "/" and /Profiles/v4 written into every path (an OpenAPI export's habit)."""
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["basePath"] = "/"
    document["paths"] = {"/Profiles/v4" + path: item for path, item in document["paths"].items()}
    copy = folder / "prefixed.json"
    copy.write_text(json.dumps(document), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def logged_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Target, Path]]:
    log = tmp_path_factory.mktemp("sandbox") / "requests.jsonl"
    with running_sandbox(extra_args=["--request-log", str(log)]) as handle:
        yield target_for_sandbox(Target(), handle.credentials, root_url=handle.root_url), log


@pytest.mark.parametrize("shape", ["basePath", "prefixed paths", "host-only base URL"])
def test_contract_with_a_vendor_spec_hits_only_the_sandboxs_routes(
    shape: str, logged_sandbox: tuple[Target, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, log = logged_sandbox
    for name in [k for k in os.environ if k.startswith("MYPREF_")]:
        monkeypatch.delenv(name)
    for name, value in target_env(target).items():
        monkeypatch.setenv(name, value)
    if shape == "host-only base URL":  # the fixture's basePath supplies /Profiles/v4
        monkeypatch.setenv("MYPREF_BASE_URL", str(target.sandbox_root_url))
    spec = _prefixed_copy(tmp_path) if shape == "prefixed paths" else FIXTURE
    already = len(read_request_log(log))
    argv = ["contract", "--spec", str(spec), "--operations", OPERATIONS, "--phases", "examples,coverage"]
    argv += ["--no-auth-conformance", "--no-scenarios", "--seed", "1", "--report-dir", str(tmp_path / "r")]

    assert main(argv) == 0

    # Schemathesis's start-up probe (how the server treats odd bytes) is not an API request
    sent = [e for e in api_requests(read_request_log(log)[already:]) if "schemathesis-probe" not in e.path]
    assert sent, "the run sent nothing"
    wrong = [f"{e.method} {e.path} {e.status}" for e in sent if not e.path.startswith("/Profiles/v4/")]
    assert wrong == []
    assert [e.path for e in sent if "/Profiles/v4/Profiles/v4" in e.path] == []
    routes = json.loads((tmp_path / "r" / "contract-result.json").read_text(encoding="utf-8"))["routes"]
    assert {r["operation_id"]: r["state"] for r in routes} == {
        "Program_GetAll": "confirmed",
        "Profile_GetByEmail": "confirmed",
    }
