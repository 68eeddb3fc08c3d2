"""The spec document a contract run tests, and the operations it selects (``--operations``)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mypref_harness import resources
from mypref_harness.contract.cache import user_cache_dir
from mypref_harness.errors import ConfigError
from mypref_harness.spec.document import load_spec
from mypref_harness.spec.operations import operation_names

_OPERATION_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def load_spec_document(spec: str) -> dict[str, Any]:
    """Load and validate an OpenAPI 3.x / Swagger 2.0 document (path or URL); ConfigError otherwise.

    The bundled spec is not validated again here (tests/spec validate it; it costs ~1 s per run);
    any other spec is validated before anything runs.
    """
    is_url = re.match(r"^https?://", spec) is not None
    bundled = not is_url and Path(spec).resolve() == resources.spec_file().resolve()
    cached = None if is_url else _parsed_spec_cache(Path(spec))
    if cached is not None and cached.is_file():
        document = json.loads(cached.read_text(encoding="utf-8"))
    else:
        document = load_spec(spec, validate=not bundled).document
        if cached is not None:
            with contextlib.suppress(OSError):
                cached.write_text(json.dumps(document), encoding="utf-8")
    if not isinstance(document.get("paths"), dict) or not document["paths"]:
        raise ConfigError(f"spec {spec}: the document has no paths")
    return document


def _parsed_spec_cache(path: Path) -> Path | None:
    """Where a local spec's parsed (and validated) form is kept: YAML parsing costs ~0.4 s per run.

    Keyed by the file's absolute path, size and mtime, so an edited spec is parsed (and validated) again.
    """
    try:
        stat = path.resolve().stat()
    except OSError:
        return None  # load_spec reports the missing file
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:32]
    folder = user_cache_dir("parsed-specs")
    return None if folder is None else folder / f"{key}.json"


def operations_regex(selectors: Sequence[str], document: Mapping[str, Any]) -> str | None:
    """One regex over operation labels for --operations: operationIds become exact labels."""
    if not selectors:
        return None
    names = operation_names(document)
    parts: list[str] = []
    for selector in selectors:
        for item in (s.strip() for s in selector.split(",")):
            if not item:
                continue
            if _OPERATION_ID.match(item) and item in names:
                parts.append("^" + re.escape(names[item]) + "$")
                continue
            try:
                re.compile(item)
            except re.error as exc:
                raise ConfigError(
                    f"--operations {item!r}: not an operationId and not a valid regex ({exc})"
                ) from None
            parts.append(item)
    if not parts:
        return None
    combined = "|".join(f"(?:{p})" for p in parts)
    labels = list(names.values())
    if not any(re.search(combined, label) for label in labels):
        raise ConfigError(f"--operations {', '.join(selectors)}: matches no operation of the spec")
    return combined
