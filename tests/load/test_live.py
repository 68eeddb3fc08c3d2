"""Live load runs on the embedded sandbox (Locust in subprocesses; each run bounded in time)."""

import json
import math

import pytest

from mypref_harness.config import Target
from mypref_harness.load import LoadOptions, run_load
from mypref_harness.load import slo as slo_mod
from mypref_harness.load import stats as st
from mypref_harness.load.judge import judge
from mypref_harness.load.plan import plan

from .helpers import our_templates

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-state")


@pytest.fixture(scope="module")
def sandbox(state_dir):
    """One clean sandbox shared by the tests that need no special sandbox options."""
    from mypref_harness.sandbox.process import running_sandbox

    with running_sandbox(state_dir=state_dir) as handle:
        yield handle


def configured(sandbox, auth="pnauth"):
    """The shared sandbox as a configured (not embedded) target."""
    import dataclasses

    from mypref_harness.embedded import target_for_sandbox

    target = target_for_sandbox(Target(auth=auth), sandbox.credentials, root_url=sandbox.root_url)
    return dataclasses.replace(target, sandbox_root_url=None)


def options(tmp_path, state_dir, **kw):
    sandbox = kw.pop("sandbox", {})
    return LoadOptions(
        report_dir=tmp_path / "reports", sandbox_options={"state_dir": state_dir, **sandbox}, **kw
    )


def entries_of(result):
    return st.load_locust_json(result.report_dir / "locust.json")


def test_smoke_run_passes_its_slos_and_a_tight_slo_fails(tmp_path, state_dir, sandbox):
    # the named smoke shape (loadtests/shapes.py) with a shorter duration, as the gate runs it, on
    # two forked Locust processes (--processes 2: the shape runs on their master)
    opts = options(
        tmp_path, state_dir, shape="smoke", users=5, duration="7s", think_time="0.3:1", processes=2
    )
    result = run_load(configured(sandbox), opts)
    assert result.passed, result.message + "\n" + slo_mod.format_table(result.slo_results)
    assert result.exit_code == 0
    assert result.requests > 20 and result.failures == 0
    assert result.p95_ms is not None and result.p95_ms < 1000
    assert result.integrity is not None and result.integrity.checked == result.integrity.keys > 0
    names = {f.name for f in result.report_files}
    assert {"summary.json", "summary.md", "junit-slo.xml", "locust.html", "locust_stats.csv"} <= names
    summary = json.loads((result.report_dir / "summary.json").read_text())
    assert (
        summary["passed"] and sum(p["requests"] for p in summary["timeline"]) == summary["totals"]["requests"]
    )
    # Which business groups a 7 s run draws is chance; the set-up requests (configuration discovery,
    # seeded profiles) are sent before any task, so they are the samples this test relies on.
    groups = {st.group_of(e.name) for e in entries_of(result)}
    assert "setup" in groups and groups <= {"config", "lookup", "write", "history", "setup", "auth", "token"}
    # the same run judged against a deliberately tight SLO: exit 1 and the breaches are named
    tight = tmp_path / "tight.toml"
    tight.write_text("[latency.setup]\np50_ms = 0.001\n[run]\nmin_rps = 100000\n")
    rejudged = judge(
        plan(opts),
        opts,
        Target(),
        slo_mod.load_slo(tight),
        0,
        entries_of(result),
        result.report_dir,
        result.report_dir / "locust",
        templates=our_templates(),
    )
    assert (rejudged.passed, rejudged.exit_code) == (False, 1)
    assert {b.name for b in rejudged.breaches} == {"latency.setup.p50_ms", "run.min_rps"}
    junit = (result.report_dir / "junit-slo.xml").read_text()
    assert 'tests="2" failures="2"' in junit and "latency.setup.p50_ms" in junit


def test_short_token_lifetime_with_200_users_fetches_tokens_without_a_stampede(tmp_path, state_dir):
    lifetime, duration = 5, 30
    # TokenSource caps its margin at 20 % and its jitter at 10 % of the lifetime: refresh starts
    # at most 1.5 s before expiry.
    bound = math.ceil(duration / (lifetime - 1.5)) + 1
    slo_file = tmp_path / "tokens.toml"
    slo_file.write_text(f"[run]\nmax_token_requests = {bound}\nmax_failure_ratio = 0.01\n")
    opts = options(
        tmp_path,
        state_dir,
        users=200,
        spawn_rate=50,
        duration=f"{duration}s",
        think_time="1:3",
        slo_file=slo_file,
        verify_writes="off",
        sandbox={"token_lifetime": lifetime},
    )
    result = run_load(Target(auth="oauth"), opts)
    token_entry = [e for e in entries_of(result) if e.name == "token: POST /oauth2/v1/token"]
    assert len(token_entry) == 1 and token_entry[0].num_failures == 0
    (process,) = result.process_counters
    assert process["token_fetches"] == token_entry[0].num_requests == result.token_requests
    assert 2 <= result.token_requests <= bound, result.token_requests
    assert result.passed, result.message + "\n" + slo_mod.format_table(result.slo_results)
    assert result.requests > 1000


