"""The secret scrub of a run's artifacts: every text file in the report directory (ours and
Schemathesis's) is redacted in place with the target's secrets and the credential patterns of
mypref_harness.report (signatures, bearer tokens, JWTs), then scanned; anything the scan still finds
becomes a failed ``artifact_secret_scan`` check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.contract.results import CheckRecord, Status
from mypref_harness.report import redact, scan_for_secrets

_TEXT_SUFFIXES = frozenset(
    {".xml", ".json", ".ndjson", ".md", ".txt", ".toml", ".html", ".js", ".yaml", ".har"}
)


def redact_text(text: str, secrets: Sequence[str]) -> str:
    return redact(text, [s for s in secrets if s and len(s) >= 4])


def scrub_directory(directory: Path, secrets: Sequence[str]) -> list[Path]:
    """Redact every text artifact under ``directory`` in place; returns the files rewritten."""
    changed = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.suffix.lower() not in _TEXT_SUFFIXES or path.name == "hooks.py":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        clean = redact_text(text, secrets)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            changed.append(path)
    return changed


def secret_scan(directory: Path, target: Target) -> list[CheckRecord]:
    leaks = scan_for_secrets([directory], target.named_secrets())
    return [
        CheckRecord(
            name=f"artifact {leak.path.name}",
            check="artifact_secret_scan",
            status=Status.FAILED,
            evidence=f"{leak.kind} at line {leak.line} of {leak.path}",
        )
        for leak in leaks
    ]
