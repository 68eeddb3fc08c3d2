import sys

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.load import runtime
from mypref_harness.load.locust_command import local_command, master_command, run_env, worker_command
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import plan

from .helpers import our_templates

SECRET = "super-secret-pnauth-key-value"


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
        p,
        LoadOptions(shape="smoke", users=3, think_time="1:2"),
        target=target,
        run_id="r1",
        out_dir=tmp_path,
        templates=our_templates(),
    )
    assert env["MYPREF_API_KEY"] == SECRET
    assert env["MYPREF_LOAD_SHAPE"] == "smoke" and env["MYPREF_LOAD_USERS"] == "3"
    assert env["MYPREF_LOAD_THINK_TIME"] == "1:2" and env["MYPREF_LOAD_DIR"] == str(tmp_path)
    cmd = local_command(p, LoadOptions(), host=target.base_url, prefix=tmp_path / "l", master_port=1)
    assert not any(SECRET in part for part in cmd)


def test_absent_routes_reach_every_locust_process(tmp_path):
    absent = frozenset({("GET", "/{clientId}/Profile/Email"), ("POST", "/{clientId}/Profile/Search")})
    options = LoadOptions(shape="smoke", absent_routes=absent)
    env = run_env(
        plan(options), options, target=None, run_id="r1", out_dir=tmp_path, templates=our_templates()
    )
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
        plan(bare), bare, target=None, run_id="r1", out_dir=tmp_path, templates=our_templates()
    )


def test_the_rate_limit_reaches_the_locust_processes_shared_out_between_them(tmp_path):
    def env_of(options: LoadOptions) -> dict[str, str]:
        return run_env(
            plan(options), options, target=None, run_id="r1", out_dir=tmp_path, templates=our_templates()
        )

    assert env_of(LoadOptions(shape="smoke", rate_limit=20.0))[runtime.ENV_RATE_LIMIT] == "20"
    assert env_of(LoadOptions(shape="smoke", rate_limit=20.0, processes=4))[runtime.ENV_RATE_LIMIT] == "5"
    assert runtime.ENV_RATE_LIMIT not in env_of(LoadOptions(shape="smoke"))
