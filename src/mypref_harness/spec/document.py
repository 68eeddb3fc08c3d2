"""Load an API description (Swagger 2.0 or OpenAPI 3.x, from a path or a URL): the one YAML/JSON loader.

The harness ships a reconstructed spec (contracts/openapi/mypreferences-v4.yaml); a user who has the
official Swagger file brings it with ``--spec``. Every failure to use a spec is a ConfigError with a
one-line reason (not found, not YAML/JSON, not OpenAPI/Swagger, invalid), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from mypref_harness import resources
from mypref_harness.errors import ConfigError
from mypref_harness.spec.operations import Operation, iter_operations
from mypref_harness.spec.paths import base_path

_URL_TIMEOUT_SECONDS = 15.0

try:  # libyaml is ~7x faster on the 350 KB v4 spec; pure Python is the fallback.
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader


@dataclass
class LoadedSpec:
    source: str
    document: dict[str, Any]
    version: str  # "2.0", "3.0.3", "3.1.0", ...
    operations: list[Operation] = field(default_factory=list)

    @property
    def is_swagger2(self) -> bool:
        return self.version.startswith("2.")

    @property
    def title(self) -> str:
        return str(self.document.get("info", {}).get("title", ""))

    @property
    def base_path(self) -> str:
        """Path prefix of the API ("/Profiles/v4"): basePath (2.0) or the first server's path (3.x)."""
        return base_path(self.document)

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def raw_operation(self, op: Operation) -> dict[str, Any]:
        """The operation object of the document (for callers that need parameters or responses)."""
        return dict(self.document["paths"][op.path][op.method.lower()])


def _is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def _read_source(source: str | Path) -> tuple[str, str]:
    """Return (display name, text) of a spec given as a path, a file:// URL or an http(s) URL."""
    text_source = str(source)
    if isinstance(source, str) and _is_url(source):
        return text_source, _fetch(source)
    if isinstance(source, str) and source.startswith("file://"):
        source = urlparse(source).path
    path = Path(source).expanduser()
    if not path.exists():
        raise ConfigError(f"spec not found: {path}")
    if path.is_dir():
        raise ConfigError(f"spec is a directory, not a file: {path}")
    try:
        return text_source, path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"spec {path} is not a text file (not UTF-8)") from None
    except OSError as exc:
        raise ConfigError(f"cannot read spec {path}: {exc.strerror or exc}") from None


def _fetch(url: str) -> str:
    import httpx  # imported lazily: loading a local spec should not pay for it

    try:
        response = httpx.get(url, timeout=_URL_TIMEOUT_SECONDS, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise ConfigError(f"cannot fetch spec {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise ConfigError(f"cannot fetch spec {url}: HTTP {response.status_code}")
    return response.text


def _parse(name: str, text: str) -> Any:
    if not text.strip():
        raise ConfigError(f"spec {name} is empty")
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"spec {name} is not valid JSON: line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader (CSafeLoader/SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"spec {name} is not valid YAML or JSON: {where}{problem}") from None


def read_document(source: str | Path) -> dict[str, Any]:
    """The parsed document of a spec (path or URL), neither version-checked nor validated: for a
    caller that builds its own structures from a file it trusts (the sandbox's route table)."""
    name, text = _read_source(source)
    document = _parse(name, text)
    if not isinstance(document, Mapping):
        raise ConfigError(f"spec {name} is not an OpenAPI/Swagger document ({_found(document)})")
    return dict(document)


def local_copy(source: str, folder: Path) -> str:
    """A URL spec fetched once and saved in ``folder`` (the run's report folder); a local one unchanged.

    Every component of a run (the contract run, Schemathesis, the load suite, the reports) then reads
    the same bytes, and the report says which file was tested. The fetched text must be an
    OpenAPI/Swagger document (ConfigError, exit 2, naming what was found otherwise).
    """
    if not _is_url(source):
        return source
    name, text = _read_source(source)
    _version_of(name, _parse(name, text))
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / ("spec-source.json" if text.lstrip().startswith("{") else "spec-source.yaml")
    saved.write_text(text, encoding="utf-8")
    return str(saved.resolve())


def _found(document: Any) -> str:
    """What a file that is not a spec holds instead, in a few words (for the one-line error)."""
    if isinstance(document, Mapping):
        keys = [str(key) for key in list(document)[:6]]
        more = ", ..." if len(document) > 6 else ""
        return f"no 'openapi' or 'swagger' key; top-level keys: {', '.join(keys) or 'none'}{more}"
    kind = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    shown = repr(document)[:40] + ("..." if len(repr(document)) > 40 else "")
    return f"top level is not a mapping but {kind.get(type(document), type(document).__name__)}: {shown}"


def _version_of(name: str, document: Any) -> str:
    if not isinstance(document, Mapping):
        raise ConfigError(f"spec {name} is not an OpenAPI/Swagger document ({_found(document)})")
    if "swagger" in document:
        version = str(document["swagger"])
        if version != "2.0":
            raise ConfigError(f"spec {name}: unsupported Swagger version {version!r} (2.0 expected)")
        return version
    if "openapi" in document:
        version = str(document["openapi"])
        if not version.startswith(("3.0.", "3.1.")):
            raise ConfigError(
                f"spec {name}: unsupported OpenAPI version {version!r} (3.0.x or 3.1.x expected)"
            )
        return version
    raise ConfigError(f"spec {name} is not an OpenAPI/Swagger document ({_found(document)})")


def _validate(name: str, document: Mapping[str, Any]) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)  # picks the 2.0 / 3.0 / 3.1 validator from the version key
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in getattr(exc, "absolute_path", ()) or ())
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        if len(message) > 200:
            message = message[:200] + "..."
        raise ConfigError(
            f"spec {name} is invalid: {message}" + (f" (at {where})" if where else "")
        ) from None
    except Exception as exc:  # e.g. unresolvable $ref: report it in one line as well
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"spec {name} is invalid: {first[:200]}") from None


# Validation costs ~0.5 s on the v4 spec and several components load it; a local file that already
# validated is not validated again while its size and mtime are unchanged.
_VALIDATED_FILES: set[tuple[str, int, int]] = set()


def _file_key(source: str | Path) -> tuple[str, int, int] | None:
    if isinstance(source, str) and urlparse(source).scheme not in ("", "file"):
        return None
    path = Path(urlparse(source).path if isinstance(source, str) and source.startswith("file://") else source)
    try:
        stat = path.expanduser().resolve().stat()
    except OSError:
        return None
    return (str(path.expanduser().resolve()), stat.st_size, stat.st_mtime_ns)


def load_spec(source: str | Path | None = None, *, validate: bool = True) -> LoadedSpec:
    """Load and (by default) validate a spec. ``None`` means the repository's v4 spec."""
    source = resources.spec_file() if source is None else source
    key = _file_key(source)
    name, text = _read_source(source)
    document = _parse(name, text)
    version = _version_of(name, document)
    if validate and (key is None or key not in _VALIDATED_FILES):
        _validate(name, document)
        if key is not None:
            _VALIDATED_FILES.add(key)
    return LoadedSpec(
        source=name, document=dict(document), version=version, operations=list(iter_operations(document))
    )
