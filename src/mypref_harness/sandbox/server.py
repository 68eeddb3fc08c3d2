"""Run the sandbox under uvicorn (httptools + uvloop) and announce when it serves.

The listening socket is bound here, before uvicorn starts, so ``--port 0`` knows its port up front and
every worker shares the socket. Workers are spawned processes that build the app from
``app_from_env`` (the settings travel as JSON in ``MYPREF_SANDBOX_SETTINGS``).

Once ``GET /health`` answers, one JSON line ``{"event": "ready", ...credentials...}`` is printed on
stdout (after a human-readable block); ``running_sandbox`` waits for it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import uvicorn
from starlette.applications import Starlette

from mypref_harness import demo
from mypref_harness.errors import ConfigError, HarnessError
from mypref_harness.sandbox.app import create_app
from mypref_harness.sandbox.certs import DemoCertificate, ensure_demo_certificate
from mypref_harness.sandbox.settings import LOOPBACK_HOSTS, SandboxSettings
from mypref_harness.sandbox.tenants import TenantRegistry, build_tenants, credentials_document

SETTINGS_ENV = "MYPREF_SANDBOX_SETTINGS"
KEEP_ALIVE_SECONDS = 5  # uvicorn's timeout_keep_alive: an idle kept-alive connection is closed after it
READY_EVENT = "ready"
_DEMO_SECRETS = {
    demo.SANCHEZ.api_key,
    demo.ACME.api_key,
    demo.ACME.oauth_client_secret,
}


def app_from_env() -> Starlette:
    """uvicorn factory for worker processes."""
    text = os.environ.get(SETTINGS_ENV)
    if not text:
        raise RuntimeError(f"{SETTINGS_ENV} is not set: start the sandbox with `mypref-harness sandbox`")
    return create_app(SandboxSettings.from_json(text))


def limit_options(settings: SandboxSettings) -> dict[str, Any]:
    """uvicorn Config options that bound what a hostile client can hold (docs/sandbox.md, "Limits")."""
    options: dict[str, Any] = {
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # The API has no WebSocket: an Upgrade request is answered as plain HTTP, not by uvicorn's
        # WebSocket protocol (an empty text/plain 403 and another 16 MB message buffer to attack).
        "ws": "none",
        # Read by uvicorn's h11 protocol only: the same head cap should uvicorn ever run h11 here.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
    try:
        from mypref_harness.sandbox.http_guard import Limits, connection_cap, guarded_protocol
    except ImportError:  # no httptools (uvicorn[standard] brings it): plain h11 with its event cap
        options["http"] = "h11"
        return options
    limits = Limits(
        settings.read_timeout, connection_cap(settings.max_connections), settings.max_header_bytes
    )
    options["http"] = guarded_protocol(limits)
    return options


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _probe_host(host: str) -> str:
    if host in ("0.0.0.0", ""):  # noqa: S104 - we only connect to loopback to probe
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def _wait_until_serving(host: str, port: int, deadline: float, stopped: threading.Event) -> bool:
    while time.monotonic() < deadline and not stopped.is_set():
        conn = http.client.HTTPConnection(_probe_host(host), port, timeout=1)
        try:
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.05)
    return False


def _mask(value: str | None) -> str | None:
    """Demo values are printed (they are public); anything from a tenants file is not."""
    if value is None or value in _DEMO_SECRETS:
        return value
    return "(from the tenants file, not shown)"


def redacted_credentials(doc: dict[str, Any]) -> dict[str, Any]:
    """The credentials document with every non-demo secret replaced by None (stdout may be a CI log).

    Demo values stay: they are public, and tests and tools read them from the ready line. Whoever
    passed a tenants file already has its values.
    """
    tenants = []
    for tenant in doc["tenants"]:
        copy = dict(tenant)
        if copy["api_key"] not in _DEMO_SECRETS:
            copy["api_key"] = None
        if copy["oauth"] and copy["oauth"]["client_secret"] not in _DEMO_SECRETS:
            copy["oauth"] = {**copy["oauth"], "client_secret": None}
        tenants.append(copy)
    return {**doc, "tenants": tenants}


def human_banner(doc: dict[str, Any], settings: SandboxSettings, cert: DemoCertificate | None) -> str:
    lines = [
        "MyPreferences v4 sandbox (DEMO ONLY: these credentials are public and valid nowhere else)",
        f"  base URL   {doc['base_url']}",
        f"  token URL  {doc['token_url']}",
        f"  JWKS       {doc['jwks_url']}",
        f"  database   {settings.db_path}",
        f"  state dir  {settings.state_dir}",
    ]
    if cert is not None:
        lines.append(f"  demo OAuth client certificate {cert.cert_path} (key {cert.key_path})")
    for tenant in doc["tenants"]:
        lines.append(
            f"  tenant {tenant['client_id']}: user {tenant['user_id']}, "
            f"PNAUTHINFO3 key {_mask(tenant['api_key'])}"
        )
        if tenant["oauth"]:
            lines.append(
                f"    OAuth client_id {tenant['oauth']['client_id']} "
                f"client_secret {_mask(tenant['oauth']['client_secret'])}"
            )
        if tenant["oauth_certificate"]:
            lines.append(f"    OAuth certificate client_id {tenant['oauth_certificate']['client_id']}")
    if settings.defects:
        lines.append(f"  DEFECTS ON: {', '.join(sorted(settings.defects))}")
    if settings.auth_off:
        lines.append("  AUTHENTICATION IS OFF (--auth-off, benchmark baseline only)")
    return "\n".join(lines)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _stop_resource_tracker() -> None:
    """Reap multiprocessing's resource tracker before we exit: orphaned, it would linger as a zombie
    in containers whose init does not reap (seen here), i.e. a process left in our group."""
    from multiprocessing import resource_tracker

    with contextlib.suppress(Exception):
        resource_tracker._resource_tracker._stop()  # type: ignore[attr-defined]


def prepare(settings: SandboxSettings) -> tuple[DemoCertificate, TenantRegistry]:
    """Create the shared state once, in the parent, before any worker starts (no start-up races)."""
    cert, _ = ensure_demo_certificate(settings.state_dir)
    tenants = build_tenants(settings, cert)
    from mypref_harness.sandbox.oauth_server import load_or_create_signing_key

    load_or_create_signing_key(settings.state_dir)
    return cert, tenants


def _preseed(settings: SandboxSettings, tenants: TenantRegistry) -> None:
    """Seed the database in the parent so that several workers do not race to seed it.

    Only needed with several workers: a single worker runs in this process and seeds in its lifespan.
    """
    from mypref_harness.sandbox.seed import seed_if_empty
    from mypref_harness.sandbox.store import Store

    assert settings.db_path is not None
    store = Store.open(settings.db_path)
    try:
        seed_if_empty(store, tenants)
    finally:
        store.close()


def serve(settings: SandboxSettings, out: TextIO = sys.stdout, startup_timeout: float = 60.0) -> int:
    if settings.host not in LOOPBACK_HOSTS:
        print(f"warning: the sandbox listens on {settings.host}, not only on loopback", file=sys.stderr)
    sock = bind_socket(settings.host, settings.port)
    temp_dir: str | None = None
    try:
        if settings.db_path is None:
            temp_dir = tempfile.mkdtemp(prefix="mypref-sandbox-")
            settings = replace(settings, db_path=Path(temp_dir) / "sandbox.db")
        settings = replace(settings.with_port(sock.getsockname()[1]), started_at=time.time())
        cert, tenants = prepare(settings)
        if settings.workers > 1:
            _preseed(settings, tenants)
        doc = credentials_document(settings, tenants, cert)
        print(human_banner(doc, settings, cert), file=out, flush=True)
        os.environ[SETTINGS_ENV] = settings.to_json()
        config = uvicorn.Config(
            "mypref_harness.sandbox.server:app_from_env",
            factory=True,
            workers=settings.workers,
            log_level="warning",
            access_log=False,
            server_header=False,
            # Under --clock-offset the app writes Date itself from the skewed clock.
            date_header=settings.clock_offset == 0,
            timeout_graceful_shutdown=5,
            **limit_options(settings),
        )
        stopped = threading.Event()
        ready_doc = {
            "event": READY_EVENT,
            **redacted_credentials(doc),
            "pid": os.getpid(),
            "db_path": str(settings.db_path),
            "state_dir": str(settings.state_dir),
            "workers": settings.workers,
            "defects": sorted(settings.defects),
        }

        def announce() -> None:
            if _wait_until_serving(settings.host, settings.port, time.monotonic() + startup_timeout, stopped):
                print(json.dumps(ready_doc), file=out, flush=True)

        threading.Thread(target=announce, name="sandbox-ready", daemon=True).start()
        # uvicorn re-raises the SIGTERM it caught once it has shut down; with the default action that
        # would kill us before the temporary database is removed. Turn it into a normal exit instead.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            if settings.workers > 1:
                from uvicorn.supervisors import Multiprocess

                Multiprocess(config, sockets=[sock]).run()
                _stop_resource_tracker()
            else:
                server = uvicorn.Server(config)
                server.run(sockets=[sock])
                if not server.started:
                    raise HarnessError("the sandbox failed to start (see the error above)")
        finally:
            stopped.set()
        return 0
    finally:
        sock.close()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
