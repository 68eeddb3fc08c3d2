"""Benchmark: `mypref-harness contract` vs a bare `schemathesis run` (one run each, same conditions).

Same spec (contracts/openapi/mypreferences-v4.yaml), same server (one embedded sandbox, started here),
same operations, example count, phases and seed. The bare run gets the minimal equivalent of our
setup: a hooks file that signs PNAUTHINFO3 per request (and re-signs in before_call) and a toml that
pins the ClientId. The harness run is the Schemathesis part of `contract` (no read-back scenarios, no
auth conformance) with everything around it: preflight, clock-skew probe, spec transforms, the run's
toml, NDJSON/JSON parsing, JUnit + Markdown reports, the scrub and the secret scan.

Prints both wall times, cases per second and the overhead (target: <= 20 %).

    .venv/bin/python bench/bench_contract.py [--max-examples N] [--operations REGEX]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.embedded import resolved_target
from mypref_harness.secret import reveal

BARE_HOOKS = """
import os
from urllib.parse import unquote

import schemathesis

from mypref_harness.auth.pnauth import sign_header

KEY, CLIENT, USER = os.environ["BENCH_KEY"], os.environ["BENCH_CLIENT"], os.environ["BENCH_USER"]


def header(case):
    client = unquote(str((case.path_parameters or {}).get("clientId", CLIENT)))
    return sign_header(key=KEY, client_id=client, user_id=USER)


@schemathesis.auth(refresh_interval=None)
class PnAuth:
    def get(self, case, ctx):
        return "pn"

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = header(case)


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.headers and str(case.headers.get("Authorization", "")).startswith("PNAUTHINFO3"):
        case.headers["Authorization"] = header(case)
"""


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=1800
    )
    return time.perf_counter() - started


def cases_of(json_report: Path) -> int:
    return int(json.loads(json_report.read_text())["test_cases"]["generated"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--operations", default=r"^GET /\{clientId\}/(Program|Profile/\{profileId\}$)")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="interleaved rounds (bare, harness, bare, ...); the best of each is compared",
    )
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    spec = str(resources.spec_file())
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as tmp, resolved_target(Target()) as target:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
        # --- bare Schemathesis ---------------------------------------------------------------
        (work / "bare_hooks.py").write_text(BARE_HOOKS)
        (work / "bare.toml").write_text(
            f'hooks = "{work / "bare_hooks.py"}"\ncontinue-on-failure = true\n'
            f'[generation]\ndatabase = "none"\n[parameters]\n"path.clientId" = "{target.client_id}"\n'
        )
        bare_env = {
            **env,
            "BENCH_KEY": reveal(target.api_key) or "",
            "BENCH_CLIENT": str(target.client_id),
            "BENCH_USER": str(target.user_id),
        }
        bare_json = work / "bare.json"
        bare_cmd = [
            str(bin_dir / "schemathesis"),
            "--no-color",
            "--config-file",
            str(work / "bare.toml"),
            "run",
            spec,
            "--url",
            str(target.base_url),
            "-n",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--phases",
            args.phases,
            "--include-name-regex",
            args.operations,
            "--report",
            "json",
            "--report-json-path",
            str(bare_json),
        ]
        bare_times: list[float] = []
        harness_times: list[float] = []
        # --- the harness -----------------------------------------------------------------------
        harness_env = {
            **env,
            "MYPREF_BASE_URL": str(target.base_url),
            "MYPREF_CLIENT_ID": str(target.client_id),
            "MYPREF_USER_ID": str(target.user_id),
            "MYPREF_API_KEY": reveal(target.api_key) or "",
        }
        reports = work / "harness"
        harness_cmd = [
            str(bin_dir / "mypref-harness"),
            "contract",
            "--strict",
            "-n",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--phases",
            args.phases,
            "--operations",
            args.operations,
            "--no-scenarios",
            "--no-auth-conformance",
            "--report-dir",
            str(reports),
        ]
        # The sandbox is slow on its first requests (caches, first connections): one untimed warm-up.
        run(bare_cmd, bare_env, work)
        # Interleaved, best of N: the VM is shared, single runs vary by +-20 %.
        for _ in range(max(1, args.rounds)):
            bare_times.append(run(bare_cmd, bare_env, work))
            harness_times.append(run(harness_cmd, harness_env, work))
        bare_s, harness_s = min(bare_times), min(harness_times)
        bare_cases, harness_cases = cases_of(bare_json), cases_of(reports / "schemathesis-run.json")
        timing = json.loads((reports / "contract-result.json").read_text())["timing_s"]
    overhead = (harness_s - bare_s) / bare_s * 100
    print(f"operations: {args.operations}   -n {args.max_examples}   phases {args.phases}   seed {args.seed}")
    print(
        f"rounds: {args.rounds} interleaved; bare {', '.join(f'{t:.2f}' for t in bare_times)} s; "
        f"harness {', '.join(f'{t:.2f}' for t in harness_times)} s (best of each below)"
    )
    print(
        f"bare schemathesis run : {bare_s:7.2f} s  {bare_cases:6d} cases  {bare_cases / bare_s:7.1f} cases/s"
    )
    print(
        f"mypref-harness contract: {harness_s:7.2f} s  {harness_cases:6d} cases  "
        f"{harness_cases / harness_s:7.1f} cases/s"
    )
    subprocess_s = timing["schemathesis_subprocess"]  # of the last harness round
    around = harness_times[-1] - subprocess_s
    print(f"overhead: {overhead:+.1f} % of wall time vs the bare run (target <= 20 %)")
    print(
        f"harness time around its own Schemathesis subprocess: {around:.2f} s "
        f"({around / subprocess_s * 100:.1f} % of the subprocess's {subprocess_s:.2f} s)"
    )
    print("note: the harness hands Schemathesis a spec holding only the selected operations and a pinned")
    print("ClientId without constraints, so its Schemathesis start-up is shorter and it generates fewer")
    print("(pointless) negative ClientId cases; compare cases/s as well as wall time.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
