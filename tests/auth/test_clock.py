"""auth.clock: Date header parsing, clock skew and the safe signing offset."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from mypref_harness.auth.clock import (
    measure_skew,
    parse_http_date,
    safe_signing_offset,
    skew_from_headers,
    skew_seconds,
)


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 14 Aug 2015 21:22:27 GMT",  # IMF-fixdate (the vendor's own 401 example)
        "Friday, 14-Aug-15 21:22:27 GMT",  # obsolete RFC 850
        "Fri Aug 14 21:22:27 2015",  # obsolete asctime
    ],
)
def test_parse_http_date_forms(text):
    assert parse_http_date(text) == dt.datetime(2015, 8, 14, 21, 22, 27, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2015-08-14T21:22:27Z", "Fri, 99 Aug 2015 21:22:27 GMT"])
def test_parse_http_date_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_http_date(text)


def test_skew_is_positive_when_local_clock_runs_ahead():
    server = "Fri, 14 Aug 2015 21:22:27 GMT"
    local = dt.datetime(2015, 8, 14, 21, 24, 27, 500000, tzinfo=dt.UTC)
    assert skew_seconds(local, server) == pytest.approx(120.5)
    assert skew_seconds(local.timestamp() - 300, server) == pytest.approx(-179.5)
    with pytest.raises(ValueError, match="naive"):
        skew_seconds(dt.datetime(2015, 8, 14), server)


def test_safe_offset_puts_the_signing_time_just_behind_server_time():
    server = dt.datetime(2015, 8, 14, 21, 22, 27, tzinfo=dt.UTC).timestamp()
    for local in (server + 120.9, server - 600.2, server + 0.4):
        skew = skew_seconds(local, "Fri, 14 Aug 2015 21:22:27 GMT")
        signing_time = local + safe_signing_offset(skew)
        assert signing_time == pytest.approx(server - 1.0)  # never in the server's future, never stale
    assert safe_signing_offset(0.0, margin=2.0) == -2.0
    with pytest.raises(ValueError):
        safe_signing_offset(0.0, margin=-1)


def test_measure_skew_reads_the_date_of_any_response():
    import httpx

    def handler(request):
        return httpx.Response(404, headers={"Date": "Fri, 14 Aug 2015 21:22:27 GMT"})

    skew = measure_skew("http://127.0.0.1:1/", transport=httpx.MockTransport(handler))
    expected = time.time() - dt.datetime(2015, 8, 14, 21, 22, 27, tzinfo=dt.UTC).timestamp()
    assert skew == pytest.approx(expected, abs=2)
    no_date = httpx.MockTransport(lambda request: httpx.Response(200))
    assert measure_skew("http://127.0.0.1:1/", transport=no_date) is None


def test_skew_from_headers():
    headers = {"Content-Type": "application/json", "date": "Fri, 14 Aug 2015 21:22:27 GMT"}
    local = dt.datetime(2015, 8, 14, 21, 22, 37, tzinfo=dt.UTC).timestamp()
    assert skew_from_headers(headers, local) == pytest.approx(10)
    assert skew_from_headers({}, local) is None
    assert skew_from_headers({"Date": "garbage"}, local) is None
