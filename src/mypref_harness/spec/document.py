"""Load an API description (Swagger 2.0 or OpenAPI 3.x, from a path or a URL) and describe it.

The harness ships a reconstructed spec (contracts/openapi/mypreferences-v4.yaml); a user who has the
official Swagger file brings it with ``--spec``. Every failure to use a spec is a ConfigError with a
one-line reason (not found, not YAML/JSON, not OpenAPI/Swagger, invalid), never a traceback.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from mypref_harness.errors import ConfigError

_REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = _REPO_ROOT / "contracts" / "openapi"
DEFAULT_SPEC_PATH = CONTRACTS_DIR / "mypreferences-v4.yaml"
OAUTH_SPEC_PATH = CONTRACTS_DIR / "mypreferences-oauth.yaml"
SWAGGER2_SPEC_PATH = CONTRACTS_DIR / "mypreferences-v4.swagger2.json"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CONFIDENCE_LEVELS = ("high", "medium", "guess")
UNKNOWN_CONFIDENCE = "unknown"  # operations of a spec without x-route-confidence (e.g. the official file)
UNTAGGED = "(untagged)"
_URL_TIMEOUT_SECONDS = 15.0

try:  # libyaml is ~7x faster on the 350 KB v4 spec; pure Python is the fallback.
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader


@dataclass(frozen=True)
class Operation:
    method: str  # upper case, e.g. "GET"
    path: str  # template as written in the spec, e.g. "/{clientId}/Profile/{profileId}"
    operation_id: str | None
    tags: tuple[str, ...]
    confidence: str  # high | medium | guess | unknown

    @property
    def area(self) -> str:
        return self.tags[0] if self.tags else UNTAGGED

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


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
        if self.is_swagger2:
            return str(self.document.get("basePath", "")).rstrip("/")
        servers = self.document.get("servers") or [{"url": "/"}]
        return urlparse(str(servers[0].get("url", "/"))).path.rstrip("/")

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


def _version_of(name: str, document: Any) -> str:
    if not isinstance(document, Mapping):
        raise ConfigError(f"spec {name} is not an OpenAPI/Swagger document (top level is not a mapping)")
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
    raise ConfigError(f"spec {name} is not an OpenAPI/Swagger document (no 'openapi' or 'swagger' key)")


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


def iter_operations(document: Mapping[str, Any]) -> Iterator[Operation]:
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method, op in item.items():
            if method not in HTTP_METHODS or not isinstance(op, Mapping):
                continue
            confidence = str(op.get("x-route-confidence") or UNKNOWN_CONFIDENCE)
            yield Operation(
                method=method.upper(),
                path=str(path),
                operation_id=op.get("operationId"),
                tags=tuple(str(t) for t in op.get("tags") or ()),
                confidence=confidence,
            )


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
    source = DEFAULT_SPEC_PATH if source is None else source
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


def spec_stats(spec: LoadedSpec) -> dict[str, Any]:
    """Counts of operations by area (first tag), route confidence and HTTP method."""
    ops = spec.operations
    by_confidence = Counter(op.confidence for op in ops)
    ordered_conf = {level: by_confidence[level] for level in CONFIDENCE_LEVELS if by_confidence[level]}
    ordered_conf.update({k: v for k, v in sorted(by_confidence.items()) if k not in ordered_conf})
    method_order = [m.upper() for m in HTTP_METHODS]
    by_method = Counter(op.method for op in ops)
    return {
        "source": spec.source,
        "title": spec.title,
        "version": spec.version,
        "operations": len(ops),
        "by_area": dict(Counter(op.area for op in ops).most_common()),
        "by_confidence": ordered_conf,
        "by_method": {m: by_method[m] for m in method_order if by_method[m]},
    }


@dataclass(frozen=True)
class ExampleProblem:
    where: str  # e.g. "POST /{clientId}/Profile request application/json"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and str(node["$ref"]).startswith("#/"):
        target: Any = document
        for part in str(node["$ref"])[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
        if seen > 20:
            raise ConfigError(f"$ref cycle at {node!r:.80}")
    return node


def _media_examples(document: Mapping[str, Any], media: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, named in (media.get("examples") or {}).items():
        named = _resolve(document, named)
        if isinstance(named, Mapping) and "value" in named:
            yield f"examples/{name}", named["value"]


def example_problems(spec: LoadedSpec) -> list[ExampleProblem]:
    """Examples (parameters, request bodies, responses) that do not validate against their own schema.

    OpenAPI 3.x only: request examples are checked with the *write* rules (no readOnly members),
    response examples with the *read* rules, both honouring `nullable`. Swagger 2.0 -> [] (not checked).
    """
    if spec.is_swagger2:
        return []
    from openapi_schema_validator import (
        OAS30ReadValidator,
        OAS30WriteValidator,
        OAS31Validator,
    )

    doc = spec.document
    components = doc.get("components", {})
    is_31 = spec.version.startswith("3.1")
    problems: list[ExampleProblem] = []

    def check(schema: Any, value: Any, *, write: bool, where: str) -> None:
        root = {"allOf": [schema], "components": components}  # $ref siblings are ignored, hence allOf
        validator_cls: Any = (
            OAS31Validator if is_31 else (OAS30WriteValidator if write else OAS30ReadValidator)
        )
        for error in validator_cls(root).iter_errors(value):
            at = "/".join(str(p) for p in error.absolute_path)
            problems.append(ExampleProblem(where, error.message[:200] + (f" (at /{at})" if at else "")))

    for op in spec.operations:
        raw = spec.raw_operation(op)
        for param in raw.get("parameters", []):
            param = _resolve(doc, param)
            if "example" in param and "schema" in param:
                check(
                    param["schema"],
                    param["example"],
                    write=True,
                    where=f"{op.label} parameter {param.get('name')}",
                )
        body = _resolve(doc, raw.get("requestBody") or {})
        for media_type, media in (body.get("content") or {}).items():
            for label, value in _media_examples(doc, media):
                check(
                    media.get("schema", {}),
                    value,
                    write=True,
                    where=f"{op.label} request {media_type} {label}",
                )
        for status, response in (raw.get("responses") or {}).items():
            response = _resolve(doc, response)
            for media_type, media in (response.get("content") or {}).items():
                for label, value in _media_examples(doc, media):
                    check(
                        media.get("schema", {}),
                        value,
                        write=False,
                        where=f"{op.label} {status} {media_type} {label}",
                    )
    return problems
