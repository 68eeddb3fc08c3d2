import json

import pytest

from mypref_harness.demo import ACME
from mypref_harness.load import runtime
from mypref_harness.load.locust_auth import NoAuth, PnAuthHeaders, SharedBearer


def no_post(name):
    def post(url, data, headers):
        raise AssertionError("no token request expected")

    return post


@pytest.fixture(autouse=True)
def no_config_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)


def test_a_worker_without_configuration_follows_the_masters_host_with_demo_credentials():
    target = runtime.target_for_process({}, "http://127.0.0.1:4321/Profiles/v4")
    assert target.base_url == "http://127.0.0.1:4321/Profiles/v4"
    assert target.token_url == "http://127.0.0.1:4321/oauth2/v1/token"
    assert (target.client_id, target.user_id) == (ACME.client_id, ACME.user_id)


def test_a_configured_process_uses_its_environment():
    env = {
        "MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
        "MYPREF_CLIENT_ID": "C",
        "MYPREF_USER_ID": "U",
        "MYPREF_API_KEY": "k" * 10,
    }
    target = runtime.target_for_process(env, "http://ignored")
    assert (target.base_url, target.client_id) == ("http://127.0.0.1:9/Profiles/v4", "C")


def test_no_target_at_all_is_an_error():
    with pytest.raises(RuntimeError, match="no target"):
        runtime.target_for_process({}, None)


def test_auth_follows_the_target_and_the_auth_off_switch():
    pn = runtime.target_for_process({}, "http://127.0.0.1:1/Profiles/v4")
    auth, bearer = runtime.build_auth(pn, {}, no_post)
    assert isinstance(auth, PnAuthHeaders) and bearer is None
    assert auth.header().startswith("PNAUTHINFO3-HMAC-SHA256 Credential=John.Doe/")
    oauth = runtime.target_for_process({"MYPREF_AUTH": "oauth"}, "http://127.0.0.1:1/Profiles/v4")
    auth, bearer = runtime.build_auth(oauth, {runtime.ENV_TOKEN_MARGIN: "2"}, no_post)
    assert isinstance(auth, SharedBearer) and bearer is auth and auth.source.refresh_margin == 2.0
    auth, _ = runtime.build_auth(oauth, {runtime.ENV_AUTH_OFF: "1"}, no_post)
    assert isinstance(auth, NoAuth)


def test_master_sink_appends_ledgers_and_keeps_the_latest_counters_per_process(tmp_path):
    sink = runtime.MasterSink(tmp_path)
    sink.add_writes(
        [
            {
                "profile_id": 1,
                "field": "F",
                "value": "a",
                "at": 1.0,
                "seq": 1,
                "writer": "p1",
                "operation": "update_profile",
            }
        ]
    )
    sink.add_writes([])
    sink.add_process({"process": "p1", "requests": 5})
    sink.add_process({"process": "p1", "requests": 9})
    sink.add_process({"process": "p2", "requests": 1})
    sink.flush()
    assert len((tmp_path / runtime.LEDGER_FILE).read_text().splitlines()) == 1
    counters = json.loads((tmp_path / runtime.PROCESSES_FILE).read_text())
    assert [(c["process"], c["requests"]) for c in counters] == [("p1", 9), ("p2", 1)]


def test_a_paced_client_waits_for_the_pacer_before_each_request_only():
    from mypref_harness.load.runtime import ENV_RATE_LIMIT, PacedClient, paced, pacer_from_env

    class Client:
        base_url = "http://h"

        def get(self, path, **kw):
            events.append(("get", path))
            return "answer"

    class Pacer:
        def wait(self):
            events.append(("wait", None))
            return 0.0

    events: list = []
    client = paced(Client(), Pacer())
    assert isinstance(client, PacedClient)
    assert client.get("/a", name="x") == "answer"
    assert client.base_url == "http://h"  # not a request: no wait
    assert events == [("wait", None), ("get", "/a")]
    bare = Client()
    assert paced(bare, None) is bare
    assert pacer_from_env({}) is None
    assert pacer_from_env({ENV_RATE_LIMIT: "5"}).rate == 5.0


def test_a_locust_process_takes_the_runners_templates_and_leaves_out_what_they_lack():
    from pathlib import Path

    from mypref_harness.load.templates import templates_for_spec

    renamed = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4-renamed.json"
    env = {runtime.ENV_TEMPLATES: templates_for_spec(str(renamed)).to_json()}
    templates = runtime.process_templates(env)
    assert "create_profile" not in templates.templates
    assert templates.templates["programs"].template == "/{ClientId}/Programs"
    model = runtime.process_model(env, templates)
    assert [u.name for u in model.active_users()] == ["preference_center"]
    assert {t for t, w in model.users["preference_center"].tasks.items() if w} == {"read_configuration"}


def test_a_locust_process_started_without_the_runner_resolves_the_spec_itself(tmp_path):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4.json"
    env = {"MYPREF_SPEC": str(fixture), "MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
           "MYPREF_CLIENT_ID": "C", "MYPREF_USER_ID": "U", "MYPREF_API_KEY": "k" * 10}
    templates = runtime.process_templates(env)
    assert templates.unresolved == {}
    assert templates.templates["profile_by_id"].url(clientId="C", profileId=1) == "/C/Profile/1"
    assert templates.templates["profile_by_id"].template == "/{ClientId}/Profile/{profileId}"
