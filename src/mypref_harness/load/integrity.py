"""Data integrity of a run that writes: record every acknowledged write, read it back at the end.

During the run each Locust process records the writes the server acknowledged (2xx) in a
:class:`Ledger`. Workers ship their entries to the master with Locust's ``report_to_master`` event; the
master (or the single local process) appends everything to one JSON-lines file. After Locust has
exited, the runner reads the file and :func:`verify` fetches each written profile once and compares.

Each (profile, field) key has exactly one writer (a user writes only profiles it owns), so the last
acknowledged value of a key is what the server must return. Earlier writes of the same key were
overwritten by the same writer and are counted as ``superseded``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness.errors import ConfigError


@dataclass(frozen=True)
class Write:
    profile_id: int
    field: str  # dotted path into the profile body, e.g. "CustomerName.FirstName", "Emails.0.EmailAddress"
    value: Any
    at: float  # when the acknowledgement arrived (unix seconds)
    seq: int  # order within the writer, to break ties of equal timestamps
    writer: str  # process/user tag, for the report
    operation: str = ""


class Ledger:
    """Acknowledged writes of one Locust process (greenlets append; no lock needed under gevent)."""

    def __init__(self, writer_tag: str) -> None:
        self.writer_tag = writer_tag
        self._pending: list[Write] = []
        self._seq = 0
        self.recorded = 0

    def record(self, profile_id: int, field_path: str, value: Any, at: float, operation: str = "") -> None:
        self._seq += 1
        self.recorded += 1
        self._pending.append(
            Write(int(profile_id), field_path, value, at, self._seq, self.writer_tag, operation)
        )

    def drain(self) -> list[dict[str, Any]]:
        """Entries not yet shipped, as plain dicts (msgpack-able for Locust's worker reports)."""
        out = [asdict(w) for w in self._pending]
        self._pending.clear()
        return out


def append_jsonl(path: Path, entries: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("a", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, separators=(",", ":")) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> list[Write]:
    if not path.exists():
        return []
    writes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            writes.append(Write(**raw))
    return writes


def final_writes(writes: Iterable[Write]) -> dict[tuple[int, str], Write]:
    """The last acknowledged write of every (profile, field) key."""
    last: dict[tuple[int, str], Write] = {}
    for w in writes:
        key = (w.profile_id, w.field)
        current = last.get(key)
        if current is None or (w.at, w.seq) >= (current.at, current.seq):
            last[key] = w
    return last


def parse_verify_mode(text: str | int | None) -> int | None:
    """``"all"`` -> None (check every key), ``"off"``/``"none"``/0 -> 0, a number -> that sample size."""
    if text is None or str(text).lower() == "all":
        return None
    if str(text).lower() in ("off", "none"):
        return 0
    try:
        n = int(text)
    except ValueError:
        raise ConfigError(f"invalid --verify-writes {text!r}: use all, off or a sample size") from None
    if n < 0:
        raise ConfigError(f"invalid --verify-writes {text!r}: sample size must be >= 0")
    return n


def field_value(body: Any, path: str) -> Any:
    """The value at a dotted path (list indexes allowed); None when any step is missing."""
    node = body
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit():
            index = int(part)
            node = node[index] if index < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


@dataclass(frozen=True)
class Loss:
    profile_id: int
    field: str
    expected: Any
    found: Any
    writer: str
    operation: str


@dataclass
class IntegrityReport:
    acknowledged: int = 0  # writes recorded during the run
    keys: int = 0  # distinct (profile, field) keys
    superseded: int = 0  # earlier writes of a key, overwritten by the same writer
    checked: int = 0  # keys read back
    profiles_read: int = 0
    lost: list[Loss] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # profiles we could not read (why)
    mode: str = "all"

    @property
    def passed(self) -> bool:
        return not self.lost and not self.unreadable

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def to_dict(self, max_listed: int = 50) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "passed": self.passed,
            "acknowledged_writes": self.acknowledged,
            "keys": self.keys,
            "superseded": self.superseded,
            "checked": self.checked,
            "profiles_read": self.profiles_read,
            "lost": len(self.lost),
            "unreadable": len(self.unreadable),
            "lost_examples": [asdict(x) for x in self.lost[:max_listed]],
            "unreadable_examples": self.unreadable[:max_listed],
        }

    def summary_line(self) -> str:
        if not self.enabled:
            return "integrity: not checked (--verify-writes off)"
        return (
            f"integrity: {self.acknowledged} acknowledged writes, {self.checked} of {self.keys} keys "
            f"read back ({self.mode}), {len(self.lost)} lost, {len(self.unreadable)} unreadable"
        )


class ProfileUnreadable(Exception):
    """The profile could not be read for a reason that says nothing about the data (5xx, network)."""


def verify(
    writes: Sequence[Write],
    fetch_profile: Callable[[int], Any],
    *,
    sample: int | None = None,
    rng: random.Random | None = None,
) -> IntegrityReport:
    """Read back the final value of each key (all keys, or a random ``sample`` of them).

    ``fetch_profile(profile_id)`` returns the profile body, None when the server says it does not
    exist (404: every write to it is lost), or raises ProfileUnreadable.
    """
    final = final_writes(writes)
    if sample is None or (sample and sample >= len(final)):
        mode = "all"
    else:
        mode = "off" if sample == 0 else f"random sample of {sample}"
    report = IntegrityReport(
        acknowledged=len(writes), keys=len(final), superseded=len(writes) - len(final), mode=mode
    )
    if sample == 0:
        return report
    keys = sorted(final)
    if sample is not None and sample < len(keys):
        keys = sorted((rng or random.Random()).sample(keys, sample))  # noqa: S311 - sampling, not crypto
    by_profile: dict[int, list[Write]] = {}
    for key in keys:
        by_profile.setdefault(key[0], []).append(final[key])
    for profile_id, expected in by_profile.items():
        try:
            body = fetch_profile(profile_id)
        except ProfileUnreadable as exc:
            report.unreadable.append(f"profile {profile_id}: {exc}")
            continue
        report.profiles_read += 1
        for w in expected:
            report.checked += 1
            found = field_value(body, w.field) if body is not None else None
            if found != w.value:
                report.lost.append(Loss(profile_id, w.field, w.value, found, w.writer, w.operation))
    return report
