import csv
import json
import sys
from pathlib import Path

import pytest

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.load import runner, runtime, slo
from mypref_harness.load.locust_command import local_command, master_command, run_env, worker_command
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import plan
from mypref_harness.load.scenarios import REQUEST_TEMPLATES, load_model, parse_model, parse_think_time
from mypref_harness.load.summary import build_summary, build_timeline, read_history, render_markdown

from .helpers import entry

SECRET = "super-secret-pnauth-key-value"


def test_operation_urls_quote_path_and_query_values():
    op = REQUEST_TEMPLATES["upsert_preferences"]
    url = op.url({"x": "a b"}, clientId="ACME_CORP", alternateIdType="CRM ID", alternateId="A/1")
    assert url == "/ACME_CORP/Profile/Preferences/AlternateIdType/CRM%20ID/AlternateId/A%2F1?x=a+b"
    assert op.name.startswith("write: POST /{clientId}/Profile/Preferences/")
    with pytest.raises(ValueError, match="missing path parameter"):
        REQUEST_TEMPLATES["profile_by_id"].url(clientId="X")


def test_every_operation_is_in_the_spec():
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(Path("contracts/openapi/mypreferences-v4.yaml").read_text(), Loader=loader)  # noqa: S506
    for op in REQUEST_TEMPLATES.values():
        assert op.method.lower() in spec["paths"][op.template], op.key


