"""Case files: each failing Schemathesis test case as a request that `mypref-harness replay` re-sends.

Schemathesis's JUnit report holds, per failing test case, its id, the failures, the response status
and body, and a ``curl`` command (Authorization sanitised to ``[Filtered]``). We turn each into
``reports/contract/cases/<id>.json``: method, URL (and the path below the base URL, so a replay can
re-base it on a freshly started sandbox), headers other than Authorization, the exact body text, and
what the target answered. No credentials are stored: the replay signs the request afresh.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from mypref_harness.contract.results import CheckRecord

CASE_DIR_NAME = "cases"
ANSWER_EXCERPT = 160  # characters of the response body shown next to a finding
_CASE_HEAD = re.compile(r"^\d+\. Test Case ID: (\S+)\s*$")
_FAILURE_HEAD = re.compile(r"^- (ST\d{3}|\S+) (.+)$")
_STATUS_LINE = re.compile(r"^\[(\d{3})\] ([^:]*):\s*$")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")
# Headers never written to a case file: credentials, and what the HTTP client sets itself.
_DROPPED_HEADERS = {"authorization", "content-length", "host", "cookie"}


@dataclass
class ReplayCase:
    id: str
    operation: str
    method: str
    url: str
    path: str  # the URL below the base URL (with the query): what a replay appends to its base URL
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    signed: bool = True  # the request carried an Authorization header: the replay signs it afresh
    status: int | None = None  # what the target answered during the run
    reason: str = ""
    response_excerpt: str = ""
    failures: list[str] = field(default_factory=list)  # "ST101 Server error", ...
    sandbox: dict[str, Any] | None = None  # how the embedded sandbox was started (defects), if it was

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReplayCase:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def parse_curl(command: str) -> tuple[str, str, dict[str, str], str | None, bool]:
    """(method, url, headers without Authorization, body, had Authorization) of Schemathesis's curl line."""
    words = shlex.split(command)
    if not words or words[0] != "curl":
        raise ValueError(f"not a curl command: {command[:60]!r}")
    method, url, body, signed = "GET", "", None, False
    headers: dict[str, str] = {}
    i = 1
    while i < len(words):
        word = words[i]
        if word == "-X":
            method, i = words[i + 1].upper(), i + 2
        elif word == "-H":
            name, _, value = words[i + 1].partition(":")
            if name.strip().lower() == "authorization":
                signed = True
            elif name.strip().lower() not in _DROPPED_HEADERS:
                headers[name.strip()] = value.strip()
            i += 2
        elif word in ("-d", "--data", "--data-raw", "--data-binary"):
            body, i = words[i + 1], i + 2
        elif word.startswith("-"):
            i += 1  # a flag without a value (e.g. --insecure)
        else:
            url, i = word, i + 1
    if not url:
        raise ValueError("curl command without a URL")
    return method, url, headers, body, signed


def cases_in_failure_text(operation: str, text: str, base_url: str) -> Iterator[ReplayCase]:
    """One ReplayCase per "N. Test Case ID: X" section that ends with a curl command."""
    for case_id, lines in _sections(text):
        curl = _last_curl(lines)
        if curl is None:
            continue
        try:
            method, url, headers, body, signed = parse_curl(curl)
        except ValueError:
            continue
        status, reason, excerpt = _response(lines)
        yield ReplayCase(
            id=case_id,
            operation=operation,
            method=method,
            url=url,
            path=path_below(url, base_url),
            headers=headers,
            body=body,
            signed=signed,
            status=status,
            reason=reason,
            response_excerpt=excerpt,
            failures=_failures(lines),
        )


def _sections(text: str) -> Iterator[tuple[str, list[str]]]:
    current: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        head = _CASE_HEAD.match(line.strip())
        if head:
            if current is not None:
                yield current, lines
            current, lines = head.group(1), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        yield current, lines