def test_token_endpoint_outage_is_survived_and_recovered_from(tmp_path, state_dir):
    # The sandbox's token endpoint answers 503 from 7 s to 12 s after its start (Locust starts 2-6 s
    # after the sandbox); tokens live 3 s, so the cached token normally runs out meanwhile. After the
    # last failure the token source waits out its cool-down (<= 4 s): the run lasts long enough to
    # see the recovery however fast the sandbox started.
    opts = options(
        tmp_path,
        state_dir,
        users=20,
        spawn_rate=20,
        duration="18s",
        think_time="0.2:0.5",
        verify_writes="off",
        sandbox={"token_lifetime": 3, "extra_args": ("--token-outage", "7:12")},
    )
    result = run_load(Target(auth="oauth"), opts)
    entries = entries_of(result)
    (tokens,) = [e for e in entries if e.name.startswith("token: ")]
    assert tokens.num_failures >= 1, "the outage was not observed"
    assert tokens.num_requests <= 30, f"token stampede: {tokens.num_requests} token requests"
    last_token_failure = max(s for s, n in tokens.failures_per_second.items() if n)
    token_ok_after = sum(n for s, n in tokens.requests_per_second.items() if s > last_token_failure)
    assert token_ok_after >= 1, "no token was obtained after the outage"
    # Requests that found no token are counted as failures (how many depends on timing).
    refused = st.select(entries, ["auth: no token: *"])
    assert refused.failures == refused.requests
    # Business traffic succeeds again after the outage.
    business = st.business(entries).entries
    ok_after = sum(
        n - e.failures_per_second.get(s, 0)
        for e in business
        for s, n in e.requests_per_second.items()
        if s > last_token_failure + 1
    )
    assert ok_after > 20, f"only {ok_after} successful requests after the outage"
    assert "exception" not in result.message


def test_master_and_two_workers_aggregate_and_integrity_catches_lost_updates(tmp_path, state_dir):
    opts = options(
        tmp_path,
        state_dir,
        users=30,
        spawn_rate=30,
        duration="10s",
        think_time="0.2:0.6",
        distributed_local=2,
        sandbox={"defects": ("lost-update",)},
    )
    result = run_load(Target(auth="pnauth"), opts)
    workers = result.process_counters
    assert len(workers) == 2 and all(w["requests"] > 0 for w in workers)
    assert result.requests == sum(w["requests"] for w in workers)  # every request reached the master
    writes = (result.report_dir / "writes.jsonl").read_text().splitlines()
    assert len(writes) == sum(w["writes_recorded"] for w in workers) == result.integrity.acknowledged
    assert result.integrity.lost, result.integrity.summary_line()
    assert (result.passed, result.exit_code) == (False, 1)
    assert "lost" in result.message


def test_bad_credentials_stop_before_the_load_with_exit_2(tmp_path, sandbox, monkeypatch, capsys):
    from mypref_harness.cli import main

    monkeypatch.chdir(tmp_path)
    tenant = sandbox.tenant("ACME_CORP")
    env = {
        "MYPREF_BASE_URL": sandbox.base_url,
        "MYPREF_CLIENT_ID": "ACME_CORP",
        "MYPREF_USER_ID": "John.Doe",
        "MYPREF_API_KEY": "not-the-key",
        "MYPREF_TOKEN_URL": sandbox.token_url,
        "MYPREF_OAUTH_CLIENT_ID": tenant["oauth"]["client_id"],
        "MYPREF_OAUTH_CLIENT_SECRET": "x" * 64,
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["load", "-t", "5s", "--report-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mypref-harness load: credentials rejected") and "\n" not in err
    monkeypatch.setenv("MYPREF_AUTH", "oauth")
    assert main(["load", "-t", "5s", "--report-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "token endpoint" in err and "401" in err and "\n" not in err
    assert "x" * 64 not in err
    assert not (tmp_path / "r" / "locust.json").exists()  # Locust never started


def test_a_swashbuckle_spec_drives_the_load_and_every_request_hits_a_sandbox_route(tmp_path, state_dir):
    """Issue 13: the vendor-shaped file as the spec; the sandbox counts what it is sent (--request-log),
    so a request on a route it does not have shows as a 404 there, whatever the load suite expected."""
    from pathlib import Path

    from mypref_harness.sandbox.request_log import api_requests, read_request_log

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4.json"
    log = tmp_path / "requests.jsonl"
    opts = options(
        tmp_path, state_dir, users=4, duration="6s", think_time="0.2:0.5",
        sandbox={"extra_args": ("--request-log", str(log))},
    )
    result = run_load(Target(spec=str(fixture)), opts)
    assert result.passed, result.message
    assert result.left_out == ""
    names = {e.name for e in entries_of(result)}
    assert "setup: POST /{ClientId}/Profile" in names  # the fixture's spelling names the requests
    # The load suite's requests all name the tenant; the harness's clock probe (GET /Profiles/v4/,
    # answered 404 by design: only its Date header counts) is not one of them.
    load = [r for r in api_requests(read_request_log(log)) if r.path.startswith("/Profiles/v4/ACME_CORP/")]
    assert len(load) >= result.requests - result.token_requests > 20
    assert [r for r in load if r.status == 404] == []
