"""The attack classes of issue 12 ("The sandbox under hostile input") re-run against the real sandbox
process, with bounded counts.

Every class counts its tries, 5xx answers and hangs (no answer and no close within ``rawhttp.WAIT``)
and must end with no 5xx and no hang; the RSS of the sandbox is read before and after the header
attacks. Run with ``-s`` to see the tally table printed at the end of the module.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import resource
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mypref_harness import demo
from mypref_harness.auth.pnauth import sign_header
from mypref_harness.sandbox.api import route_table
from mypref_harness.sandbox.http_guard import FD_RESERVE
from mypref_harness.sandbox.operations.routing import Route
from mypref_harness.sandbox.process import SandboxHandle, running_sandbox

from .rawhttp import (
    WAIT,
    closed_by_server,
    connect,
    exchange,
    port_of,
    read_until_closed,
    request,
    rss_kib,
    send_all,
)

pytestmark = pytest.mark.slow

ACME = demo.ACME
BASE = "/Profiles/v4/ACME_CORP"
SANDBOX_OPEN_FILES = 256  # the attack's file limit: 300 idle connections must not starve /health
READ_TIMEOUT = "2"
MAX_SURROGATE_TRIES_PER_OPERATION = 6
BASIC = (ACME.oauth_client_id or "", ACME.oauth_client_secret or "")


# -- the tally ----------------------------------------------------------------------------------
@dataclass
class Tally:
    tries: int = 0
    server_errors: int = 0
    hangs: int = 0
    note: str = ""

    def count(self, status: int | None, *, hung: bool = False) -> None:
        self.tries += 1
        self.hangs += hung
        self.server_errors += status is not None and status >= 500


TALLIES: dict[str, Tally] = {}


def tally(name: str) -> Tally:
    return TALLIES.setdefault(name, Tally())


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    print("\nhostile-input tally (class: tries / 5xx / hangs; note)")
    for name, t in TALLIES.items():
        print(f"  {name:32} {t.tries:5} / {t.server_errors} / {t.hangs}  {t.note}")


def assert_clean(t: Tally) -> None:
    assert (t.server_errors, t.hangs) == (0, 0), t


# -- the sandboxes ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-process-state")


@pytest.fixture(scope="module")
def sandbox(state_dir: Path) -> Iterator[SandboxHandle]:
    """One worker, started under a 256 open-file limit (the child inherits it; ours is restored)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if len(os.listdir("/proc/self/fd")) > SANDBOX_OPEN_FILES // 2:
        pytest.skip("this process holds too many files to start a child under a 256 open-file limit")
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(SANDBOX_OPEN_FILES, hard), hard))
    try:
        context = running_sandbox(state_dir=state_dir, extra_args=["--read-timeout", READ_TIMEOUT])
        handle = context.__enter__()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield handle
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def client(sandbox: SandboxHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.root_url, timeout=WAIT) as http:
        yield http


def pnauth() -> dict[str, str]:
    return {"Authorization": sign_header(key=ACME.api_key, client_id=ACME.client_id, user_id=ACME.user_id)}


def send(client: httpx.Client, t: Tally, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        t.count(None, hung=True)
        return None
    t.count(response.status_code)
    return response


# -- lone surrogates ------------------------------------------------------------------------------
def example_body(op: Route) -> Any:
    spec = route_table().spec
    content = spec["paths"][op.template][op.method.lower()]["requestBody"]["content"]
    examples = next(iter(content.values())).get("examples") or {}
    example = next(iter(examples.values()))
    if "$ref" in example:
        example = spec["components"]["examples"][example["$ref"].rsplit("/", 1)[1]]
    return example.get("value")


def string_paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_paths(item, (*where, index))


def with_surrogate(value: Any, where: tuple[Any, ...]) -> Any:
    if not where:
        return value + "\ud800"
    copied = copy.deepcopy(value)
    node = copied
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] += "\ud800"
    return copied


def concrete(op: Route, fill: str = "1") -> str:
    path = op.template.replace("{clientId}", "ACME_CORP")
    while "{" in path:
        start = path.index("{")
        path = path[:start] + fill + path[path.index("}", start) + 1 :]
    return "/Profiles/v4" + path


def test_lone_surrogates_in_every_string_field_of_every_body(client: httpx.Client) -> None:
    t = tally("surrogate in a body string")
    refused = 0
    failing_operations = set()
    operations = [op for op in route_table().routes if op.body is not None]
    for op in operations:
        example = example_body(op)
        for where in list(string_paths(example))[:MAX_SURROGATE_TRIES_PER_OPERATION]:
            # ensure_ascii writes the lone surrogate as the escape \ud800, exactly what an attacker sends
            text = json.dumps(with_surrogate(example, where))
            headers = {**pnauth(), "Content-Type": op.body.media_types[0]}  # type: ignore[union-attr]
            response = send(client, t, op.method, concrete(op), content=text.encode(), headers=headers)
            refused += response is not None and response.status_code == 400
            if response is not None and response.status_code >= 500:
                failing_operations.add(op.operation_id)
    t.note = f"{len(operations)} operations ({len(failing_operations)} with a 5xx), {refused} answered 400"
    assert_clean(t)
    assert refused == t.tries


