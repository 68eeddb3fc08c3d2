import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.load import slo
from mypref_harness.load import slo as slo_mod

from .helpers import entry


def _slo(text, tmp_path):
    p = tmp_path / "slo.toml"
    p.write_text(text)
    return slo_mod.load_slo(p)


def test_default_slo_file_loads_and_is_realistic():
    slo = slo_mod.load_slo()
    groups = {g.name: g for g in slo.groups}
    assert {"config", "lookup", "write", "history"} <= set(groups)
    for g in groups.values():
        assert 0 < g.percentiles_ms["p95_ms"] < 1000
    assert slo.max_failure_ratio is not None and slo.max_failure_ratio <= 0.05
    assert slo.min_rps is not None and slo.max_token_requests_per_process_per_minute is not None


def test_passing_run(tmp_path):
    slo = _slo(
        "[run]\nmax_failure_ratio = 0.05\nmin_rps = 1\nmax_token_requests = 3\n"
        "[latency.lookup]\np50_ms = 30\np95_ms = 100\n",
        tmp_path,
    )
    entries = [entry("lookup: GET /a", [10] * 20, end=1010), entry("token: POST /t", [5, 5])]
    results = slo_mod.evaluate(slo, entries)
    assert [r.name for r in results] == [
        "run.max_failure_ratio",
        "run.min_rps",
        "run.max_token_requests",
        "latency.lookup.p50_ms",
        "latency.lookup.p95_ms",
    ]
    assert all(r.passed for r in results), slo_mod.format_table(results)
    assert results[1].actual == pytest.approx(2.2)  # 22 requests in 10 s


def test_breaches_are_reported_with_actual_values(tmp_path):
    slo = _slo(
        "[run]\nmax_failure_ratio = 0.01\nmin_rps = 100\nmax_token_requests = 1\n"
        "[latency.write]\np95_ms = 50\n",
        tmp_path,
    )
    entries = [entry("write: POST /p", [40] * 18 + [90, 95], failures=1), entry("token: POST /t", [5, 5])]
    bad = {r.name: r for r in slo_mod.breaches(slo_mod.evaluate(slo, entries))}
    assert set(bad) == {
        "run.max_failure_ratio",
        "run.min_rps",
        "run.max_token_requests",
        "latency.write.p95_ms",
    }
    assert bad["latency.write.p95_ms"].actual == 95
    assert bad["run.max_token_requests"].actual == 2
    table = slo_mod.format_table(list(bad.values()))
    assert "latency.write.p95_ms" in table and "FAIL" in table and "<= 50" in table


def test_a_group_without_traffic_is_no_data_not_a_breach(tmp_path):
    # The make-test flake: a short run drew no configuration read, and "config" counted as a breach.
    slo = _slo("[latency.config]\np50_ms = 100\nmax_failure_ratio = 0.01\n", tmp_path)
    results = slo_mod.evaluate(slo, [entry("lookup: GET /a", [1])])
    assert [(r.name, r.passed, r.skipped, r.status) for r in results] == [
        ("latency.config.p50_ms", True, True, "no data"),
        ("latency.config.max_failure_ratio", True, True, "no data"),
    ]
    assert results[0].actual is None and "no data" in results[0].detail
    assert slo_mod.breaches(results) == []
    assert "no data" in slo_mod.format_table(results)


@pytest.mark.parametrize("key", ["require_samples", "required"])
def test_a_group_that_requires_samples_breaches_without_traffic(tmp_path, key):
    slo = _slo(f"[latency.config]\np50_ms = 100\n{key} = true\n", tmp_path)
    [result] = slo_mod.evaluate(slo, [entry("lookup: GET /a", [1])])
    assert (result.passed, result.skipped, result.actual) == (False, False, None)
    assert "require_samples" in result.detail


def test_a_group_with_traffic_is_judged_whatever_require_samples_says(tmp_path):
    slo = _slo("[latency.lookup]\np50_ms = 5\n", tmp_path)
    [result] = slo_mod.evaluate(slo, [entry("lookup: GET /a", [10, 10, 10])])
    assert (result.passed, result.skipped, result.actual) == (False, False, 10)


def test_token_budget_per_process_per_minute():
    assert slo_mod.allowed_token_requests(2.0, 15, 1) == 2
    assert slo_mod.allowed_token_requests(2.0, 120, 2) == 2 * 5
    assert slo_mod.allowed_token_requests(12.0, 30, 1) == 7


def test_token_budget_is_checked_against_processes(tmp_path):
    slo = _slo("[run]\nmax_token_requests_per_process_per_minute = 2\n", tmp_path)
    tokens = entry("token: POST /t", [5] * 5, start=0, end=60)
    (one,) = slo_mod.evaluate(slo, [tokens], duration_s=60, processes=1)
    (two,) = slo_mod.evaluate(slo, [tokens], duration_s=60, processes=2)
    assert (one.limit, one.passed) == (3, False)
    assert (two.limit, two.passed) == (6, True)


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("[run]\nmax_failure_ratio = 2\n", "between 0 and 1"),
        ("[run]\nmin_rps = 'fast'\n", "must be a number"),
        ("[run]\nmax_tokens = 3\n", "unknown key"),
        ("[latency.x]\np95 = 3\n", "unknown key"),
        ("[latency.x]\nmatch = 3\n", "list of glob"),
        ("[budget]\n", "unknown table"),
        ("[run\n", "not valid TOML"),
        ("[run]\nmax_token_requests = -1\n", "non-negative integer"),
        ("[latency.x]\nrequire_samples = 'yes'\n", "true or false"),
        ("[latency.x]\nrequire_samples = true\nrequired = true\n", "not both"),
    ],
)
def test_bad_slo_files_are_config_errors(tmp_path, text, msg):
    with pytest.raises(ConfigError, match=msg):
        _slo(text, tmp_path)


def test_unreadable_slo_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read SLO file"):
        slo_mod.load_slo(tmp_path / "missing.toml")


def test_token_budget_formula():
    assert slo.token_budget(30, 5, 1.5) == 10
    assert slo.token_budget(30, 5, 1) == 9
