"""guards: the production host guard, loopback, and the reachability probe."""

from __future__ import annotations

import socket

import pytest

from mypref_harness import guards
from mypref_harness.config import Target
from mypref_harness.errors import ExitCode, TargetUnreachable
from mypref_harness.guards import check_reachable, is_loopback, is_production

# ------------------------------------------------------------------ production guard


@pytest.mark.parametrize(
    ("base_url", "token_url", "production"),
    [
        ("https://pm.mypreferences.com/Profiles/v4", None, True),
        ("https://PM.MyPreferences.com/Profiles/v4", None, True),
        ("https://pmstg.mypreferences.com/Profiles/v4", None, False),
        (
            "https://pmstg.mypreferences.com/Profiles/v4",
            "https://authn.mypreferences.com/oauth2/v1/token",
            True,
        ),
        (
            "https://pmstg.mypreferences.com/Profiles/v4",
            "https://authstg.mypreferences.com/oauth2/v1/token",
            False,
        ),
        ("http://127.0.0.1:8000/Profiles/v4", None, False),
        ("https://mypreferences.com.evil.example/Profiles/v4", None, False),
        (None, None, False),
    ],
)
def test_is_production(base_url, token_url, production):
    # Only classifies URLs; nothing is ever sent to these hosts.
    assert is_production(Target(base_url=base_url, token_url=token_url)) is production


def test_is_loopback():
    assert is_loopback("http://127.0.0.1:1/x")
    assert is_loopback("http://localhost/x")
    assert is_loopback("http://[::1]:80/x")
    assert not is_loopback("https://pmstg.mypreferences.com/x")
    assert not is_loopback(None)


# ------------------------------------------------------------------ reachability


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_check_reachable_passes_when_something_listens():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        check_reachable(Target(base_url=f"http://127.0.0.1:{port}/Profiles/v4"))


def test_check_reachable_reports_refused_in_one_line():
    port = _free_port()
    with pytest.raises(TargetUnreachable, match="refused") as info:
        check_reachable(Target(base_url=f"http://127.0.0.1:{port}/Profiles/v4"))
    assert info.value.exit_code == ExitCode.UNREACHABLE
    assert "\n" not in str(info.value)


def test_check_reachable_reports_dns_failure(monkeypatch):
    def no_dns(*_a, **_k):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(guards.socket, "getaddrinfo", no_dns)
    with pytest.raises(TargetUnreachable, match=r"cannot resolve api\.example\.invalid"):
        check_reachable(Target(base_url="https://api.example.invalid/Profiles/v4"))


def test_check_reachable_reports_timeout(monkeypatch):
    class SlowSocket:
        def __init__(self, *a):
            pass

        def settimeout(self, t):
            self.t = t

        def connect(self, address):
            raise TimeoutError

        def close(self):
            pass

    monkeypatch.setattr(guards.socket, "socket", SlowSocket)
    with pytest.raises(TargetUnreachable, match=r"timed out after 0\.5 s"):
        check_reachable(Target(base_url="http://127.0.0.1:9/P"), timeout=0.5)


def test_check_reachable_probes_the_token_host_for_oauth():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        dead = _free_port()
        target = Target(
            base_url=f"http://127.0.0.1:{port}/P",
            auth="oauth",
            token_url=f"http://127.0.0.1:{dead}/oauth2/v1/token",
        )
        with pytest.raises(TargetUnreachable, match=f"127.0.0.1:{dead}"):
            check_reachable(target)
