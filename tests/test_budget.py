"""The shared request/time budget: its arithmetic, its pace, its ledger (no network, no real clock)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mypref_harness import budget
from mypref_harness.budget import Budget, Pacer, StageSpend


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_share_is_what_is_left_after_spending_and_others_reservations() -> None:
    b = Budget(requests=1000)
    b.stage("auth").record(requests=40)
    b.stage("vectors")  # sends nothing
    b.reserve("load", 200)
    assert b.share_for("contract") == (760, None)
    # The reserving stage itself is not kept from its own reservation.
    assert b.share_for("load") == (960, None)


def test_the_share_never_goes_negative() -> None:
    b = Budget(requests=100)
    b.stage("auth").record(requests=90)
    b.reserve("load", 50)
    assert b.share_for("contract") == (0, None)


def test_the_time_share_counts_from_the_budgets_start() -> None:
    clock = FakeClock()
    b = Budget(seconds=300.0, clock=clock)
    clock.now += 120.0
    assert b.share_for("contract") == (None, 180.0)
    clock.now += 400.0
    assert b.share_for("contract") == (None, 0.0)


def test_no_limits_means_no_share_limits() -> None:
    b = Budget()
    b.stage("auth").record(requests=5)
    assert not b.limited
    assert b.share_for("contract") == (None, None)


@pytest.mark.parametrize("requests, seconds", [(0, None), (None, 0.0), (-5, None)])
def test_a_budget_of_nothing_is_refused(requests: int | None, seconds: float | None) -> None:
    with pytest.raises(ValueError):
        Budget(requests=requests, seconds=seconds)


def test_the_ledger_books_by_stage_phase_and_operation() -> None:
    spend = StageSpend()
    spend.record(requests=3, seconds=0.3, phase="examples", operation="GET /a")
    spend.record(requests=5, seconds=0.5, phase="coverage", operation="GET /b")
    spend.record(requests=2, phase="coverage", operation="GET /a")
    assert (spend.requests, round(spend.seconds, 3)) == (10, 0.8)
    assert {k: v.requests for k, v in spend.phases.items()} == {"examples": 3, "coverage": 7}
    assert [(name, s.requests) for name, s in spend.top_operations(1)] == [("GET /a", 5)]
    assert [name for name, _ in spend.top_operations(5)] == ["GET /a", "GET /b"]  # ties: by name


def test_the_progress_text_shows_spent_over_budget() -> None:
    clock = FakeClock()
    b = Budget(requests=5000, seconds=300.0, clock=clock)
    b.stage("contract").record(requests=1234)
    clock.now += 80.0
    assert b.progress_text() == "1234/5000 requests, 01:20/05:00"
    assert Budget(clock=clock).progress_text() == "0/- requests, 00:00/-"


def test_the_pacer_spaces_requests_evenly() -> None:
    clock = FakeClock()
    pacer = Pacer(20.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        pacer.wait()
    assert clock.slept == pytest.approx([0.05] * 4)  # the first goes at once, then one per 1/20 s


def test_a_pacer_without_a_rate_never_waits() -> None:
    clock = FakeClock()
    pacer = Pacer(None, clock=clock, sleep=clock.sleep)
    assert [pacer.wait() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert clock.slept == []


def test_a_pacer_does_not_save_up_idle_time_for_a_burst() -> None:
    clock = FakeClock()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 5.0  # idle for 5 s
    pacer.wait()
    pacer.wait()
    assert clock.slept == pytest.approx([0.1])


@pytest.mark.parametrize(
    "text, rate", [("20/s", 20.0), ("600/m", 10.0), ("0.5/s", 0.5), ("7200/h", 2.0), (" 5 / s ", 5.0)]
)
def test_rates(text: str, rate: float) -> None:
    assert budget.parse_rate(text) == rate


@pytest.mark.parametrize("text", ["20", "0/s", "x/s", "20/d", ""])
def test_bad_rates(text: str) -> None:
    with pytest.raises(ValueError):
        budget.parse_rate(text)


@pytest.mark.parametrize(
    "rate, round_trip, workers",
    [
        (20.0, 0.1, 2),  # the simulated remote target
        (20.0, 0.11, 3),  # ceil
        (20.0, 0.001, 1),  # loopback-like: at least one
        (100.0, 1.0, 16),  # at most 16
        (None, 0.1, None),  # no rate: keep the caller's choice
        (20.0, None, None),  # no measurement: keep the caller's choice
    ],
)
def test_workers_from_the_measurement(
    rate: float | None, round_trip: float | None, workers: int | None
) -> None:
    assert budget.workers_for(rate, round_trip) == workers


def test_the_hook_paces_and_books_on_the_active_stage_only() -> None:
    clock = FakeClock()
    b = Budget(requests=100, rate=10.0, clock=clock)
    b.pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    request = SimpleNamespace(method="GET", url=SimpleNamespace(path="/ACME/Programs"))
    budget.on_request(request)  # no active budget: nothing booked, nothing waited
    with budget.spending(b, "auth"):
        budget.on_request(request)
        budget.on_request(request)
    budget.on_request(request)
    assert b.stage("auth").requests == 2
    assert b.stage("auth").operations["GET /ACME/Programs"].requests == 2
    with budget.spending(b, "contract"):
        profile = SimpleNamespace(method="GET", url=SimpleNamespace(path="/ACME/Profile/1309"))
        budget.on_request_counted(profile)
    assert b.stage("contract").operations["GET /ACME/Profile/{id}"].requests == 1  # ids grouped
    assert clock.slept == pytest.approx([0.1])  # counted, not paced
    assert clock.slept == pytest.approx([0.1])
    assert b.stage("auth").seconds == pytest.approx(0.1)  # the stage's wall time, its waits included
    assert budget.request_hooks() == {"request": [budget.on_request]}


def test_merging_a_stages_ledger_adds_everything_but_its_seconds() -> None:
    mine, theirs = StageSpend(seconds=10.0), StageSpend()
    mine.record(requests=2, operation="GET /a")
    theirs.record(requests=7, seconds=3.0, phase="coverage", operation="GET /a")
    theirs.left_out.append("fuzzing phase: not run")
    mine.merge(theirs)
    assert (mine.requests, mine.seconds) == (9, 10.0)
    assert mine.operations["GET /a"].requests == 9
    assert mine.phases["coverage"].requests == 7
    assert mine.left_out == ["fuzzing phase: not run"]


@pytest.mark.parametrize("text, rate", [(None, None), ("auto", None), ("AUTO", None), ("20/s", 20.0)])
def test_the_rate_of_a_rate_limit_option(text: str | None, rate: float | None) -> None:
    assert budget.rate_of(text) == rate


def test_reserved_time_is_kept_from_the_other_stages_until_released() -> None:
    clock = FakeClock()
    b = Budget(requests=1000, seconds=300.0, clock=clock)
    b.reserve("load", 200, 30.0)
    b.reserve("auth", 100, 20.0)
    clock.now += 50.0
    assert b.share_for("contract") == (700, 200.0)
    b.release("auth")  # auth runs now: what it does not spend goes back to the pool
    assert b.share_for("contract") == (800, 220.0)


def test_a_running_subprocess_counts_on_the_progress_line_until_its_stage_books_it() -> None:
    clock = FakeClock()
    b = Budget(requests=100, clock=clock)
    budget.report_in_flight("elsewhere", 7)  # no active budget: ignored
    with budget.spending(b, "contract"):
        budget.report_in_flight("pass-1/progress.json", 30)
        budget.report_in_flight("pass-1/progress.json", 40)  # the latest count of a source
        budget.report_in_flight("pass-2/progress.json", 5)
        assert b.progress_text() == "45/100 requests, 00:00/-"
        b.stage("contract").record(requests=45)  # the stage books them at its end
    assert b.progress_text() == "45/100 requests, 00:00/-"


def test_the_time_share_caps_the_requests_at_the_runs_pace() -> None:
    clock = FakeClock()
    b = Budget(requests=5000, seconds=300.0, rate=20.0, clock=clock)
    b.reserve("load", 200, 30.0)
    clock.now += 20.0
    # 250 s left for the contract, 10 s of it start-up: 240 s x 20/s = 4800 requests, under the 4800 left
    assert b.paced_share("contract", startup_s=10.0) == (4800, 250.0)
    clock.now += 100.0  # 150 s left: 140 s x 20/s = 2800 < 4800
    assert b.paced_share("contract", startup_s=10.0) == (2800, 150.0)
    assert Budget(requests=100, seconds=60.0, clock=clock).paced_share("contract") == (100, 60.0)  # no rate
