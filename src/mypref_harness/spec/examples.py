"""Examples of a spec (parameters, request bodies, responses) checked against their own schemas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mypref_harness.spec.document import LoadedSpec
from mypref_harness.spec.refs import resolve


@dataclass(frozen=True)
class ExampleProblem:
    where: str  # e.g. "POST /{clientId}/Profile request application/json"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _media_examples(document: Mapping[str, Any], media: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, named in (media.get("examples") or {}).items():
        named = resolve(document, named)
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
            param = resolve(doc, param)
            if "example" in param and "schema" in param:
                check(
                    param["schema"],
                    param["example"],
                    write=True,
                    where=f"{op.label} parameter {param.get('name')}",
                )
        body = resolve(doc, raw.get("requestBody") or {})
        for media_type, media in (body.get("content") or {}).items():
            for label, value in _media_examples(doc, media):
                check(
                    media.get("schema", {}),
                    value,
                    write=True,
                    where=f"{op.label} request {media_type} {label}",
                )
        for status, response in (raw.get("responses") or {}).items():
            response = resolve(doc, response)
            for media_type, media in (response.get("content") or {}).items():
                for label, value in _media_examples(doc, media):
                    check(
                        media.get("schema", {}),
                        value,
                        write=False,
                        where=f"{op.label} {status} {media_type} {label}",
                    )
    return problems