def _last_curl(lines: list[str]) -> str | None:
    curls = [line.strip() for line in lines if line.strip().startswith("curl ")]
    return curls[-1] if curls else None  # a stateful case lists its steps; the last one failed


def _response(lines: list[str]) -> tuple[int | None, str, str]:
    for i, line in enumerate(lines):
        match = _STATUS_LINE.match(line.strip())
        if match:
            body = next((b.strip() for b in lines[i + 1 :] if b.strip()), "")
            if body.startswith("Reproduce with"):
                body = ""
            return int(match.group(1)), match.group(2).strip(), body.strip("`")[:500]
    return None, "", ""


def _failures(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        match = _FAILURE_HEAD.match(line.strip())
        if match and match.group(1).startswith("ST"):
            found.append(f"{match.group(1)} {match.group(2).strip()}")
    return found


def path_below(url: str, base_url: str) -> str:
    """The part of ``url`` after ``base_url`` ("/ACME_CORP/Profile?x=1"); the whole URL if not below it."""
    base = base_url.rstrip("/")
    return url[len(base) :] if base and url.startswith(base) else url


def cases_from_junit(path: Path, base_url: str) -> list[ReplayCase]:
    """Every failing test case of Schemathesis's JUnit report (none when the file is missing or partial)."""
    try:
        root = ElementTree.parse(path).getroot()  # noqa: S314 - Schemathesis's own report, not input
    except (OSError, ElementTree.ParseError):
        return []
    cases: list[ReplayCase] = []
    for testcase in root.iter("testcase"):
        operation = testcase.get("name", "?")
        for failure in testcase.findall("failure"):
            cases.extend(cases_in_failure_text(operation, failure.text or "", base_url))
    return cases


def write_cases(
    cases: Iterable[ReplayCase], directory: Path, redact: Callable[[str], str] = lambda s: s
) -> dict[tuple[str, str], Path]:
    """Write one JSON file per case; returns (operation, failure code) -> the first case file showing it."""
    cases = list(cases)
    if cases:  # a clean run leaves no empty folder behind
        directory.mkdir(parents=True, exist_ok=True)
    index: dict[tuple[str, str], Path] = {}
    for case in cases:
        path = directory / f"{_SAFE_ID.sub('_', case.id)}.json"
        path.write_text(
            redact(json.dumps(case.as_json(), indent=2, ensure_ascii=False)) + "\n", encoding="utf-8"
        )
        for failure in case.failures:
            index.setdefault((case.operation, failure.split(" ", 1)[0]), path)
    return index


def replay_command(path: Path, cwd: Path | None = None) -> str:
    """``mypref-harness replay <path>``, relative to the working directory when the file is below it."""
    shown = path
    with contextlib.suppress(ValueError):
        shown = path.resolve().relative_to((cwd or Path.cwd()).resolve())
    return f"mypref-harness replay {shlex.quote(str(shown))}"


def with_replays(
    findings: Iterable[CheckRecord], index: Mapping[tuple[str, str], Path], cases: Iterable[ReplayCase] = ()
) -> list[CheckRecord]:
    """Findings with their replay command and the answer the target gave (those of a Schemathesis
    failure code that has a case file)."""
    answers = {case.id: answer_line(case) for case in cases}
    out = []
    for finding in findings:
        path = index.get((finding.operation or "", finding.code or ""))
        if path is None:
            out.append(finding)
            continue
        answer = answers.get(path.stem, "")
        out.append(dataclasses.replace(finding, replay=replay_command(path), answer=answer))
    return out


def answer_line(case: ReplayCase, limit: int = ANSWER_EXCERPT) -> str:
    """``500 Internal Server Error: {"Message": ...}``: the status and the start of the body, one line."""
    if case.status is None:
        return ""
    body = " ".join(case.response_excerpt.split())
    body = body if len(body) <= limit else body[: limit - 3] + "..."
    head = f"{case.status} {case.reason}".strip()
    return f"{head}: {body}" if body else head
