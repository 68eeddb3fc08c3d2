"""The sandbox as a real process: CLI interfaces, running_sandbox start/stop, no orphans."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mypref_harness import demo
from mypref_harness.errors import HarnessError
from mypref_harness.sandbox.process import SandboxHandle, running_sandbox


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _token(sb: SandboxHandle) -> str:
    acme = sb.tenant("ACME_CORP")
    response = httpx.post(
        sb.token_url,
        data={"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"},
        auth=(acme["oauth"]["client_id"], acme["oauth"]["client_secret"]),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_show_credentials_prints_one_json_object(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypref_harness",
            "sandbox",
            "--show-credentials",
            "--port",
            "8765",
            "--state-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    doc = json.loads(result.stdout)
    assert doc["base_url"] == "http://127.0.0.1:8765/Profiles/v4"
    assert doc["token_url"] == "http://127.0.0.1:8765/oauth2/v1/token"
    assert doc["jwks_url"] == "http://127.0.0.1:8765/oauth2/v1/keys"
    tenants = {t["client_id"]: t for t in doc["tenants"]}
    assert tenants["SanchezAssociates"]["user_id"] == "RickSanchez"
    assert tenants["SanchezAssociates"]["api_key"] == "SeemslikearareopportunityMorty!"
    assert tenants["SanchezAssociates"]["oauth"] is None
    oauth = tenants["ACME_CORP"]["oauth"]
    assert (len(oauth["client_id"]), len(oauth["client_secret"])) == (48, 64)
    assert tenants["ACME_CORP"]["oauth_certificate"]["client_id"] == demo.ACME_CERT_OAUTH_CLIENT_ID
    assert Path(tenants["ACME_CORP"]["oauth_certificate"]["cert_path"]).is_file()


def test_running_sandbox_serves_both_schemes_and_stops_cleanly(state_dir: Path) -> None:
    with running_sandbox(state_dir=state_dir) as sb:
        assert sb.root_url.startswith("http://127.0.0.1:")
        assert sb.base_url == sb.root_url + "/Profiles/v4"
        assert sb.credentials["defects"] == []
        assert httpx.get(sb.root_url + "/health").status_code == 200
        from mypref_harness.auth.pnauth import sign_header

        sanchez = sb.tenant("SanchezAssociates")
        header = sign_header(key=sanchez["api_key"], client_id="SanchezAssociates", user_id="RickSanchez")
        pn = httpx.get(f"{sb.base_url}/SanchezAssociates/Programs", headers={"Authorization": header})
        bearer = httpx.get(
            f"{sb.base_url}/ACME_CORP/Programs", headers={"Authorization": f"Bearer {_token(sb)}"}
        )
        denied = httpx.get(f"{sb.base_url}/ACME_CORP/Programs")
        assert pn.status_code == 200
        assert bearer.status_code == 200
        assert denied.status_code == 401
        pid = sb.pid
        temp_db_dir = sb.db_path.parent if sb.db_path else None
        assert _group_alive(pid)
        assert temp_db_dir is not None and temp_db_dir.is_dir()
    assert not _group_alive(pid)
    assert not temp_db_dir.exists()  # the graceful stop removed the temporary database


@pytest.mark.slow
def test_several_workers_share_keys_and_all_stop(state_dir: Path, seeded_db: Path) -> None:
    with running_sandbox(state_dir=state_dir, db_path=seeded_db, extra_args=["--workers", "2"]) as sb:
        token = _token(sb)
        # Whichever worker answers verifies the token: the signing key is shared through the state dir.
        with httpx.Client() as client:
            statuses = {
                client.get(
                    f"{sb.base_url}/ACME_CORP/Programs",
                    headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                ).status_code
                for _ in range(10)
            }
        assert 401 not in statuses
        pid = sb.pid
    assert not _group_alive(pid)


def test_startup_failure_is_reported_not_hung(state_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(HarnessError) as info, running_sandbox(port=port, state_dir=state_dir):
            pass
    assert "exited with code 2" in str(info.value)
    assert str(port) in str(info.value)


def _pn(sb: SandboxHandle) -> dict[str, str]:
    from mypref_harness.auth.pnauth import sign_header

    key = sb.tenant("ACME_CORP")["api_key"]
    return {"Authorization": sign_header(key=key, client_id="ACME_CORP", user_id="John.Doe")}


def test_acknowledged_writes_survive_kill_9_and_restart(state_dir: Path, seeded_db: Path) -> None:
    db = seeded_db
    written: dict[int, str] = {}
    with running_sandbox(state_dir=state_dir, db_path=db) as sb:
        with httpx.Client(base_url=sb.base_url) as client:
            for i in range(8):
                name = f"Durable{i}"
                created = client.post(
                    "/ACME_CORP/Profile",
                    headers=_pn(sb),
                    json={"CustomerName": {"FirstName": "Kill", "LastName": name}},
                )
                assert created.status_code == 201, created.text
                written[created.json()["ProfileId"]] = name
            # An update of an existing profile, acknowledged just before the kill.
            last_id = max(written)
            updated = client.post(
                f"/ACME_CORP/Profile/{last_id}",
                headers=_pn(sb),
                json={"CustomerName": {"FirstName": "Kill", "LastName": "UpdatedBeforeKill"}},
            )
            assert updated.status_code == 200, updated.text
            written[last_id] = "UpdatedBeforeKill"
        killed_pid = sb.pid
        sb.kill()  # SIGKILL to the whole group at once: no graceful shutdown, no checkpoint
        assert not _group_alive(killed_pid)
        with pytest.raises(httpx.TransportError):
            httpx.get(sb.root_url + "/health", timeout=2)
    with (
        running_sandbox(state_dir=state_dir, db_path=db) as sb,
        httpx.Client(base_url=sb.base_url) as c,
    ):
        for profile_id, name in written.items():
            response = c.get(f"/ACME_CORP/Profile/{profile_id}", headers=_pn(sb))
            assert response.status_code == 200, response.text
            assert response.json()["CustomerName"]["LastName"] == name
        restarted_pid = sb.pid
    assert not _group_alive(restarted_pid)  # a graceful stop leaves nothing behind either


@pytest.mark.parametrize("db", ["/nonexistent-dir/x.db", "/tmp"])
def test_unusable_db_path_is_one_line_usage_error(db: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypref_harness", "sandbox", "--db", db, "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert db in result.stderr