def test_lone_surrogates_in_paths_and_queries(client: httpx.Client) -> None:
    t = tally("surrogate in a path or query")
    for op in route_table().routes:
        if op.method != "GET":
            continue
        send(client, t, "GET", concrete(op) + "?Name=%ED%A0%80&x=%ED%A0%80", headers=pnauth())
        if "{" in op.template.replace("{clientId}", ""):
            send(client, t, "GET", concrete(op, fill="%ED%A0%80"), headers=pnauth())
    assert_clean(t)


# -- non-finite numbers ---------------------------------------------------------------------------
NON_FINITE = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1" + "0" * 400]


def strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"non-JSON token {name}")

    return json.loads(text, parse_constant=refuse)


def test_non_finite_numbers_are_refused_and_every_read_stays_json(client: httpx.Client) -> None:
    t = tally("non-finite number")
    json_headers = {"Content-Type": "application/json"}
    listing = send(client, t, "GET", f"{BASE}/CustomFields/Numeric", headers=pnauth())
    assert listing is not None
    field_id = strict_json(listing.text)["NumericFields"][0]["Id"]
    for number in NON_FINITE:
        create = f'{{"NumericFields": [{{"Name": "n", "MinValue": {number}, "MaxValue": {number}}}]}}'
        send(
            client,
            t,
            "POST",
            f"{BASE}/CustomFields/Numeric",
            content=create,
            headers={**pnauth(), **json_headers},
        )
        patch = f'[{{"op": "replace", "path": "/MaxValue", "value": {number}}}]'
        send(
            client,
            t,
            "PATCH",
            f"{BASE}/CustomField/Numeric/{field_id}",
            content=patch,
            headers={**pnauth(), "Content-Type": "application/json-patch+json"},
        )
        custom = f'[{{"Id": {field_id}, "Value": {number}}}]'
        profile = f'{{"CustomerName": {{"FirstName": "n"}}, "CustomFields": {custom}}}'
        send(client, t, "POST", f"{BASE}/Profile", content=profile, headers={**pnauth(), **json_headers})
    for path in ("/CustomFields/Numeric", "/CustomFields"):
        read = send(client, t, "GET", BASE + path, headers=pnauth())
        assert read is not None and read.status_code == 200
        strict_json(read.text)  # raises on Infinity / NaN
    assert_clean(t)


# -- ambiguous credentials ------------------------------------------------------------------------
def test_two_authorization_headers_are_never_accepted(client: httpx.Client) -> None:
    t = tally("two Authorization headers")
    token = client.post(
        "/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"},
        auth=BASIC,
    ).json()["access_token"]
    valid = {"pnauth": pnauth()["Authorization"], "bearer": f"Bearer {token}"}
    accepted = 0
    for good in valid.values():
        for pair in ([good, "garbage"], ["garbage", good], [good, good], [good, "Bearer x"]):
            headers = [("Authorization", value) for value in pair]
            response = send(client, t, "GET", f"{BASE}/Programs", headers=headers)
            accepted += response is not None and response.status_code != 401
    t.note = f"{accepted} accepted"
    assert_clean(t)
    assert accepted == 0


# -- parser-level errors --------------------------------------------------------------------------
PARSER_ATTACKS = [
    b"GET /Profiles/v4/ACME_CORP/Pro\x00grams HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET /Profiles/v4/ACME_CORP/Pro\xffgrams HTTP/1.1\r\nHost: h\r\n\r\n",
    b"POST /oauth2/v1/token HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"POST /oauth2/v1/token HTTP/1.1\r\nHost: h\r\nContent-Length: 9999999999999999999999\r\n\r\n",
    b"POST /oauth2/v1/token HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello on the plain port
    request("GET", "/Profiles/v4/ACME_CORP/Programs?q=" + "a" * 65_536),
]


def test_parser_level_errors_answer_with_a_json_message(sandbox: SandboxHandle) -> None:
    t = tally("parser-level error")
    port = port_of(sandbox.root_url)
    non_json = 0
    for data in PARSER_ATTACKS:
        result = exchange(port, data)
        t.count(result.status, hung=result.timed_out)
        try:
            non_json += set(result.json()) != {"Message"}
        except (ValueError, IndexError):
            non_json += 1
    t.note = f"{non_json} without a JSON Message"
    assert_clean(t)
    assert non_json == 0


