"""MyPreferences load scenarios: preference-center visitors and integrations.

Run it through ``mypref-harness load`` (which sets the target, shape, SLOs and reports up); the
behaviour is in mypref_harness.load.flows, the traffic model in mypref_harness.load.scenarios, the
URL templates (from the spec in use) in mypref_harness.load.templates.
"""

from __future__ import annotations

import os
import time
from typing import Any

import gevent
from locust import FastHttpUser, between, events
from locust.contrib.fasthttp import FastHttpSession
from locust.runners import MasterRunner, WorkerRunner

from mypref_harness.load import runtime
from mypref_harness.load.flows import Flow, IntegrationFlow, PreferenceCenterFlow
from mypref_harness.load.locust_auth import locust_token_post

# The URL templates the runner resolved from the spec, and the mix without what the spec lacks.
TEMPLATES = runtime.process_templates(os.environ)
MODEL = runtime.process_model(os.environ, TEMPLATES)
PROCESS: runtime.LocustProcess | None = None  # built on first use: it needs the Locust environment
SINK = runtime.MasterSink(runtime.out_dir(os.environ))
CPU_AT_START: float | None = None  # process CPU when the test started (for the benchmark)
PACER = runtime.pacer_from_env(os.environ)  # gate --rate-limit: one pace for all users of this process


def process_state(environment: Any) -> runtime.LocustProcess:
    global PROCESS
    if PROCESS is None:
        token_session = FastHttpSession(environment.host or "", environment.events.request, user=None)

        def report_unavailable(method: str, name: str, exc: Exception) -> None:
            environment.events.request.fire(
                request_type=method, name=name, response_time=0, response_length=0, exception=exc, context={}
            )

        PROCESS = runtime.LocustProcess(
            os.environ,
            host=environment.host,
            process_tag=f"p{os.getpid()}",
            token_post=lambda name: locust_token_post(token_session, name),
            report_unavailable=report_unavailable,
            templates=TEMPLATES,
        )
        PROCESS.cpu_at_start = CPU_AT_START
    return PROCESS


def _task_table(flow_kind: str) -> dict[Any, int]:
    def make(task_name: str) -> Any:
        return lambda user: getattr(user.flow, task_name)()

    return {make(name): weight for name, weight in MODEL.users[flow_kind].tasks.items() if weight > 0}


class _MyPrefUser(FastHttpUser):
    abstract = True
    flow_class: type[Flow] = Flow
    flow: Any

    def on_start(self) -> None:
        self.flow = self.flow_class(runtime.paced(self.client, PACER), process_state(self.environment).ctx)
        self.flow.start()


class PreferenceCenterUser(_MyPrefUser):
    """A person on the preference page: configuration, own profile, consents, preferences, history."""

    weight = MODEL.users["preference_center"].weight
    wait_time = between(*MODEL.users["preference_center"].think_time)
    tasks = _task_table("preference_center")
    flow_class = PreferenceCenterFlow


class IntegrationUser(_MyPrefUser):
    """A CRM integration: lookups by id, email, phone and alternate id; updates; some creates."""

    weight = MODEL.users["integration"].weight
    wait_time = between(*MODEL.users["integration"].think_time)
    tasks = _task_table("integration")
    flow_class = IntegrationFlow


@events.init.add_listener
def _fresh_loop_clock(environment: Any, **_kw: Any) -> None:
    # libev caches the loop's notion of "now"; the seconds spent importing (more on a busy machine)
    # leave it stale, so `-t 30s` would fire that many seconds early. Refresh it before Locust
    # schedules the run-time limit.
    gevent.get_hub().loop.update_now()


# ---- the write ledger and per-process counters travel to the master with the stats reports ----


@events.test_start.add_listener
def _cpu_baseline(environment: Any, **_kw: Any) -> None:
    global CPU_AT_START
    CPU_AT_START = time.process_time()
    if PROCESS is not None:
        PROCESS.cpu_at_start = CPU_AT_START


@events.request.add_listener
def _count(**_kw: Any) -> None:
    if PROCESS is not None:
        PROCESS.requests += 1


@events.report_to_master.add_listener
def _ship(client_id: str, data: dict[str, Any], **_kw: Any) -> None:
    if PROCESS is not None:
        data[runtime.REPORT_WRITES] = PROCESS.ctx.ledger.drain()
        data[runtime.REPORT_PROCESS] = PROCESS.counters()


@events.worker_report.add_listener
def _collect(client_id: str, data: dict[str, Any], **_kw: Any) -> None:
    SINK.add_writes(data.get(runtime.REPORT_WRITES) or [])
    SINK.add_process(data.get(runtime.REPORT_PROCESS))


@events.quitting.add_listener
def _flush(environment: Any, **_kw: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    if PROCESS is not None and not isinstance(environment.runner, MasterRunner):
        SINK.add_writes(PROCESS.ctx.ledger.drain())
        SINK.add_process(PROCESS.counters())
    SINK.flush()
