"""preflight: one behaviour per answer of the configuration read, for contract, load and the gate alike.

Contract and load used to disagree: contract let a 403, a 404 with a body and a 5xx through; load
failed a 5xx at once without a retry. These tests pin the one behaviour (the module docstring).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mypref_harness.auth.answers import Retrier, RetryPolicy
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError, ExitCode, TargetUnreachable
from mypref_harness.preflight import Preflight, preflight

TARGET = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                api_key="preflight-test-key-0123456789")
NO_WAIT = RetryPolicy(backoff_s=0.0, max_wait_s=0.0)


def _client(answers: Iterator[httpx.Response], seen: list[str]) -> httpx.Client:
    """A client whose GET / answers 200 (no Date: skew unknown) and whose reads get ``answers`` in turn."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Profiles/v4/"):
            return httpx.Response(200)
        seen.append(f"{request.url.path} {request.headers.get('authorization', '').split(' ')[0]}")
        return next(answers)

    return httpx.Client(transport=httpx.MockTransport(handler))


def _run(*answers: httpx.Response, target: Target = TARGET, **options: object) -> tuple[Preflight, list[str]]:
    seen: list[str] = []
    with _client(iter(answers), seen) as client:
        result = preflight(target, client=client, retrier=Retrier(NO_WAIT, sleep=lambda _s: None),
                           **options)  # type: ignore[arg-type]
    return result, seen


def test_an_accepted_read_passes_with_one_signed_request():
    result, seen = _run(httpx.Response(200, json={"Programs": []}))
    assert result == Preflight(skew_s=None, clock_offset=0.0, undecided=None)
    assert seen == ["/Profiles/v4/ACME_CORP/Programs PNAUTHINFO3-HMAC-SHA256"]
    assert result.round_trip_s is not None and result.round_trip_s >= 0  # for the contract's workers


def test_a_401_is_a_configuration_error_quoting_the_server():
    with pytest.raises(ConfigError) as info:
        _run(httpx.Response(401, json={"Message": "Unable to authenticate request"}))
    text = str(info.value)
    # Both wordings the commands' tests read: load's first words, contract's phrase.
    assert text.startswith("credentials rejected by http://127.0.0.1:9/Profiles/v4 (HTTP 401")
    assert "rejected our credentials" in text and "Unable to authenticate request" in text
    assert info.value.exit_code == ExitCode.USAGE


def test_a_403_is_a_configuration_error():
    # The vendor: 403 = "The API key doesnt have permissions to perform the request". Contract let it through.
    with pytest.raises(ConfigError, match=r"rejected .*HTTP 403.*may not read /\{clientId\}/Programs"):
        _run(httpx.Response(403, json={"Message": "Forbidden"}))


@pytest.mark.parametrize("body", [b"", b'{"Message": "No HTTP resource was found"}'])
def test_any_404_names_the_client_id(body):
    # The vendor's ClientId 404 has no body, but the Programs route is documented: a 404 with a body
    # is no less the URL's or the ClientId's fault. Contract let that one through.
    with pytest.raises(ConfigError, match="does not know ClientId 'ACME_CORP'"):
        _run(httpx.Response(404, content=body))


def test_a_404_on_a_base_url_without_the_api_prefix_names_the_prefix():
    target = Target(base_url="http://127.0.0.1:9", client_id="ACME_CORP", user_id="John.Doe",
                    api_key="preflight-test-key-0123456789")
    seen: list[str] = []
    answers = iter([httpx.Response(404)])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200) if request.url.path == "/" else next(answers)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, \
            pytest.raises(ConfigError, match="does not end with the API prefix /Profiles/v4"):
        preflight(target, client=client, retrier=Retrier(NO_WAIT, sleep=lambda _s: None))


def test_a_5xx_is_retried_and_then_the_read_passes():
    # Load used to stop at the first 503 (exit 3); one retry later the target answers.
    result, seen = _run(httpx.Response(503), httpx.Response(200, json={"Programs": []}))
    assert result.undecided is None
    assert len(seen) == 2


def test_5xx_and_429_after_every_retry_leave_the_read_undecided_not_a_configuration_error():
    answers = (httpx.Response(503), httpx.Response(429), httpx.Response(503))
    result, seen = _run(*answers)
    assert result.undecided == "GET /{clientId}/Programs: HTTP 503 after 3 attempts"
    assert len(seen) == 3


def test_no_connection_is_unreachable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client, \
            pytest.raises(TargetUnreachable, match=r"127\.0\.0\.1:9/Profiles/v4: ConnectError"):
        preflight(TARGET, client=client, retrier=Retrier(NO_WAIT, sleep=lambda _s: None))


def test_auth_off_sends_no_authorization_and_measures_no_clock():
    result, seen = _run(httpx.Response(200), auth_off=True)
    assert seen == ["/Profiles/v4/ACME_CORP/Programs "]
    assert result.skew_s is None and result.clock_offset == 0.0


def test_a_target_clock_far_behind_ours_is_signed_for_in_its_time():
    date = "Mon, 01 Jan 2024 00:00:00 GMT"  # years behind: the offset is negative and large

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Date": date})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = preflight(TARGET, client=client, retrier=Retrier(NO_WAIT, sleep=lambda _s: None))
    assert result.skew_s is not None and result.skew_s > 3600
    assert result.clock_offset < -3600
