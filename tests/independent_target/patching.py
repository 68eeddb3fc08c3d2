"""RFC 6902 JSON Patch, the subset the catalog lists: add, replace, remove, test (move/copy -> 400)."""

from __future__ import annotations

import copy
from typing import Any


class PatchError(Exception):
    """A patch that cannot be applied (bad path, unsupported op): a 400."""


class PatchTestFailed(Exception):
    """A ``test`` operation did not match: the request is valid but conflicts with the state.

    (A path that names no member is a 400, as the catalog lists for updates: "400 Bad request (bad
    op/path)".)
    """


def _tokens(pointer: str) -> list[str]:
    if not pointer.startswith("/"):
        raise PatchError(f"'{pointer}' is not a JSON Pointer.")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(doc: Any, tokens: list[str]) -> Any:
    node = doc
    for token in tokens[:-1]:
        node = _child(node, token)
    return node


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict) and token in node:
        return node[token]
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    raise PatchError(f"The path segment '{token}' does not exist.")


def _apply_one(doc: Any, op: dict[str, Any]) -> None:
    tokens = _tokens(op["path"])
    parent, last = _parent(doc, tokens), tokens[-1]
    kind = op["op"]
    if kind == "test":
        if _child(parent, last) != op.get("value"):
            raise PatchTestFailed(f"The test at {op['path']} failed.")
    elif kind in ("add", "replace"):
        if isinstance(parent, dict):
            if kind == "replace" and last not in parent:
                raise PatchError(f"The member '{last}' does not exist.")
            parent[last] = copy.deepcopy(op.get("value"))
        elif isinstance(parent, list):
            if last == "-" and kind == "add":
                parent.append(copy.deepcopy(op.get("value")))
            elif last.isdigit() and int(last) <= len(parent) - (kind == "replace"):
                if kind == "add":
                    parent.insert(int(last), copy.deepcopy(op.get("value")))
                else:
                    parent[int(last)] = copy.deepcopy(op.get("value"))
            else:
                raise PatchError(f"The index '{last}' is out of range.")
        else:
            raise PatchError("The path does not name a member.")
    elif kind == "remove":
        _child(parent, last)
        if isinstance(parent, dict):
            del parent[last]
        else:
            del parent[int(last)]
    else:
        raise PatchError(f"The operation '{kind}' is not supported.")


def apply(document: dict[str, Any], patch: list[dict[str, Any]]) -> dict[str, Any]:
    """A patched copy of ``document`` (the original is untouched when any operation fails)."""
    doc = copy.deepcopy(document)
    for op in patch:
        _apply_one(doc, op)
    return doc
