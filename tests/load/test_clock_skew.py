"""`load` against a target whose clock is off: it measures the skew and signs in the target's time.

Live runs (slow) against `sandbox --clock-offset`; unit tests for the Locust side (the offset the
runner passes down, or a stand-alone worker's own measurement) and the token lifetime.
"""

from __future__ import annotations

import dataclasses
import random
import time
from email.utils import formatdate

import httpx
import pytest

from mypref_harness.auth.clock import signing_offset_against, signing_offset_for
from mypref_harness.auth.oauth import TokenSource
from mypref_harness.auth.timestamps import parse_issued
from mypref_harness.config import Target
from mypref_harness.embedded import target_for_sandbox
from mypref_harness.load import LoadOptions, run_load, runtime
from mypref_harness.load import slo as slo_mod

DEMO_TARGET = Target(base_url="http://127.0.0.1:1/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                     api_key="demo-only-acme-apihashkey-not-a-secret")


def _issued(header: str) -> float:
    credential = header.split("Credential=", 1)[1].split(" ", 1)[0]
    return parse_issued(credential.split("/", 1)[1]).timestamp()


def test_locust_processes_sign_with_the_offset_the_runner_measured():
    auth, _ = runtime.build_auth(DEMO_TARGET, {runtime.ENV_CLOCK_OFFSET: "-121.000"}, lambda name: None)
    issued = _issued(auth.header())
    assert time.time() - 123 <= issued <= time.time() - 120


def test_a_stand_alone_worker_measures_the_offset_itself():
    # A target whose clock runs 1000 s ahead of ours: sign 999 s "in the future" (1 s behind it).
    server_date = formatdate(time.time() + 1000, usegmt=True)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"Date": server_date}))
    offset = signing_offset_against("http://127.0.0.1:1/Profiles/v4/", transport=transport)
    assert 997 <= offset <= 1000


def test_no_date_header_or_no_answer_means_no_correction():
    no_date = httpx.MockTransport(lambda request: httpx.Response(200))
    assert signing_offset_against("http://127.0.0.1:1/", transport=no_date) == 0.0

    def refuse(request):
        raise httpx.ConnectError("refused")

    assert signing_offset_against("http://127.0.0.1:1/", transport=httpx.MockTransport(refuse)) == 0.0


@pytest.mark.parametrize(("skew", "corrected"), [(0.9, False), (1.9, False), (2.5, True), (-59, False),
                                                 (-61, True), (None, False)])
def test_only_skews_that_matter_are_corrected(skew, corrected):
    assert (signing_offset_for(skew) != 0.0) is corrected


def test_a_token_exp_is_read_in_server_time():
    # Server clock 120 s behind ours: a JWT with exp = server now + 300 still lives 300 s, not 180.
    import base64
    import json

    now = 1_000_000.0
    exp = now - 120 + 300
    payload = base64.urlsafe_b64encode(json.dumps({"exp": exp}).encode()).rstrip(b"=").decode()
    token = f"e30.{payload}.c2ln"

    def post(url, data, headers):
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 300}, {}

    source = TokenSource("http://127.0.0.1:1/t", "id", "secret", "A/B", post=post, clock=lambda: now,
                         rng=random.Random(1), clock_offset=-120.0)
    source.token()
    assert source.current.expires_at == pytest.approx(now + 300)


# ------------------------------------------------------------------ live (slow)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("server_offset", "auth"),
    # PNAUTHINFO3 signatures are what a skew breaks; OAuth with the target 2 minutes behind checks that
    # the token's exp (server time) is not read as 2 minutes shorter.
    [(-120, "pnauth"), (1200, "pnauth"), (-120, "oauth")],
)
def test_load_passes_against_a_target_whose_clock_is_off(tmp_path, server_offset, auth):
    from mypref_harness.sandbox.process import running_sandbox

    slo = tmp_path / "slo.toml"  # correctness only: every request must succeed, latency is not judged
    slo.write_text("[run]\nmax_failure_ratio = 0.0\n")
    with running_sandbox(state_dir=tmp_path / "state",
                         extra_args=("--clock-offset", str(server_offset))) as sandbox:
        target = target_for_sandbox(Target(auth=auth), sandbox.credentials, root_url=sandbox.root_url)
        target = dataclasses.replace(target, sandbox_root_url=None)  # configured, not embedded
        result = run_load(target, LoadOptions(users=2, duration="4s", think_time="0.1:0.3", slo_file=slo,
                                              report_dir=tmp_path / "reports"))
    assert result.passed, result.message + "\n" + slo_mod.format_table(result.slo_results)
    assert result.requests > 0 and result.failures == 0
    assert result.integrity is not None and result.integrity.checked > 0 and result.integrity.lost == []
