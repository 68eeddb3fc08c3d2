"""Reports CI systems understand (JUnit XML, Markdown), redaction, and the artifact secret scan.

Secrets (PNAUTHINFO3 key, OAuth client secret, access tokens, signatures) must never reach a
report or artifact. Two layers: :func:`redact` before anything is written, and
:func:`scan_for_secrets` over every produced file at the end of a run (the gate and the
contract/load suites fail when it finds something). A Leak names the kind and location only,
never the secret itself.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

from mypref_harness.errors import ConfigError

REDACTED = "[REDACTED]"
_MIN_SECRET_LEN = 4  # shorter "secrets" would match everywhere; they are rejected, not scanned

# ------------------------------------------------------------------------------------ JUnit


@dataclass(frozen=True)
class JUnitCase:
    name: str
    classname: str
    time: float = 0.0
    failure: str | None = None  # failure text: first line becomes the message attribute
    skipped: str | None = None
    stdout: str | None = None
    error: str | None = None  # an error (not an assertion failure), e.g. target unreachable

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return "error"
        if self.failure is not None:
            return "failure"
        if self.skipped is not None:
            return "skipped"
        return "passed"


# XML 1.0 forbids most control characters even when escaped; ElementTree would write them raw.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str, secrets: Sequence[str]) -> str:
    return _XML_ILLEGAL.sub("\ufffd", redact(text, secrets) if secrets else text)


def first_line(text: str | None, limit: int, ellipsis: str = "") -> str:
    """The first line of ``text`` (stripped), at most ``limit`` characters: a one-line summary of
    evidence or an error for a table cell, a JUnit message or a console line.

    A longer line is cut; ``ellipsis`` (e.g. "…") then ends it, inside the limit, so a reader sees the
    cut. Empty or blank text gives "".
    """
    stripped = (text or "").strip()
    if not stripped:
        return ""
    line = stripped.splitlines()[0]
    return line if len(line) <= limit else line[: limit - len(ellipsis)] + ellipsis


def junit_xml(suite_name: str, cases: Iterable[JUnitCase], *, secrets: Sequence[str] = (),
              timestamp: datetime | None = None, elapsed_s: float | None = None) -> str:
    """JUnit XML (the de-facto schema Jenkins/GitLab/GitHub readers accept) as a string.

    The suite's time is ``elapsed_s`` (the run's measured wall time) when given, else the sum of its cases'.
    """
    cases = list(cases)
    counts = {kind: sum(1 for c in cases if c.outcome == kind) for kind in ("failure", "error", "skipped")}
    total_time = max(0.0, elapsed_s) if elapsed_s is not None else sum(max(0.0, c.time) for c in cases)
    attrs = {
        "name": _xml_text(suite_name, secrets),
        "tests": str(len(cases)),
        "failures": str(counts["failure"]),
        "errors": str(counts["error"]),
        "skipped": str(counts["skipped"]),
        "time": f"{total_time:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", {
        **attrs,
        "timestamp": (timestamp or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S"),
        "hostname": socket.gethostname(),
    })
    for case in cases:
        element = ET.SubElement(suite, "testcase", {
            "name": _xml_text(case.name, secrets),
            "classname": _xml_text(case.classname, secrets),
            "time": f"{max(0.0, case.time):.3f}",
        })
        for tag, text in (("error", case.error), ("failure", case.failure)):
            if text is not None:
                clean = _xml_text(text, secrets)
                child = ET.SubElement(element, tag, {"message": first_line(clean, 200, "…")})
                child.text = clean
                break
        else:
            if case.skipped is not None:
                clean = _xml_text(case.skipped, secrets)
                ET.SubElement(element, "skipped", {"message": first_line(clean, 200, "…")}).text = clean
        if case.stdout:
            ET.SubElement(element, "system-out").text = _xml_text(case.stdout, secrets)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def write_junit(path: str | Path, suite_name: str, cases: Iterable[JUnitCase], *,
                secrets: Sequence[str] = (), elapsed_s: float | None = None) -> Path:
    """Write a JUnit XML file (text redacted with ``secrets``); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = junit_xml(suite_name, cases, secrets=secrets, elapsed_s=elapsed_s)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------ Markdown


