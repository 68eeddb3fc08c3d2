"""Programs, program groups and filters (read-only configuration of the Experience API).

``locale`` keeps only the filters' text tags of that locale. IncludeMatching / IncludeAll take free-form
custom-property criteria as query parameters: ``key=value`` must match (case-insensitive), several criteria
are ANDed; an empty value is a 400 (the spec gives the values minLength 1). IncludeMatching keeps only
children that match too; IncludeAll keeps all children of a matching parent.
"""

from __future__ import annotations

from typing import Any

from mypref_harness.sandbox.operations.base import HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.store import Tx

PROGRAM = "program"
PROGRAM_GROUP = "programgroup"
FILTER = "filter"
PROGRAM_TYPES = {1: "Transactional", 2: "Marketing", 3: "Informational", 4: "Consent", 5: "Do Not Contact"}
_RESERVED_QUERY = {"locale", "customproperties"}


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def criteria(req: OpRequest) -> list[tuple[str, str | None]]:
    """Free-form ``key=value`` custom-property criteria from the query string (locale excluded)."""
    out: list[tuple[str, str | None]] = []
    for key, value in req.raw_query:
        if key.lower() in _RESERVED_QUERY:
            continue
        if value == "":
            # The spec's customProperties values have minLength 1 (a bare key cannot be told from `key=`).
            raise HttpError(400, f"Custom property '{key[:60]}' needs a value.")
        out.append((key.lower(), value.lower()))
    return out


def matches(node: dict[str, Any], wanted: list[tuple[str, str | None]]) -> bool:
    props = {
        str(p.get("Key", "")).lower(): str(p.get("Value") or "").lower()
        for p in node.get("CustomProperties") or []
    }
    return all(k in props and (v is None or props[k] == v) for k, v in wanted)


def _filter_view(doc: dict[str, Any], locale: str | None) -> dict[str, Any]:
    out = public(doc)
    if locale:
        out["TextTags"] = [
            t for t in out.get("TextTags") or [] if str(t.get("Locale", "")).lower() == locale.lower()
        ]
    return out


def program_view(
    tx: Tx,
    req: OpRequest,
    program: dict[str, Any],
    wanted: list[tuple[str, str | None]] | None,
    filters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    out = public(program)
    all_filters = filters if filters is not None else tx.all(req.tenant, FILTER)
    mine = [f for f in all_filters if f.get("_ProgramId") == program["ProgramId"]]
    if wanted:
        mine = [f for f in mine if matches(f, wanted)]
    out["Filters"] = [_filter_view(f, req.query_param("locale")) for f in mine]
    return out


def _programs(req: OpRequest, select: Any, only_matching: bool | None = None) -> Reply:
    with req.store.read() as tx:
        filters = tx.all(req.tenant, FILTER)
        programs = [p for p in tx.all(req.tenant, PROGRAM) if select(p)]
        wanted = criteria(req) if only_matching is not None else []
        if wanted:
            programs = [p for p in programs if matches(p, wanted)]
        child_wanted = wanted if only_matching else None
        return Reply(200, {"Programs": [program_view(tx, req, p, child_wanted, filters) for p in programs]})


@operation("GET", "/{clientId}/Programs", "getPrograms")
def get_programs(req: OpRequest) -> Reply:
    return _programs(req, lambda p: True)


@operation("GET", "/{clientId}/Programs/IncludeMatching", "getProgramsIncludeMatching")
def programs_matching(req: OpRequest) -> Reply:
    return _programs(req, lambda p: True, only_matching=True)


@operation("GET", "/{clientId}/Programs/IncludeAll", "getProgramsIncludeAll")
def programs_all(req: OpRequest) -> Reply:
    return _programs(req, lambda p: True, only_matching=False)


@operation("GET", "/{clientId}/Programs/{programId}", "getProgram")
def get_program(req: OpRequest) -> Reply:
    program_id = req.path_param("programId")
    reply = _programs(req, lambda p: p["ProgramId"] == program_id)
    if not reply.body["Programs"]:
        raise HttpError(404, f"Program {program_id} was not found.")
    return reply


@operation("GET", "/{clientId}/Programs/{programId}/{programGroupId}", "getProgramByProgramGroup")
def get_program_in_group(req: OpRequest) -> Reply:
    program_id, group_id = req.path_param("programId"), req.path_param("programGroupId")
    reply = _programs(req, lambda p: p["ProgramId"] == program_id and p.get("ProgramGroupId") == group_id)
    if not reply.body["Programs"]:
        raise HttpError(404, f"Program {program_id} was not found in program group {group_id}.")
    return reply


@operation("GET", "/{clientId}/Programs/ProgramTypes/{programTypeId}", "getProgramsByProgramType")
def programs_by_type(req: OpRequest) -> Reply:
    type_id = req.path_param("programTypeId")
    if type_id not in PROGRAM_TYPES:
        raise HttpError(404, f"Program type {type_id} was not found.")
    return _programs(req, lambda p: p.get("ProgramTypeId") == type_id)


def _groups(req: OpRequest, select: Any, only_matching: bool | None = None) -> Reply:
    with req.store.read() as tx:
        filters = tx.all(req.tenant, FILTER)
        programs = tx.all(req.tenant, PROGRAM)
        groups = [g for g in tx.all(req.tenant, PROGRAM_GROUP) if select(g)]
        wanted = criteria(req) if only_matching is not None else []
        if wanted:
            groups = [g for g in groups if matches(g, wanted)]
        out = []
        for group in groups:
            view = public(group)
            members = [p for p in programs if p.get("ProgramGroupId") == group["ProgramGroupId"]]
            if only_matching and wanted:
                members = [p for p in members if matches(p, wanted)]
            view["Programs"] = [
                program_view(tx, req, p, wanted if only_matching else None, filters) for p in members
            ]
            out.append(view)
        return Reply(200, {"ProgramGroup": out})


@operation("GET", "/{clientId}/ProgramGroups", "getProgramGroups")
def get_program_groups(req: OpRequest) -> Reply:
    return _groups(req, lambda g: True)


@operation("GET", "/{clientId}/ProgramGroups/IncludeMatching", "getProgramGroupsIncludeMatching")
def groups_matching(req: OpRequest) -> Reply:
    return _groups(req, lambda g: True, only_matching=True)


@operation("GET", "/{clientId}/ProgramGroups/IncludeAll", "getProgramGroupsIncludeAll")
def groups_all(req: OpRequest) -> Reply:
    return _groups(req, lambda g: True, only_matching=False)


@operation("GET", "/{clientId}/ProgramGroups/{programGroupId}", "getProgramGroup")
def get_program_group(req: OpRequest) -> Reply:
    group_id = req.path_param("programGroupId")
    reply = _groups(req, lambda g: g["ProgramGroupId"] == group_id)
    if not reply.body["ProgramGroup"]:
        raise HttpError(404, f"Program group {group_id} was not found.")
    return reply


@operation("GET", "/{clientId}/Filters/{filterId}", "getFilter")
def get_filter(req: OpRequest) -> Reply:
    filter_id = str(req.path_param("filterId"))
    with req.store.read() as tx:
        doc = tx.get(req.tenant, FILTER, filter_id) or next(
            (f for f in tx.all(req.tenant, FILTER) if f["FilterId"].lower() == filter_id.lower()), None
        )
    if doc is None:
        raise HttpError(404, f"Filter '{filter_id[:50]}' was not found.")
    return Reply(200, {"Filters": [_filter_view(doc, req.query_param("locale"))]})
