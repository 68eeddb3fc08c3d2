"""Local JSON references (``{"$ref": "#/components/..."}``): the one place that follows them.

Only references inside the same document ("#/...") are followed; any other (a file or a URL) is not
ours to fetch, and the node comes back as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mypref_harness.errors import ConfigError

# A chain of references longer than this is a cycle in practice (real specs chain one or two).
MAX_HOPS = 20


class UnresolvableRef(ConfigError):
    """A local reference that names nothing in the document, or a chain of them that loops."""


def is_local_ref(node: Any) -> bool:
    return isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")


def pointer_target(document: Mapping[str, Any], ref: str) -> Any:
    """The node a local JSON pointer ("#/a/b~1c") names; UnresolvableRef when there is none."""
    target: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, Mapping) or part not in target:
            raise UnresolvableRef(f"$ref {ref!r} names nothing in the document")
        target = target[part]
    return target


def resolve(document: Mapping[str, Any], node: Any, *, stop_at: str | None = None) -> Any:
    """Follow local references from ``node`` until a node that is not one (or one under ``stop_at``,
    e.g. "#/components/schemas/" for a caller whose schema compiler resolves those itself).

    UnresolvableRef for a reference that names nothing or a chain that loops.
    """
    hops = 0
    while is_local_ref(node) and not (stop_at and node["$ref"].startswith(stop_at)):
        node = pointer_target(document, node["$ref"])
        hops += 1
        if hops > MAX_HOPS:
            raise UnresolvableRef(f"$ref cycle at {node!r:.80}")
    return node


def resolve_or(document: Mapping[str, Any], node: Any, default: Any, *, stop_at: str | None = None) -> Any:
    """``resolve``, or ``default`` when the reference cannot be resolved (for code that must not fail on
    a spec a user brought: a check that finds no declaration, a router that finds no parameter)."""
    try:
        return resolve(document, node, stop_at=stop_at)
    except UnresolvableRef:
        return default


def resolve_if_possible(document: Mapping[str, Any], node: Any) -> Any:
    """``resolve``, or ``node`` unchanged when its reference cannot be followed: a lenient reader of a
    spec a user brought sees such a node as one without the members it looks for."""
    return resolve_or(document, node, node)
