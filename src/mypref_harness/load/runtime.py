"""Inside a Locust process: read the runner's environment variables and build the shared context.

The runner passes everything through environment variables (secrets only there, never argv or
files): the target as ``MYPREF_*`` (read by :func:`mypref_harness.config.load_target`) and the run
settings as ``MYPREF_LOAD_*``. This module does not import Locust; the locustfile hands in the two
Locust-specific pieces (a token transport factory and a way to report unsent requests).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mypref_harness.auth.clock import signing_offset_against
from mypref_harness.auth.oauth import JsonPost
from mypref_harness.budget import Pacer
from mypref_harness.config import Target, load_target
from mypref_harness.credentials import pnauth_for, token_source_for
from mypref_harness.load.flows import ProcessContext, ReportUnavailable
from mypref_harness.load.integrity import Ledger, append_jsonl
from mypref_harness.load.locust_auth import (
    NoAuth,
    PnAuthHeaders,
    RequestAuth,
    SharedBearer,
    token_request_name,
)
from mypref_harness.load.scenarios import TrafficModel, UniqueValues, load_model, parse_routes
from mypref_harness.load.templates import LoadTemplates, runnable_model, templates_for_spec
from mypref_harness.spec.paths import join

ENV_RUN_ID = "MYPREF_LOAD_RUN_ID"
ENV_OUT_DIR = "MYPREF_LOAD_DIR"
ENV_SCENARIO = "MYPREF_LOAD_SCENARIO"
ENV_THINK_TIME = "MYPREF_LOAD_THINK_TIME"
ENV_SHAPE = "MYPREF_LOAD_SHAPE"
ENV_USERS = "MYPREF_LOAD_USERS"
ENV_SPAWN_RATE = "MYPREF_LOAD_SPAWN_RATE"
ENV_DURATION = "MYPREF_LOAD_DURATION"
ENV_AUTH_OFF = "MYPREF_LOAD_AUTH_OFF"
ENV_TOKEN_MARGIN = "MYPREF_LOAD_TOKEN_MARGIN"  # noqa: S105 - a variable name
ENV_TOKEN_JITTER = "MYPREF_LOAD_TOKEN_JITTER"  # noqa: S105 - a variable name
ENV_CLOCK_OFFSET = "MYPREF_LOAD_CLOCK_OFFSET"  # seconds added to the local clock when signing
ENV_ABSENT_ROUTES = "MYPREF_LOAD_ABSENT_ROUTES"  # routes never sent: "GET /{clientId}/X;POST /..."
ENV_TEMPLATES = "MYPREF_LOAD_TEMPLATES"  # the runner's resolved URL templates (LoadTemplates.to_json)
ENV_RATE_LIMIT = "MYPREF_LOAD_RATE_LIMIT"  # requests/s for one Locust process (gate --rate-limit)

LEDGER_FILE = "writes.jsonl"
PROCESSES_FILE = "processes.json"

# Keys of the data workers attach to their reports to the master.
REPORT_WRITES = "mypref_writes"
REPORT_PROCESS = "mypref_process"


def pacer_from_env(env: Mapping[str, str]) -> Pacer | None:
    """The process's pace when a rate limit was given (one Pacer shared by all its users), else None."""
    raw = env.get(ENV_RATE_LIMIT, "").strip()
    return Pacer(float(raw)) if raw else None


class PacedClient:
    """A Locust client whose requests first wait for the process's pacer: the rate limit caps what the
    users send whatever their think times (a flow's task may send several requests)."""

    SENDS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

    def __init__(self, client: Any, pacer: Pacer) -> None:
        self._client, self._pacer = client, pacer

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in self.SENDS:
            return attr

        def paced(*args: Any, **kwargs: Any) -> Any:
            self._pacer.wait()
            return attr(*args, **kwargs)

        return paced


def paced(client: Any, pacer: Pacer | None) -> Any:
    return client if pacer is None else PacedClient(client, pacer)


def target_for_process(env: Mapping[str, str], host: str | None) -> Target:
    """The target this Locust process talks to.

    A worker started on its own (``mypref-harness load --worker``) without configuration follows the
    master's ``--host``; it is then an embedded sandbox, whose demo credentials are public.
    """
    target = load_target(env=env)
    if not target.is_embedded:
        return target
    if not host:
        raise RuntimeError("no target: set MYPREF_BASE_URL or let the master send --host")
    from mypref_harness.demo import ACME

    root = f"{urlsplit(host).scheme}://{urlsplit(host).netloc}"
    return dataclasses.replace(
        target,
        base_url=host.rstrip("/"),
        token_url=root + "/oauth2/v1/token",
        client_id=ACME.client_id,
        user_id=ACME.user_id,
        api_key=ACME.api_key,  # type: ignore[arg-type]  # wrapped into Secret by Target
        oauth_client_id=ACME.oauth_client_id,
        oauth_client_secret=ACME.oauth_client_secret,  # type: ignore[arg-type]
    )