def test_scenario_file_overrides_only_what_it_sets(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        'locales = ["fr-ca"]\n[users.integration]\nweight = 0\n'
        "[users.preference_center]\nthink_time = [0.1, 0.2]\n[users.preference_center.tasks]\n"
        "view_history = 0\n[data]\nseed_profiles = 3\n"
    )
    model = load_model(path)
    pc = model.users["preference_center"]
    assert pc.think_time == (0.1, 0.2) and pc.tasks["view_history"] == 0 and pc.tasks["view_profile"] == 3
    assert [u.name for u in model.active_users()] == ["preference_center"]
    assert model.locales == ("fr-ca",) and model.seed_profiles == 3


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        ({"users": {"robot": {}}}, "unknown user kind"),
        ({"users": {"integration": {"tasks": {"dance": 1}}}}, "unknown task"),
        ({"users": {"integration": {"weight": -1}}}, "integer >= 0"),
        ({"users": {"integration": {"weight": 0}, "preference_center": {"weight": 0}}}, "weight 0"),
        ({"locales": []}, "locales"),
        ({"speed": 1}, "unknown key"),
    ],
)
def test_bad_scenarios_are_config_errors(data, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_model(data)


def test_think_time_parsing():
    assert parse_think_time("0.5:2") == (0.5, 2.0)
    assert parse_think_time("1") == (1.0, 1.0)
    for bad in ("2:1", "a:b", "-1:2", "1:2:3"):
        with pytest.raises(ConfigError):
            parse_think_time(bad)
    assert load_model(None, "0:0").users["integration"].think_time == (0.0, 0.0)


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


def test_local_command_is_bounded_headless_and_loopback_only(tmp_path):
    p = plan(LoadOptions(users=7, spawn_rate=2, duration="20s", processes=2))
    cmd = local_command(
        p,
        LoadOptions(processes=2),
        host="http://127.0.0.1:1/Profiles/v4",
        prefix=tmp_path / "locust",
        master_port=6000,
    )
    assert cmd[:3] == [sys.executable, "-m", "locust"]
    joined = " ".join(cmd)
    assert "--headless" in cmd and "-t 20s" in joined and "-u 7" in joined and "-r 2" in joined
    assert "--processes 2 --master-bind-host 127.0.0.1 --master-bind-port 6000 --master-port 6000" in joined
    assert f"--json-file {tmp_path / 'locust'}" in joined and "--csv-full-history" in joined
    assert "--stop-timeout" in cmd and "--exit-code-on-error 0" in joined
    assert "shapes.py" not in joined


def test_shaped_run_adds_the_shape_file_and_no_common_options(tmp_path):
    p = plan(LoadOptions(shape="spike"))
    cmd = local_command(p, LoadOptions(), host="http://h", prefix=tmp_path / "l", master_port=1)
    assert cmd[cmd.index("-f") + 1].endswith("loadtests/locustfile.py," + str(resources.shapes_file()))
    assert "-u" not in cmd and "-t" not in cmd


def test_master_and_worker_commands(tmp_path):
    p = plan(LoadOptions(distributed_local=2))
    master = master_command(
        p, LoadOptions(), host="http://h", prefix=tmp_path / "l", bind_host="127.0.0.1", port=7000, workers=2
    )
    assert "--master" in master and "--expect-workers 2" in " ".join(master)
    assert "--master-bind-host 127.0.0.1" in " ".join(master)
    worker = worker_command(p, master_host="10.0.0.5", port=7000)
    assert worker[-5:] == ["--worker", "--master-host", "10.0.0.5", "--master-port", "7000"]
    assert "--host" not in worker  # workers get the host from the master


def test_secrets_travel_in_the_environment_never_in_argv(tmp_path, monkeypatch):
    monkeypatch.setenv("MYPREF_API_KEY", "stale-value-from-the-shell")
    target = Target(
        base_url="http://127.0.0.1:1/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe", api_key=SECRET
    )
    p = plan(LoadOptions(shape="smoke", users=3))
    env = run_env(
        p, LoadOptions(shape="smoke", users=3, think_time="1:2"), target=target, run_id="r1", out_dir=tmp_path
    )
    assert env["MYPREF_API_KEY"] == SECRET
    assert env["MYPREF_LOAD_SHAPE"] == "smoke" and env["MYPREF_LOAD_USERS"] == "3"
    assert env["MYPREF_LOAD_THINK_TIME"] == "1:2" and env["MYPREF_LOAD_DIR"] == str(tmp_path)
    cmd = local_command(p, LoadOptions(), host=target.base_url, prefix=tmp_path / "l", master_port=1)
    assert not any(SECRET in part for part in cmd)


def test_absent_routes_reach_every_locust_process(tmp_path):
    absent = frozenset({("GET", "/{clientId}/Profile/Email"), ("POST", "/{clientId}/Profile/Search")})
    options = LoadOptions(shape="smoke", absent_routes=absent)
    env = run_env(plan(options), options, target=None, run_id="r1", out_dir=tmp_path)
    assert env["MYPREF_LOAD_ABSENT_ROUTES"] == "GET /{clientId}/Profile/Email;POST /{clientId}/Profile/Search"
    in_process = {k: v for k, v in env.items() if k.startswith("MYPREF_LOAD_")}
    in_process[runtime.ENV_CLOCK_OFFSET] = "0"  # no skew measurement against the unreachable host
    process = runtime.LocustProcess(
        in_process,
        host="http://127.0.0.1:1/Profiles/v4",
        process_tag="p1",
        token_post=lambda name: None,
        report_unavailable=lambda *args: None,
    )
    assert process.ctx.absent_routes == absent
    bare = LoadOptions(shape="smoke")
    assert "MYPREF_LOAD_ABSENT_ROUTES" not in run_env(
        plan(bare), bare, target=None, run_id="r1", out_dir=tmp_path
    )


def test_production_is_refused_without_the_flag():
    target = Target(
        base_url="https://pm.mypreferences.com/Profiles/v4", client_id="A", user_id="u", api_key="k" * 8
    )
    with pytest.raises(ConfigError, match="--allow-production"):
        runner.run_load(target, LoadOptions())


def test_token_budget_formula():
    assert slo.token_budget(30, 5, 1.5) == 10
    assert slo.token_budget(30, 5, 1) == 9


def _history(path, rows):
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s", "50%", "95%"])
        for ts, users, p95 in rows:
            out.writerow([ts, users, "GET", "lookup: GET /x", "1", "0", "5", "99"])
            out.writerow([ts, users, "", "Aggregated", "1", "0", "5", p95])


def test_timeline_has_one_point_per_second_with_exact_counts(tmp_path):
    hist = tmp_path / "h.csv"
    _history(hist, [(1000, 2, "12"), (1001, 4, "N/A"), (1003, 4, "15")])
    entries = [
        entry("lookup: GET /x", [5] * 6, per_second={1000: 3, 1001: 1, 1003: 2}),
        entry("write: POST /y", [9] * 2, per_second={1001: 2}),
    ]
    points = build_timeline(entries, read_history(hist))
    assert [(p.second, p.requests, p.p95_ms, p.users) for p in points] == [
        (0, 3, 12.0, 2),
        (1, 3, None, 4),
        (2, 0, None, None),
        (3, 2, 15.0, 4),
    ]
    assert [p.p50_ms for p in points] == [5.0, 5.0, None, 5.0]


def test_timeline_has_no_invented_zero_before_the_first_request(tmp_path):
    hist = tmp_path / "h.csv"
    with hist.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Timestamp", "User Count", "Type", "Name", "50%", "95%", "Total Request Count"])
        out.writerow([1000, 1, "", "Aggregated", "0", "0", "0"])
        out.writerow([1001, 2, "", "Aggregated", "0", "0", "2"])  # Locust's window not filled yet
        out.writerow([1002, 2, "", "Aggregated", "8", "20", "3"])
    assert read_history(hist) == {1000: (None, 1, None), 1001: (None, 2, None), 1002: (20.0, 2, 8.0)}


def test_summary_json_and_markdown(tmp_path):
    from mypref_harness.load.slo import SloResult

    entries = [entry("lookup: GET /x", [5, 7, 9]), entry("token: POST /t", [30])]
    slo = [SloResult("latency.lookup.p95_ms", "<=", 5, 9, False, detail="3 requests")]
    summary = build_summary(
        entries=entries,
        slo_results=slo,
        integrity=None,
        timeline=[],
        processes=[],
        run={"target": "http://x", "auth": "oauth", "load": "L", "processes": 1},
        passed=False,
        exit_code=1,
    )
    assert summary["totals"]["token_requests"] == 1 and summary["business"]["requests"] == 3
    assert json.loads(json.dumps(summary))["slo"][0]["status"] == "FAIL"
    md = render_markdown(summary)
    assert md.startswith("## Load test FAILED (exit 1)")
    assert "| latency.lookup.p95_ms | <= 5 | 9 | FAIL | 3 requests |" in md
