"""The gate as a user runs it: a subprocess of the real CLI against the embedded sandbox."""

import json
import os
import subprocess
import sys

import pytest

from mypref_harness.demo import ACME


def _gate(args, tmp_path, env_extra=None, timeout=240):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "mypref_harness", "gate", "--report-dir", str(tmp_path / "reports"), *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path,
    )


@pytest.mark.slow
def test_quick_gate_on_the_embedded_sandbox_passes_and_leaves_clean_reports(tmp_path):
    proc = _gate(["--quick", "--stages", "vectors,auth,load", "--load-duration", "6s"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    reports = tmp_path / "reports"
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["verdict"] == "pass"
    assert [s["name"] for s in summary["stages"]] == ["vectors", "auth", "load"]
    load = summary["stages"][2]["figures"]
    assert load["requests"] > 0
    assert (reports / "latency.svg").exists()
    # Progress lines came before the verdict table, naming each stage.
    assert proc.stdout.index("vectors: PASS") < proc.stdout.index("| Stage |")
    # The sandbox's demo secrets appear in no artifact (the gate scanned them too).
    for path in reports.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert ACME.api_key.encode() not in data, path
            assert ACME.oauth_client_secret.encode() not in data, path


def test_an_unreachable_target_exits_3_with_one_line(tmp_path):
    env = {
        "MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
        "MYPREF_CLIENT_ID": "ACME_CORP",
        "MYPREF_USER_ID": "John.Doe",
        "MYPREF_API_KEY": "a-key-that-is-long-enough",
    }
    proc = _gate(["--stages", "auth"], tmp_path, env, timeout=60)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unknown_stage_is_a_usage_error_before_anything_starts(tmp_path):
    proc = _gate(["--stages", "contract,fuzz"], tmp_path, timeout=60)
    assert proc.returncode == 2
    assert "unknown stage" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "reports").exists()


def test_a_bad_policy_file_is_a_usage_error_before_anything_starts(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[checks]\nroute_exists = "sometimes"\n', encoding="utf-8")
    proc = _gate(["--policy", str(policy)], tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'expected "fail" or "warn"' in proc.stderr
    assert not (tmp_path / "reports" / "summary.json").exists()


def test_contract_lists_every_check_with_its_basis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    proc = subprocess.run(
        [sys.executable, "-m", "mypref_harness", "contract", "--list-checks"],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert 'basis: documented: "Additionally, this status code is also returned' in proc.stdout
    for name in ("search_cap_honoured", "status_code_conformance", "route_exists", "updates_durable"):
        assert name in proc.stdout


@pytest.mark.slow
def test_on_a_configured_target_every_request_is_booked_the_preflight_too(tmp_path):
    """A sandbox started on its own and configured as the target, as a real one would be: the gate's
    ledger (summary.json 'budget') accounts for every request the target saw, its first preflight
    included, and the default budget of a configured target applies."""
    from mypref_harness.sandbox.process import running_sandbox
    from mypref_harness.sandbox.request_log import api_requests, read_request_log

    log = tmp_path / "requests.jsonl"
    with running_sandbox(extra_args=["--request-log", str(log)]) as sandbox:
        env = {"MYPREF_TARGET": "configured", "MYPREF_BASE_URL": sandbox.base_url,
               "MYPREF_CLIENT_ID": ACME.client_id, "MYPREF_USER_ID": ACME.user_id,
               "MYPREF_AUTH": "pnauth", "MYPREF_API_KEY": ACME.api_key}
        proc = _gate(["--stages", "auth"], tmp_path, env, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    budget = json.loads((tmp_path / "reports" / "summary.json").read_text())["budget"]
    assert budget["requests"] == 5000 and budget["stages"]["preflight"]["requests"] == 2
    assert budget["spent_requests"] == len(api_requests(read_request_log(log)))
