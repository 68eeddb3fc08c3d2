"""``spec diff OLD NEW``: the changes between two versions of an API, breaking or not.

Classified the way oasdiff and openapi-diff do it, from a client's side: an operation or a response
status that went, a new required parameter or body field, a request that accepts less (a type
changed, an enum value removed, a new maxLength or pattern), a response field that went, a security
scheme that changed, a path that changed (a rename: the old route is gone) break a client; the
opposite changes do not. Swagger 2.0 and OpenAPI 3.x in any mix (a 2.0 file diffed against its 3.x
rendition shows no change). No library did this for both generations (see docs/spec.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness.spec.document import load_spec
from mypref_harness.spec.schema_diff import Direction, Memo, compare_schemas
from mypref_harness.spec.surface import Body, Surface, security_schemes, surfaces

FORMATS = ("table", "md", "json")
GLOBAL = "(whole API)"  # the "operation" of a change that is not one operation's (a security scheme)


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "operation-removed", "request-parameter-added-required", "response-type-changed"
    breaking: bool
    operation: str  # "METHOD /path" (the new spec's, the old one's for a removed operation) or GLOBAL
    where: str  # "parameter query Name", "request body/Email", "response 200/Profile[]", ""
    message: str

    @property
    def severity(self) -> str:
        return "breaking" if self.breaking else "non-breaking"


@dataclass
class SpecDiff:
    old: str  # where each spec came from, for the report
    new: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def non_breaking(self) -> list[Change]:
        return [c for c in self.changes if not c.breaking]

    def summary(self) -> str:
        return f"{len(self.breaking)} breaking, {len(self.non_breaking)} non-breaking change(s)"


def diff_documents(
    old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], *, old: str = "OLD", new: str = "NEW"
) -> SpecDiff:
    """Every change from ``old_doc`` to ``new_doc`` (parsed documents), breaking ones first."""
    found = _Differ(old_doc, new_doc)
    found.security_schemes()
    found.operations()
    found.collapse_api_wide_security()
    ordered = sorted(found.changes, key=lambda c: (not c.breaking, c.operation, c.where, c.kind))
    return SpecDiff(old, new, ordered)


class _Differ:
    def __init__(self, old_doc: Mapping[str, Any], new_doc: Mapping[str, Any]) -> None:
        self.old_doc, self.new_doc = old_doc, new_doc
        self.changes: list[Change] = []
        self._schemas_compared: Memo = {}
        self._compared_operations = 0  # operations present in both versions

    def add(self, kind: str, breaking: bool, operation: str, where: str, message: str) -> None:
        self.changes.append(Change(kind, breaking, operation, where, message))

    def security_schemes(self) -> None:
        before, after = security_schemes(self.old_doc), security_schemes(self.new_doc)
        for name in sorted(before.keys() - after.keys()):
            self.add("security-scheme-removed", True, GLOBAL, f"security scheme {name}", "removed")
        for name in sorted(after.keys() - before.keys()):
            self.add("security-scheme-added", False, GLOBAL, f"security scheme {name}", "added")
        for name in sorted(before.keys() & after.keys()):
            if before[name] != after[name]:
                self.add(
                    "security-scheme-changed",
                    True,
                    GLOBAL,
                    f"security scheme {name}",
                    f"{_compact(before[name])} -> {_compact(after[name])}",
                )

    def operations(self) -> None:
        before = {s.route_key: s for s in surfaces(self.old_doc)}
        after = {s.route_key: s for s in surfaces(self.new_doc)}
        removed = [before[k] for k in before if k not in after]
        added = {k: after[k] for k in after if k not in before}
        for key in before.keys() & after.keys():
            self._compared_operations += 1
            self.operation(before[key], after[key])
        # A route that went while one with its operationId and method came: the path changed.
        added_by_id = {(s.method, s.operation_id): s for s in added.values() if s.operation_id}
        for old in removed:
            moved = added_by_id.pop((old.method, old.operation_id), None) if old.operation_id else None
            if moved is None:
                self.add("operation-removed", True, old.label, "", f"{old.full_path} removed")
                continue
            added.pop(moved.route_key)
            self.add(
                "path-changed",
                True,
                moved.label,
                "",
                f"{old.method} {old.full_path} -> {moved.method} {moved.full_path}",
            )
            self.operation(old, moved)
        for new in added.values():
            self.add("operation-added", False, new.label, "", f"{new.full_path} added")

    def operation(self, old: Surface, new: Surface) -> None:
        if new.deprecated != old.deprecated:  # a notice (oasdiff: info), still served either way
            kind = "operation-deprecated" if new.deprecated else "operation-undeprecated"
            self.add(kind, False, new.label, "", kind.replace("-", " "))
        self.parameters(old, new)
        self.request_body(old, new)
        self.responses(old, new)
        self.security(old, new)

    def parameters(self, old: Surface, new: Surface) -> None:
        for key in old.parameters.keys() - new.parameters.keys():
            name = old.parameters[key].get("name")
            self.add("request-parameter-removed", False, new.label, f"parameter {key[0]} {name}", "removed")
        for key in new.parameters.keys() - old.parameters.keys():
            parameter = new.parameters[key]
            required = bool(parameter.get("required"))
            kind = "request-parameter-added-required" if required else "request-parameter-added"
            self.add(
                kind,
                required,
                new.label,
                f"parameter {key[0]} {parameter.get('name')}",
                "new required parameter" if required else "new optional parameter",
            )
        for key in old.parameters.keys() & new.parameters.keys():
            before, after = old.parameters[key], new.parameters[key]
            where = f"parameter {key[0]} {after.get('name')}"
            if bool(before.get("required")) != bool(after.get("required")):
                now = bool(after.get("required"))
                self.add(
                    f"request-parameter-became-{'required' if now else 'optional'}",
                    now,
                    new.label,
                    where,
                    "became required" if now else "became optional",
                )
            self.schemas(
                "request-parameter", new.label, where, before.get("schema"), after.get("schema"), "request"
            )

    def request_body(self, old: Surface, new: Surface) -> None:
        before, after = old.request_body, new.request_body
        if before is None and after is None:
            return
        if after is None:
            self.add("request-body-removed", False, new.label, "request body", "removed")
            return
        if before is None:
            self.add(
                "request-body-added",
                after.required,
                new.label,
                "request body",
                "new required body" if after.required else "new optional body",
            )
            return
        if after.required and not before.required:
            self.add("request-body-became-required", True, new.label, "request body", "became required")
        self.media_types("request-body", new.label, "request body", before, after)
        self.schemas("request-body", new.label, "request body", before.schema, after.schema, "request")

    def responses(self, old: Surface, new: Surface) -> None:
        for status in sorted(old.responses.keys() - new.responses.keys()):
            self.add("response-status-removed", True, new.label, f"response {status}", "removed")
        for status in sorted(new.responses.keys() - old.responses.keys()):
            self.add("response-status-added", False, new.label, f"response {status}", "added")
        for status in sorted(old.responses.keys() & new.responses.keys()):
            self.response_body(new.label, status, old.responses[status], new.responses[status])

    def response_body(self, label: str, status: str, before: Body, after: Body) -> None:
        where = f"response {status}"
        for header in sorted(before.headers - after.headers):  # a client that reads it finds nothing
            self.add("response-header-removed", True, label, f"{where} header {header}", "removed")
        for header in sorted(after.headers - before.headers):
            self.add("response-header-added", False, label, f"{where} header {header}", "added")
        if before.schema is None and after.schema is None:
            return
        if after.schema is None:
            self.add("response-body-removed", True, label, where, "body schema removed")
        elif before.schema is None:
            self.add("response-body-added", False, label, where, "body schema added")
        else:
            self.schemas("response", label, where, before.schema, after.schema, "response")
        self.media_types("response", label, where, before, after)

    def media_types(self, prefix: str, label: str, where: str, before: Body, after: Body) -> None:
        """A media type that went breaks whoever sends or asks for it; one that came breaks nobody. A
        body that names none (a Swagger 2.0 file without consumes/produces) is not compared."""
        if not before.media_types or not after.media_types:
            return
        for media in sorted(before.media_types - after.media_types):
            self.add(
                f"{prefix}-media-type-removed",
                True,
                label,
                where,
                f"{media} no longer accepted"
                if prefix.startswith("request")
                else f"{media} no longer answered",
            )
        for media in sorted(after.media_types - before.media_types):
            self.add(f"{prefix}-media-type-added", False, label, where, f"{media} added")

    def schemas(self, prefix: str, label: str, where: str, old: Any, new: Any, direction: Direction) -> None:
        for change in compare_schemas(
            self.old_doc, old, self.new_doc, new, direction, self._schemas_compared
        ):
            self.add(f"{prefix}-{change.kind}", change.breaking, label, where + change.where, change.message)

    def collapse_api_wide_security(self) -> None:
        """One change instead of one per operation when every operation changed its security alike.

        A file without the PNAUTHINFO3 scheme (Swashbuckle writes no custom scheme) compared with ours
        gave 111 breaking changes: the scheme, then its requirement on each of the 110 operations.
        """
        groups: dict[tuple[str, bool, str], list[Change]] = {}
        for change in self.changes:
            if change.kind.startswith("security-requirement-"):
                groups.setdefault((change.kind, change.breaking, change.message), []).append(change)
        for (kind, breaking, message), changes in groups.items():
            if len(changes) < 2 or len(changes) != self._compared_operations:
                continue
            self.changes = [c for c in self.changes if c not in changes]
            self.add(kind, breaking, GLOBAL, "security", f"{message} (on all {len(changes)} operations)")

    def security(self, old: Surface, new: Surface) -> None:
        if old.security == new.security:
            return
        for alternative in sorted(old.security - new.security, key=sorted):
            # A client that authenticates this way is refused now, unless the operation needs none at all.
            self.add(
                "security-requirement-removed",
                bool(new.security),
                new.label,
                "security",
                f"{' + '.join(sorted(alternative)) or 'none'} no longer accepted",
            )
        for alternative in sorted(new.security - old.security, key=sorted):
            self.add(
                "security-requirement-added",
                not old.security,
                new.label,
                "security",
                f"{' + '.join(sorted(alternative)) or 'none'} accepted",
            )


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# --- reports -----------------------------------------------------------------------------------------

_COLUMNS = ("severity", "operation", "where", "change")


def _rows(changes: Iterable[Change]) -> list[tuple[str, str, str, str]]:
    return [(c.severity, c.operation, c.where or "-", f"{c.kind}: {c.message}") for c in changes]


def render_table(result: SpecDiff) -> str:
    """Aligned plain-text columns for a terminal."""
    rows = _rows(result.changes)
    if not rows:
        return f"{result.old} -> {result.new}: no change\n"
    widths = [max(len(r[i]) for r in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [_COLUMNS, *rows]
    ]
    return "\n".join([*lines, "", f"{result.old} -> {result.new}: {result.summary()}"]) + "\n"


def render_markdown(result: SpecDiff) -> str:
    lines = [f"# Spec diff: {result.summary()}", "", f"`{result.old}` -> `{result.new}`", ""]
    if not result.changes:
        return "\n".join([*lines, "No change."]) + "\n"
    lines += ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(result.changes)
    ]
    return "\n".join(lines) + "\n"


def render_json(result: SpecDiff) -> str:
    return (
        json.dumps(
            {
                "old": result.old,
                "new": result.new,
                "breaking": len(result.breaking),
                "non_breaking": len(result.non_breaking),
                "changes": [{**asdict(c), "severity": c.severity} for c in result.changes],
            },
            indent=2,
        )
        + "\n"
    )


def render(result: SpecDiff, fmt: str) -> str:
    """The diff in one of FORMATS."""
    renderers = {"table": render_table, "md": render_markdown, "json": render_json}
    return renderers[fmt](result)


def diff_specs(old: str | Path, new: str | Path) -> SpecDiff:
    """Load two specs (paths or URLs; a file that is not OpenAPI/Swagger is a ConfigError) and diff them.

    Not validated against the OpenAPI schema (0.5 s a file): a diff reads only what it compares and
    a member of an unexpected shape counts as absent."""
    before, after = load_spec(old, validate=False), load_spec(new, validate=False)
    return diff_documents(before.document, after.document, old=before.source, new=after.source)
