"""Acceptance: with seeded sandbox defects, the gate prints a replay command per finding, and running it
reproduces the recorded status (three different defects, one of them with a request body).

The sandbox runs as a configured target (its data persists between the gate and the replays). The spec is
a user's spec in the sense of MYPREF_SPEC: our three profile operations with examples that meet the
defects deterministically in Schemathesis's examples phase (a non-ASCII first name, the 60 seeded
"Smith" profiles), so the test depends on no random draw.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from mypref_harness import resources
from mypref_harness.contract.schemathesis.spec_transform import select_operations

DEFECTS = ("unicode-500", "undeclared-field", "search-cap-ignored")
OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) /")
OPERATIONS = {"POST /{clientId}/Profile", "GET /{clientId}/Profile/Name", "GET /{clientId}/Profile/Email"}


def defect_spec(path):
    document = yaml.safe_load(resources.spec_file().read_text(encoding="utf-8"))
    spec, kept = select_operations(document, lambda label: label in OPERATIONS)
    assert kept == 3
    spec["components"]["examples"]["NewProfileExample"]["value"]["CustomerName"]["FirstName"] = "Łukasz"
    for parameter in spec["paths"]["/{clientId}/Profile/Name"]["get"]["parameters"]:
        if isinstance(parameter, dict) and parameter.get("name") == "lastName":
            parameter["example"] = "Smith"  # 60 seeded profiles share it: more than the cap of 50
        if isinstance(parameter, dict) and parameter.get("name") == "firstName":
            parameter.pop("example", None)
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def harness(args, env, cwd, timeout):
    return subprocess.run(
        [sys.executable, "-m", "mypref_harness", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_gate_prints_a_replay_per_finding_and_each_replay_reproduces_the_status(tmp_path):
    from mypref_harness.sandbox.process import running_sandbox

    with running_sandbox(defects=DEFECTS) as sandbox:
        acme = next(t for t in sandbox.credentials["tenants"] if t["client_id"] == "ACME_CORP")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
        env.update(
            {
                "MYPREF_BASE_URL": sandbox.credentials["base_url"],
                "MYPREF_CLIENT_ID": "ACME_CORP",
                "MYPREF_USER_ID": acme["user_id"],
                "MYPREF_API_KEY": acme["api_key"],
                "MYPREF_SPEC": str(defect_spec(tmp_path / "spec.json")),
            }
        )
        gate = harness(
            ["gate", "--stages", "contract", "--quick", "--seed", "1", "--strict"], env, tmp_path, 400
        )
        assert gate.returncode == 1, gate.stdout[-3000:] + gate.stderr[-3000:]
        printed = dict(
            re.findall(r"^gate: reproduce \S+ (.+?): (mypref-harness replay \S+)$", gate.stdout, re.M)
        )
        summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
        findings = summary["stages"][0]["findings"]
        # Schemathesis's findings name an operation; the read-back scenarios' name a behaviour (no replay).
        schemathesis_findings = [f for f in findings if OPERATION.match(f["subject"])]
        assert len(schemathesis_findings) < len(findings)  # the unicode_names scenario failed too
        assert schemathesis_findings
        for (
            finding
        ) in schemathesis_findings:  # each one: a command in summary.json, the console and summary.md
            assert finding["replay"].startswith("mypref-harness replay reports/contract/cases/"), finding
            assert printed[f"{finding['subject']} [{finding['check']}]"] == finding["replay"]
        summary_md = (tmp_path / "reports" / "summary.md").read_text()
        junit = (tmp_path / "reports" / "contract" / "junit.xml").read_text()
        for command in {f["replay"] for f in schemathesis_findings}:
            assert f"`{command}`" in summary_md and f"reproduce: {command}" in junit
        assert "answered: 500 Internal Server Error" in summary_md  # the status and the start of the body
        assert "      answered: 500 Internal Server Error" in gate.stdout

        def replay_of(subject, check):
            found = [
                f["replay"] for f in schemathesis_findings if (f["subject"], f["check"]) == (subject, check)
            ]
            assert found, (subject, check, gate.stdout[-4000:])
            return found[0]

        wanted = {
            "unicode-500": replay_of("POST /{clientId}/Profile", "not_a_server_error"),
            "search-cap-ignored": replay_of("GET /{clientId}/Profile/Name", "search_cap_honoured"),
            "undeclared-field": replay_of("GET /{clientId}/Profile/Email", "response_schema_conformance"),
        }
        for defect, command in wanted.items():
            case_file = tmp_path / shlex.split(command)[-1]
            case = json.loads(case_file.read_text())
            if defect == "unicode-500":
                assert (
                    case["method"] == "POST"
                    and "Łukasz" in json.loads(case["body"])["CustomerName"]["FirstName"]
                )
            replayed = harness(shlex.split(command)[1:], env, tmp_path, 60)
            assert replayed.returncode == 0, (defect, replayed.stdout, replayed.stderr)
            assert f"now:      {case['status']} " in replayed.stdout, (defect, replayed.stdout)
            assert "REPRODUCED" in replayed.stdout
            assert acme["api_key"] not in replayed.stdout + case_file.read_text()
        assert case["status"] == 200  # the last one: undeclared-field answers 200 with the extra property
