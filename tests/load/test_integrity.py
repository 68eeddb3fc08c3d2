import random

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.load.integrity import (
    Ledger,
    ProfileUnreadable,
    Write,
    append_jsonl,
    field_value,
    final_writes,
    parse_verify_mode,
    read_jsonl,
    verify,
)

# ---------------------------------------------------------------- integrity core


def w(pid, field, value, at, seq=1, writer="a"):
    return Write(pid, field, value, at, seq, writer, "update_profile")


def test_final_writes_keeps_the_last_acknowledged_value_per_key():
    final = final_writes(
        [w(1, "A", "x", 10, 1), w(1, "A", "y", 11, 2), w(1, "B", "z", 5, 3), w(1, "A", "q", 11, 1)]
    )
    assert final[(1, "A")].value == "y"
    assert final[(1, "B")].value == "z"


def test_verify_counts_lost_missing_and_unreadable_profiles():
    profiles = {1: {"CustomerName": {"FirstName": "new"}}, 2: {"CustomerName": {"FirstName": "old"}}}

    def fetch(pid):
        if pid == 4:
            raise ProfileUnreadable("HTTP 503")
        return profiles.get(pid)

    writes = [
        w(1, "CustomerName.FirstName", "new", 1),
        w(2, "CustomerName.FirstName", "new", 1),
        w(3, "CustomerName.FirstName", "new", 1),
        w(4, "CustomerName.FirstName", "new", 1),
    ]
    report = verify(writes, fetch)
    assert [(x.profile_id, x.found) for x in report.lost] == [(2, "old"), (3, None)]
    assert report.unreadable == ["profile 4: HTTP 503"]
    assert (report.checked, report.profiles_read, report.passed) == (3, 3, False)
    assert "2 lost, 1 unreadable" in report.summary_line()


def test_verify_sample_reads_only_that_many_keys_and_off_reads_none():
    writes = [w(i, "F", "v", 1) for i in range(100)]
    read = []

    def fetch(pid):
        read.append(pid)
        return {"F": "v"}

    assert verify(writes, fetch, sample=10, rng=random.Random(3)).checked == 10
    assert len(read) == 10
    off = verify(writes, fetch, sample=0)
    assert off.checked == 0 and not off.enabled and len(read) == 10


def test_field_value_walks_dicts_and_lists():
    body = {"Emails": [{"EmailAddress": "a@x"}], "CustomerName": {"FirstName": "A"}}
    assert field_value(body, "Emails.0.EmailAddress") == "a@x"
    assert field_value(body, "Emails.1.EmailAddress") is None
    assert field_value(body, "CustomerName.LastName") is None
    assert field_value(None, "X") is None


@pytest.mark.parametrize(
    ("text", "value"), [("all", None), (None, None), ("off", 0), ("none", 0), ("25", 25)]
)
def test_parse_verify_mode(text, value):
    assert parse_verify_mode(text) == value


@pytest.mark.parametrize("text", ["some", "-1"])
def test_parse_verify_mode_rejects_garbage(text):
    with pytest.raises(ConfigError):
        parse_verify_mode(text)


def test_ledger_round_trips_through_jsonl(tmp_path):
    ledger = Ledger("p9")
    ledger.record(7, "CustomerName.FirstName", "v1", 12.5, "update_profile")
    path = tmp_path / "w.jsonl"
    append_jsonl(path, ledger.drain())
    assert ledger.drain() == []
    (back,) = read_jsonl(path)
    assert (back.profile_id, back.value, back.writer, back.seq) == (7, "v1", "p9", 1)
