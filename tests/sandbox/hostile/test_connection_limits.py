"""Connection-level limits of the real sandbox process (uvicorn + the guarded httptools protocol):
read deadline, head-size cap, connection cap, and {Message} bodies for parser-level refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mypref_harness.sandbox import http_guard
from mypref_harness.sandbox.process import SandboxHandle, running_sandbox

from .rawhttp import closed_by_server, connect, exchange, port_of, read_until_closed, request

READ_TIMEOUT = "1"  # seconds: the deadline under test; the tests wait at most rawhttp.WAIT for it
MAX_CONNECTIONS = 20


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    state = tmp_path_factory.mktemp("limits-state")
    args = ["--read-timeout", READ_TIMEOUT, "--max-connections", str(MAX_CONNECTIONS)]
    with running_sandbox(state_dir=state, extra_args=args) as handle:
        yield handle


@pytest.fixture(scope="module")
def port(sandbox: SandboxHandle) -> int:
    return port_of(sandbox.root_url)


def assert_message(result: object, status: int, phrase: str) -> None:
    from .rawhttp import Exchange

    assert isinstance(result, Exchange)
    assert not result.timed_out, f"the server kept the connection open: {result.raw[:200]!r}"
    assert result.status == status, result.raw[:300]
    assert (result.header("content-type") or "").startswith("application/json")
    body = result.json()
    assert set(body) == {"Message"}
    assert phrase in body["Message"]


# -- read deadline ------------------------------------------------------------------------------
def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    with connect(port) as sock:
        result = read_until_closed(sock)
    assert result.closed_without_answer, result


def test_a_half_sent_head_gets_408_and_is_closed(port: int) -> None:
    assert_message(
        exchange(port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "), 408, "did not arrive"
    )


def test_a_stalled_body_is_closed(port: int) -> None:
    head = b"POST /oauth2/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\ngrant_type="
    result = exchange(port, head)
    assert not result.timed_out, result


def test_a_kept_alive_connection_still_serves_requests(port: int) -> None:
    with connect(port) as sock:
        for _ in range(3):
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            received = b""
            while not received.endswith(b'{"status":"ok"}'):
                chunk = sock.recv(65536)
                assert chunk, f"closed after {received!r}"
                received += chunk
            assert received.startswith(b"HTTP/1.1 200")


# -- head size ----------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [40_000, 2_000_000], ids=["one-read", "streamed"])
def test_an_oversized_header_gets_431(port: int, size: int) -> None:
    data = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
    assert_message(exchange(port, data), 431, "exceed the limit")


def test_an_unfinished_oversized_header_gets_431(port: int) -> None:
    assert_message(
        exchange(port, b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 200_000), 431, "exceed the limit"
    )


def test_a_header_within_the_cap_is_served(port: int) -> None:
    result = exchange(port, request("GET", "/health", {"X-Pad": "a" * 8000}))
    assert result.status == 200, result.raw[:200]


# -- parser-level errors ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"GET /he\x00alth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /he\xffalth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
    ids=["nul-in-path", "0xff-in-path", "duplicate-length", "negative-length", "text-length", "garbage"],
)
def test_a_parser_error_answers_with_a_json_message(port: int, data: bytes) -> None:
    assert_message(exchange(port, data), 400, "Invalid HTTP request received.")


def test_a_websocket_upgrade_is_answered_as_plain_http(port: int) -> None:
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13"}
    upgrade["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ=="
    result = exchange(port, request("GET", "/health", upgrade))
    assert result.status == 200, result.raw[:200]
    assert result.json() == {"status": "ok"}


def test_a_64_kb_url_gets_431(port: int) -> None:
    assert_message(exchange(port, request("GET", "/health?q=" + "a" * 65_536)), 431, "exceed the limit")


# -- connection cap -----------------------------------------------------------------------------
def test_idle_connections_beyond_the_cap_make_room_for_new_requests(port: int) -> None:
    flood = [connect(port) for _ in range(MAX_CONNECTIONS + 10)]
    try:
        result = exchange(port, request("GET", "/health"))
        assert result.status == 200, result
        # 31 connections (the flood and the /health one) against a cap of 20: the 11 oldest idle ones go.
        assert closed_by_server(flood, expected=11) >= 11
    finally:
        for sock in flood:
            sock.close()


def test_the_connection_cap_stays_below_the_open_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_guard.resource, "getrlimit", lambda _: (256, 4096))
    assert http_guard.connection_cap(1000) == 256 - http_guard.FD_RESERVE
    assert http_guard.connection_cap(100) == 100