# -- connections and heads ------------------------------------------------------------------------
def test_idle_connections_do_not_starve_health(sandbox: SandboxHandle) -> None:
    t = tally("300 idle connections")
    port = port_of(sandbox.root_url)
    flood = [connect(port) for _ in range(300)]
    # The cap sits FD_RESERVE below the file limit; every connection beyond it closes the longest-idle one.
    beyond_cap = len(flood) + 1 - (SANDBOX_OPEN_FILES - FD_RESERVE)
    try:
        result = exchange(port, request("GET", "/health"))
        t.count(result.status, hung=result.timed_out)
        t.note = f"/health answered {result.status or 'nothing'}"
        assert result.status == 200, result
        closed = closed_by_server(flood, expected=beyond_cap)
        t.note += f", {closed} idle connections closed to make room"
        assert closed >= beyond_cap
    finally:
        for sock in flood:
            sock.close()
    assert_clean(t)


def test_half_sent_requests_are_closed_by_the_read_deadline(sandbox: SandboxHandle) -> None:
    t = tally("half-sent request (slowloris)")
    port = port_of(sandbox.root_url)
    heads = [
        b"GET /health HTTP/1.1\r\nHost: h\r\nX-A: ",
        b"POST /oauth2/v1/token HTTP/1.1\r\nContent-Length: 50\r\n\r\nx",
    ]
    socks = [connect(port) for _ in range(20)]
    try:
        for index, sock in enumerate(socks):
            sock.sendall(heads[index % 2])
        for sock in socks:
            result = read_until_closed(sock)
            t.count(result.status, hung=result.timed_out)
    finally:
        for sock in socks:
            sock.close()
    assert_clean(t)


def test_oversized_and_unfinished_headers_keep_memory_flat(sandbox: SandboxHandle) -> None:
    t = tally("oversized header")
    port = port_of(sandbox.root_url)
    before = rss_kib(sandbox.pid)
    result = exchange(port, b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 50_000_000 + b"\r\n\r\n")
    t.count(result.status, hung=result.timed_out)
    assert result.status == 431
    socks: list[socket.socket] = []
    try:
        for _ in range(8):  # unfinished 20 MB headers, held open
            sock = connect(port)
            socks.append(sock)
            send_all(sock, b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 20_000_000)  # a hang shows below
        for sock in socks:
            result = read_until_closed(sock)
            t.count(result.status, hung=result.timed_out)
        after = rss_kib(sandbox.pid)
    finally:
        for sock in socks:
            sock.close()
    t.note = f"RSS {before // 1024} MB -> {after // 1024} MB"
    assert_clean(t)
    assert after - before < 64 * 1024, t.note  # was +200 MB before the head cap


# -- rate limit and replay need their own sandboxes ----------------------------------------------
def test_a_burst_of_wrong_secrets_meets_the_rate_limit(state_dir: Path) -> None:
    t = tally("300 wrong secrets, --rate-limit")
    limited = 0
    with (
        running_sandbox(state_dir=state_dir, extra_args=["--rate-limit", "5/s"]) as sb,
        httpx.Client(base_url=sb.root_url, timeout=WAIT) as http,
    ):
        form = {"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"}
        for index in range(300):
            response = send(http, t, "POST", "/oauth2/v1/token", data=form, auth=(BASIC[0], f"wrong-{index}"))
            if response is not None and response.status_code == 429:
                limited += 1
                assert int(response.headers["Retry-After"]) >= 1
                assert set(response.json()) == {"Message"}
    t.note = f"{limited} answered 429"
    assert_clean(t)
    assert limited > 0


def _assertion(state_dir: Path, token_url: str) -> str:
    key: Any = serialization.load_pem_private_key(
        (state_dir / "demo-oauth-client-key.pem").read_bytes(), None
    )
    cert = x509.load_pem_x509_certificate((state_dir / "demo-oauth-client-cert.pem").read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
    now = int(time.time())
    client_id = demo.ACME_CERT_OAUTH_CLIENT_ID
    claims = {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now, "exp": now + 300}
    return jwt.encode({**claims, "jti": uuid.uuid4().hex}, key, algorithm="RS256", headers={"x5t": x5t})


def test_a_replayed_assertion_is_accepted_once_across_two_workers(state_dir: Path) -> None:
    t = tally("jti replay, --workers 2")
    with running_sandbox(state_dir=state_dir, extra_args=["--workers", "2"]) as sb:
        signed = _assertion(state_dir, sb.token_url)
        form = {
            "grant_type": "client_credentials",
            "scope": "ACME_CORP/John.Doe",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": signed,
        }
        accepted = 0
        for _ in range(20):  # a new connection each time, so the kernel spreads them over the workers
            with httpx.Client(base_url=sb.root_url, timeout=WAIT) as http:
                response = send(http, t, "POST", "/oauth2/v1/token", data=form)
                accepted += response is not None and response.status_code == 200
    t.note = f"{accepted} of 20 accepted"
    assert_clean(t)
    assert accepted == 1