def process_templates(env: Mapping[str, str]) -> LoadTemplates:
    """The URL templates the runner resolved from the spec; resolved here (once per process) only when
    Locust was started without the runner."""
    given = env.get(ENV_TEMPLATES, "").strip()
    if given:
        return LoadTemplates.from_json(given)
    target = load_target(env=env)
    return templates_for_spec(target.spec, target.operations, target.base_url)


def process_model(env: Mapping[str, str], templates: LoadTemplates) -> TrafficModel:
    """The traffic model of this run without the tasks the spec cannot serve."""
    model = load_model(env.get(ENV_SCENARIO) or None, env.get(ENV_THINK_TIME) or None)
    return runnable_model(model, templates)


def _float(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name, "").strip()
    return float(raw) if raw else None


def clock_offset(target: Target, env: Mapping[str, str]) -> float:
    """The signing offset the runner measured; a worker started on its own (maybe on another machine,
    with its own clock) measures it against the target itself."""
    given = _float(env, ENV_CLOCK_OFFSET)
    if given is not None:
        return given
    assert target.base_url is not None
    return signing_offset_against(join(target.base_url, "/"))


def build_auth(
    target: Target, env: Mapping[str, str], token_post: Callable[[str], JsonPost]
) -> tuple[RequestAuth, SharedBearer | None]:
    if env.get(ENV_AUTH_OFF) == "1":
        return NoAuth(), None
    offset = clock_offset(target, env)
    if target.auth == "oauth":
        options: dict[str, Any] = {}
        margin, jitter = _float(env, ENV_TOKEN_MARGIN), _float(env, ENV_TOKEN_JITTER)
        if margin is not None:
            options["refresh_margin"] = margin
        if jitter is not None:
            options["jitter"] = jitter
        assert target.token_url is not None
        post = token_post(token_request_name(target.token_url))
        source = token_source_for(target, post=post, clock_offset=offset, **options)
        bearer = SharedBearer(source)
        return bearer, bearer
    return PnAuthHeaders(pnauth_for(target, clock_offset=offset)), None


class LocustProcess:
    """The per-process state the locustfile keeps: context, ledger sink and counters."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        host: str | None,
        process_tag: str,
        token_post: Callable[[str], JsonPost],
        report_unavailable: ReportUnavailable,
        templates: LoadTemplates | None = None,  # the locustfile's, read once at import
    ) -> None:
        self.env = env
        self.target = target_for_process(env, host)
        self.auth, self.bearer = build_auth(self.target, env, token_post)
        templates = templates or process_templates(env)
        model = process_model(env, templates)
        run_id = env.get(ENV_RUN_ID) or os.urandom(4).hex()
        assert self.target.client_id is not None
        self.process_tag = process_tag
        self.requests = 0  # every request this process reported (to check the master's aggregation)
        self.cpu_at_start: float | None = None  # time.process_time() when the test started
        self.ctx = ProcessContext(
            client_id=self.target.client_id,
            templates=templates.templates,
            auth=self.auth,
            model=model,
            values=UniqueValues(run_id, process_tag),
            ledger=Ledger(process_tag),
            report_unavailable=report_unavailable,
            absent_routes=parse_routes(env.get(ENV_ABSENT_ROUTES, "")),
        )

    def counters(self) -> dict[str, Any]:
        bearer = self.bearer
        return {
            "process": self.process_tag,
            "auth": self.auth.kind,
            "requests": self.requests,
            # CPU seconds this process used since the test started (no interpreter start-up)
            "cpu_s": round(time.process_time() - self.cpu_at_start, 3)
            if self.cpu_at_start is not None
            else None,
            "token_fetches": bearer.source.fetches if bearer else 0,
            "token_failures": bearer.source.failures if bearer else 0,
            "token_throttled": bearer.source.throttled if bearer else 0,  # 429s of the token endpoint
            "token_invalidations": bearer.source.invalidations if bearer else 0,
            "requests_without_token": bearer.unavailable if bearer else 0,
            "writes_recorded": self.ctx.ledger.recorded,
            "profiles_known": len(self.ctx.profiles),
        }


def out_dir(env: Mapping[str, str]) -> Path | None:
    raw = env.get(ENV_OUT_DIR, "").strip()
    return Path(raw) if raw else None


class MasterSink:
    """On the master (or the single local process): where ledgers and counters end up."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.processes: dict[str, dict[str, Any]] = {}

    def add_writes(self, entries: list[dict[str, Any]]) -> None:
        if self.directory is not None and entries:
            append_jsonl(self.directory / LEDGER_FILE, entries)

    def add_process(self, counters: Mapping[str, Any] | None) -> None:
        if counters:
            self.processes[str(counters.get("process"))] = dict(counters)

    def flush(self) -> None:
        if self.directory is not None:
            path = self.directory / PROCESSES_FILE
            path.write_text(
                json.dumps(sorted(self.processes.values(), key=lambda c: str(c["process"])), indent=2)
            )
