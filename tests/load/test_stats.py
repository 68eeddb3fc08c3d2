import json
import random
import subprocess
import sys

import pytest

from mypref_harness.errors import HarnessError
from mypref_harness.load import stats as st

from .helpers import entry, locust_json_entry


def test_percentile_matches_hand_computed_locust_rule():
    hist = {float(t): 1 for t in range(1, 101)}
    # Locust walks down from the slowest: at 96 exactly 95 requests remain below -> p95 = 96
    assert st.percentile(hist, 0.95) == 96
    assert st.percentile(hist, 0.50) == 51
    assert st.percentile(hist, 1.0) == 100
    assert st.percentile({}, 0.95) is None


def test_percentile_equals_locusts_own_function_on_a_random_histogram():
    rng = random.Random(7)
    hist = {
        float(rng.choice([3, 5, 8, 12, 20, 31, 45, 60, 99, 140, 260, 1100])): rng.randint(1, 50)
        for _ in range(40)
    }
    fractions = [0.5, 0.66, 0.9, 0.95, 0.99, 0.999]
    # Locust must not be imported in the pytest process (gevent patching): ask a child interpreter.
    code = (
        "import json,sys\nfrom locust.stats import calculate_response_time_percentile as p\n"
        "h={float(k):v for k,v in json.loads(sys.argv[1]).items()}\n"
        "print(json.dumps([p(h, sum(h.values()), f) for f in json.loads(sys.argv[2])]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(hist), json.dumps(fractions)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert [st.percentile(hist, f) for f in fractions] == json.loads(out.stdout)


def test_parse_entries_reads_locusts_json_shape():
    raw = [locust_json_entry("lookup: GET /x", [10, 20, 20], failures=1, per_second={1000: 2, 1001: 1})]
    (e,) = st.parse_entries(json.loads(json.dumps(raw)))
    assert (e.name, e.num_requests, e.num_failures) == ("lookup: GET /x", 3, 1)
    assert e.response_times == {10.0: 1, 20.0: 2}
    assert e.requests_per_second == {1000: 2, 1001: 1}
    assert e.group == "lookup"


@pytest.mark.parametrize(
    "raw", [{}, [{"name": "x"}], [{"name": "x", "num_requests": "many", "num_failures": 0}]]
)
def test_parse_entries_rejects_other_shapes(raw):
    with pytest.raises(HarnessError):
        st.parse_entries(raw)


def test_load_locust_json_missing_file_is_one_line_error(tmp_path):
    with pytest.raises(HarnessError, match="cannot read Locust statistics"):
        st.load_locust_json(tmp_path / "nope.json")


def test_selection_merges_groups_and_excludes_bookkeeping():
    entries = [
        entry("lookup: GET /a", [10] * 9 + [500], start=100, end=110),
        entry("lookup: GET /b", [20] * 10, failures=2, start=100, end=120),
        entry("token: POST /token", [5], start=100, end=101),
        entry("setup: POST /Profile", [50, 50], start=99, end=100),
        entry("auth: no token: GET /a", [0]),
    ]
    sel = st.select(entries, ["lookup: *"])
    assert sel.requests == 20
    assert sel.failures == 2
    assert sel.failure_ratio == 0.1
    assert sel.percentile(0.5) == 20
    assert sel.percentile(0.99) == 500
    assert sel.duration == 20
    assert st.business(entries).requests == 20
    assert st.token_requests(entries) == 1
