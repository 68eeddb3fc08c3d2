"""The per-run Schemathesis configuration: contracts/schemathesis.toml + this run's settings.

The merged file is written into the report directory and is safe to keep: it holds URLs, the pinned
ClientId and switches, never a secret (secrets go to the subprocess through its environment).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mypref_harness.contract.budget_plan import STATEFUL_MAX_EXAMPLES, BudgetPlan
from mypref_harness.errors import ConfigError
from mypref_harness.spec.operations import OperationObject, operation_objects, takes_request_body
from mypref_harness.spec.params import is_client_id_param
from mypref_harness.spec.refs import resolve_if_possible

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def load_base_config(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --- a small TOML writer (the stdlib only reads TOML) ------------------------------------------


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_toml(data: Mapping[str, Any]) -> str:
    lines: list[str] = []

    def table(prefix: list[str], mapping: Mapping[str, Any]) -> None:
        scalars = [(k, v) for k, v in mapping.items() if not isinstance(v, Mapping)]
        tables = [(k, v) for k, v in mapping.items() if isinstance(v, Mapping)]
        if prefix and (scalars or not tables):
            lines.append("")
            lines.append("[" + ".".join(_key(p) for p in prefix) + "]")
        for k, v in scalars:
            lines.append(f"{_key(k)} = {_value(v)}")
        for k, v in tables:
            table([*prefix, k], v)

    table([], data)
    return "\n".join(lines).lstrip("\n") + "\n"


# --- what the spec tells us ------------------------------------------------------------------------


def client_id_parameter_names(document: Mapping[str, Any], configured: str | None = None) -> list[str]:
    """Names of path parameters that carry the MyPreferences ClientId, as spelled in the spec
    (``configured``: mypref.toml's client_id_param, else found by name; spec/params.py)."""
    names: set[str] = set()

    def visit(params: Any) -> None:
        for p in params if isinstance(params, list) else []:
            p = resolve_if_possible(document, p)
            if (
                isinstance(p, Mapping)
                and p.get("in") == "path"
                and is_client_id_param(str(p.get("name", "")), configured)
            ):
                names.add(str(p["name"]))

    components = document.get("components") or {}
    for p in (components.get("parameters") or {}).values() if isinstance(components, Mapping) else []:
        visit([p])
    for p in (
        (document.get("parameters") or {}).values() if isinstance(document.get("parameters"), Mapping) else []
    ):
        visit([p])  # Swagger 2.0 global parameters
    for found in operation_objects(document):
        visit(found.item.get("parameters"))
        visit(found.raw.get("parameters"))
    return sorted(names)


# A valid request that conflicts with the resource's state: the overview documents 402 ("The parameters
# were valid but the request failed"), the catalog lists 400 for these routes, our spec adds 409 as an
# assumption. On a configured target any of the three is an acceptable answer to positive data.
STATE_CONFLICT_STATUSES = (400, 402, 409)


_WRITES = frozenset({"post", "put", "patch", "delete"})


def can_conflict(path: str, method: str, op: Mapping[str, Any]) -> bool:
    """A valid request that can fail on the state of a resource: the operation declares 402 or 409, or
    it writes to an existing resource (a path parameter other than the ClientId: e.g. an inactive
    profile, which the catalog answers with 400 on routes that declare no conflict at all)."""
    responses = op.get("responses")
    if isinstance(responses, Mapping) and {"402", "409"} & {str(k) for k in responses}:
        return True
    names = re.findall(r"\{([^}]+)\}", path)
    return method in _WRITES and any(not is_client_id_param(n) for n in names)


def _selector(found: OperationObject) -> dict[str, str]:
    """The Schemathesis operation filter that selects exactly ``found``."""
    if found.operation_id:
        return {"include-operation-id": found.operation_id}
    return {"include-name": found.label}


def state_conflict_operations(document: Mapping[str, Any]) -> list[dict[str, str]]:
    """Schemathesis operation filters for the operations whose valid requests can meet a state conflict."""
    return [
        _selector(found)
        for found in operation_objects(document)
        if can_conflict(found.path, found.method, found.raw)
    ]


def body_resource_overrides(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``ensure_resource_availability`` off for the operations that take a request body.

    The check reads a 404 to a request that followed a link from a create (every path, query and header
    parameter from the link) as "the resource just created is gone". It does not look at the body, which
    Schemathesis generates, and a body names other resources: a preference's FilterId, a type name. The
    overview: "A 404 - Resource Not Found status code is returned when you access a URL or a resource that
    is invalid or currently unavailable."; the catalog: 404 for "a type named in body". So the 404 of an
    update that names an unknown filter is documented behaviour, and the check called it a lost profile
    (seed-dependent, on a clean target). Reads, deletes and histories keep the check.
    """
    return [
        {**_selector(found), "checks": {"ensure_resource_availability": {"enabled": False}}}
        for found in operation_objects(document)
        if takes_request_body(document, found)
    ]


def state_conflict_overrides(base: Mapping[str, Any], document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-operation ``positive_data_acceptance`` statuses adding 400/402/409 (configured targets)."""
    configured = ((base.get("checks") or {}).get("positive_data_acceptance") or {}).get("expected-statuses")
    statuses = sorted({*(int(s) for s in configured or (200, 201, 202, 204)), *STATE_CONFLICT_STATUSES})
    return [
        {**selector, "checks": {"positive_data_acceptance": {"expected-statuses": statuses}}}
        for selector in state_conflict_operations(document)
    ]


def run_config(
    base: Mapping[str, Any],
    *,
    hooks_path: Path,
    base_url: str,
    client_id: str,
    client_id_params: Iterable[str],
    max_examples: int | None,
    seed: int | None,
    phases: Iterable[str],
    local_target: bool,
    rate_limit: str | None,
    workers: int,
    max_failures: int | None = None,
    operations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Merge the static config with this run's settings (see module docstring)."""
    wanted = set(phases)
    extra: dict[str, Any] = {
        "hooks": str(hooks_path),
        "base-url": base_url,
        "workers": workers,
        "parameters": {f"path.{name}": client_id for name in client_id_params},
        "phases": {
            name: {"enabled": name in wanted} for name in ("examples", "coverage", "fuzzing", "stateful")
        },
    }
    if seed is not None:
        extra["seed"] = seed
    if max_examples is not None:
        extra["generation"] = {"max-examples": max_examples}
    if max_failures is not None:
        extra["max-failures"] = max_failures
    if not local_target:
        # Against someone else's server: no undeclared methods, and a polite request rate.
        extra["phases"]["coverage"]["unexpected-methods"] = []
        extra.setdefault("checks", {})["unsupported_method"] = {"enabled": False}
    if rate_limit:
        extra["rate-limit"] = rate_limit
    if operations:
        extra["operations"] = operations
    return deep_merge(base, extra)


def budgeted_config(config: Mapping[str, Any], plan: BudgetPlan) -> dict[str, Any]:
    """``config`` limited by a budget plan (contract/budget_plan.py) with Schemathesis's own controls.

    Fuzzing: ``max-examples`` per operation (the plan's, at most the configured value), the most common
    value for all and one ``[[operations]]`` entry per other value (few entries: Schemathesis matches
    every entry whenever it looks up an operation's settings); an operation given 0 is not fuzzed; no
    shrinking (each shrink step is another request). The stateful phase runs only when the plan leaves
    room for it, with at most budget_plan.STATEFUL_MAX_EXAMPLES sequences.
    """
    configured = int(((config.get("generation") or {}).get("max-examples")) or 20)
    phases = config.get("phases") or {}
    fuzzing_on = bool((phases.get("fuzzing") or {}).get("enabled", True))
    stateful_on = bool((phases.get("stateful") or {}).get("enabled", True))
    groups = _labels_by_examples(plan, configured)
    fuzzed = [n for n in groups if n > 0]
    common = max(fuzzed, key=lambda n: (len(groups[n]), n)) if fuzzed else 0
    extra: dict[str, Any] = {
        "generation": {"max-examples": max(1, common), "no-shrink": True},
        "phases": {
            "fuzzing": {"enabled": fuzzing_on and bool(fuzzed)},
            "stateful": {
                "enabled": stateful_on and plan.stateful,
                "generation": {"max-examples": min(configured, STATEFUL_MAX_EXAMPLES)},
            },
        },
    }
    out = deep_merge(config, extra)
    per_group = [
        {
            "include-name-regex": "^(?:" + "|".join(re.escape(label) for label in labels) + ")$",
            **_fuzzing_limit(n),
        }
        for n, labels in sorted(groups.items())
        if n != common
    ]
    if per_group:
        out["operations"] = list(out.get("operations") or []) + per_group
    return out


def _labels_by_examples(plan: BudgetPlan, configured: int) -> dict[int, list[str]]:
    """Operation labels grouped by their fuzzing ``max-examples`` (the plan's default when it names none)."""
    groups: dict[int, list[str]] = {}
    for label, n in sorted(plan.fuzzing_per_operation.items()):
        groups.setdefault(min(configured, n), []).append(label)
    if not groups and plan.fuzzing_default > 0:
        groups[min(configured, plan.fuzzing_default)] = []
    return groups


def _fuzzing_limit(examples: int) -> dict[str, Any]:
    if examples <= 0:
        return {"phases": {"fuzzing": {"enabled": False}}}
    return {"generation": {"max-examples": examples}}