def md_escape(value: object) -> str:
    """A value safe inside a Markdown table cell (pipes escaped, newlines folded)."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]],
                   align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table. ``align``: "l", "r" or "c" per column (default left)."""
    markers = {"l": "---", "r": "---:", "c": ":---:"}
    align = list(align or ["l"] * len(headers))
    if len(align) != len(headers):
        raise ValueError("align needs one entry per column")
    lines = [
        "| " + " | ".join(md_escape(h) for h in headers) + " |",
        "| " + " | ".join(markers[a] for a in align) + " |",
    ]
    for row in rows:
        cells = list(row)
        if len(cells) != len(headers):
            raise ValueError(f"row has {len(cells)} cells, expected {len(headers)}")
        lines.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def status_mark(passed: bool | None) -> str:
    """A text status for summaries (plain words, readable in a terminal and in Markdown)."""
    return {True: "PASS", False: "FAIL", None: "SKIP"}[passed]


def markdown_details(summary: str, body: str) -> str:
    """A collapsed section (GitHub job summaries render <details>)."""
    return f"<details><summary>{md_escape(summary)}</summary>\n\n```\n{body.rstrip()}\n```\n\n</details>\n"


# ------------------------------------------------------------------------------------ redaction

def _decodes_to_pair(value: str) -> bool:
    """A Basic credential decodes to "id:secret" (prose such as "Basic authentication" does not)."""
    try:
        return b":" in base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except ValueError:
        return False


def _looks_random(value: str) -> bool:
    """An opaque token mixes digits into letters; words in prose ("Bearer authentication") do not."""
    return any(c.isdigit() for c in value) or "." in value


_PLACEHOLDERS = frozenset({"null", "none", "true", "false", "undefined"})


@dataclass(frozen=True)
class _Pattern:
    """A credential shape found without knowing the secret: group 1 is kept, group 2 is the value."""

    kind: str
    regex: re.Pattern[str]
    keywords: tuple[str, ...]  # lower-case literals, one of which must occur (cheap pre-filter)
    accept: Callable[[str], bool] = lambda _value: True


_PATTERNS: tuple[_Pattern, ...] = (
    # PNAUTHINFO3 signatures are Base64 of a SHA-256/384/512 digest: 44, 64 or 88 characters.
    _Pattern("pnauth-signature", re.compile(r"(?i)(\bSignature=)([A-Za-z0-9+/_-]{20,}={0,2})"),
             ("signature=",)),
    _Pattern("bearer-token", re.compile(r"(?i)(\bBearer\s+)([A-Za-z0-9._~+/=-]{16,})"), ("bearer",),
             _looks_random),
    _Pattern("basic-credentials", re.compile(r"(?i)(\bBasic\s+)([A-Za-z0-9+/]{6,}={0,2})"), ("basic",),
             _decodes_to_pair),
    # Starts with a literal so that the regex engine can skip ahead quickly.
    _Pattern("jwt", re.compile(r"()(eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)"), ("eyj",)),
    _Pattern(
        "form-credential",
        re.compile(r"(?i)(\b(?:client_secret|client_assertion|access_token|api_?key)[\"']?\s*[=:]\s*[\"']?)"
                   r"([^\s&\"',}<>\[*$]{4,})"),
        ("client_secret", "client_assertion", "access_token", "api_key", "apikey"),
        lambda value: value.lower() not in _PLACEHOLDERS,
    ),
)


def _replace_pattern(pattern: _Pattern, text: str, lowered: str) -> str:
    if not any(keyword in lowered for keyword in pattern.keywords):
        return text

    def replace(match: re.Match[str]) -> str:
        if not pattern.accept(match.group(2)):
            return match.group(0)
        return match.group(1) + REDACTED

    return pattern.regex.sub(replace, text)


