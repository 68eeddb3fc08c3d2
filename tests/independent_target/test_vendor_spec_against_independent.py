"""The Swashbuckle-shaped vendor file as --spec against a target we did not write (issue 13).

The independent target answers an unknown profile with an empty 404, as the overview says ("this failed
request will not supply a message in the body"). The fixture is Swagger 2.0: one ``produces`` for the
whole operation, and a 404 response object without a ``schema`` (no body). Schemathesis's own reading
expected a JSON Content-Type on each of those empty answers: 158 false failures in one ``gate --quick``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ..fixtures.specs import make_swashbuckle
from .conftest import harness_env
from .server import running_target

pytestmark = pytest.mark.slow


def test_empty_404s_of_a_swagger2_file_are_no_content_type_failures(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with running_target() as target:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypref_harness",
                "contract",
                "--spec",
                str(make_swashbuckle.FIXTURE),
                "--operations",
                "Profile_Get,Profile_Delete",
                "--phases",
                "examples,coverage",
                "--checks",
                "content_type_conformance,status_code_conformance",
                "--no-auth-conformance",
                "--seed",
                "1",
                "--report-dir",
                str(reports),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=harness_env(target),
            cwd=tmp_path,
        )
    result = json.loads((reports / "contract-result.json").read_text(encoding="utf-8"))
    findings = [f"{f['check']} {f['name']}: {f['answer']}" for f in result["failures"]]
    assert proc.returncode == 0 and findings == [], (findings, proc.stdout[-2000:])
    # The situation did arise: unknown profile ids were answered 404 (without a body), and a delete 204.
    statuses = {route["operation_id"]: route["statuses"] for route in result["routes"]}
    assert statuses["Profile_Get"].get("404", 0) > 0, statuses
    assert statuses["Profile_Delete"].get("404", 0) > 0 and statuses["Profile_Delete"].get("204", 0) > 0