def secret_forms(secret: str) -> set[str]:
    """The ways a secret can appear in text: raw, URL-encoded, JSON-escaped, Base64(url)."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""),
             secret.replace("\\", "\\\\").replace('"', '\\"')}
    raw = secret.encode()
    for encoder in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encoder(raw).decode().rstrip("=")
        if len(encoded) >= _MIN_SECRET_LEN:
            forms.add(encoded)
    return {f for f in forms if len(f) >= _MIN_SECRET_LEN}


def _usable(secrets: Iterable[str] | Mapping[str, str]) -> dict[str, str]:
    items = secrets.items() if isinstance(secrets, Mapping) else ((f"secret #{i + 1}", s)
                                                                    for i, s in enumerate(secrets))
    usable: dict[str, str] = {}
    for name, value in items:
        if not value:
            continue
        if len(value) < _MIN_SECRET_LEN:
            raise ConfigError(f"{name} is shorter than {_MIN_SECRET_LEN} characters: too short to redact")
        usable[name] = value
    return usable


def redact(text: str, secrets: Iterable[str] | Mapping[str, str] = ()) -> str:
    """``text`` with every form of each secret, and credential-shaped strings, replaced."""
    for value in sorted(_usable(secrets).values(), key=len, reverse=True):
        for form in sorted(secret_forms(value), key=len, reverse=True):
            text = text.replace(form, REDACTED)
    lowered = text.lower()
    for pattern in _PATTERNS:
        text = _replace_pattern(pattern, text, lowered)
    return text


# ------------------------------------------------------------------------------------ artifact scan


@dataclass(frozen=True)
class Leak:
    """A secret found in an artifact: where and what kind, never the value."""

    path: Path
    kind: str  # e.g. "api_key", "oauth_client_secret (base64)", "bearer-token", "jwt"
    line: int  # 1-based

    @property
    def file(self) -> Path:
        return self.path

    @property
    def what(self) -> str:
        return self.kind

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}"


_B64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{12,}={0,2}")
_REDACTED_BYTES = REDACTED.encode()


def _iter_files(paths: Iterable[str | Path]) -> Iterable[Path]:
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield root
        elif root.is_dir():
            for folder, _dirs, files in os.walk(root):
                for name in sorted(files):
                    yield Path(folder) / name


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _inside_base64(data: bytes, named: Mapping[str, str]) -> list[tuple[str, int]]:
    """Secrets inside Base64 blobs (e.g. a Basic header of "client:secret"): decode and look inside.

    Only runs long enough to hold the shortest secret are decoded (a secret of L bytes needs at
    least 4L/3 Base64 characters), which skips ordinary words and identifiers: a few MB scan in
    well under a second.
    """
    if not named:
        return []
    raw = {name: value.encode() for name, value in named.items()}
    shortest = min(len(v) for v in raw.values()) * 4 // 3
    found: list[tuple[str, int]] = []
    for match in _B64_RUN.finditer(data):
        blob = match.group()
        if len(blob) < shortest:
            continue
        padded = blob + b"=" * (-len(blob) % 4)
        decodings = []
        for decoder in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decodings.append(decoder(padded))
            except ValueError:
                continue
        for name, value in raw.items():
            if any(value in decoded for decoded in decodings):
                found.append((f"{name} (inside base64)", match.start()))
    return found


def _scan_bytes(data: bytes, named: Mapping[str, str], patterns: bool) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for name, value in named.items():
        for form in sorted(secret_forms(value)):
            encoded = form.encode()
            start = data.find(encoded)
            while start != -1:
                kind = name if form == value else f"{name} (encoded)"
                found.append((kind, start))
                start = data.find(encoded, start + 1)
    found.extend(_inside_base64(data, named))
    if patterns:
        text = data.decode("latin-1")  # 1:1 byte offsets, never fails
        lowered = text.lower()
        for pattern in _PATTERNS:
            if not any(keyword in lowered for keyword in pattern.keywords):
                continue
            for hit in pattern.regex.finditer(text):
                if pattern.accept(hit.group(2)):
                    found.append((pattern.kind, hit.start()))
    return found


def scan_for_secrets(
    paths: Iterable[str | Path],
    secrets: Iterable[str] | Mapping[str, str],
    *,
    patterns: bool = True,
) -> list[Leak]:
    """Every occurrence of a secret (any form) or a credential-shaped string in files under ``paths``.

    ``secrets``: raw values, or a mapping name -> value (the name becomes the Leak kind, e.g. from
    ``Target.named_secrets()``). ``patterns=False`` reports only the given secrets (for artifacts
    that quote forged tokens on purpose). Files are read as bytes: binary files are scanned too.
    """
    named = _usable(secrets)
    leaks: set[Leak] = set()
    for path in _iter_files(paths):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for kind, offset in _scan_bytes(data, named, patterns):
            leaks.add(Leak(path, kind, _line_of(data, offset)))
    return sorted(leaks, key=lambda leak: (str(leak.path), leak.line, leak.kind))
