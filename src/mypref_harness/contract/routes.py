"""Guessed routes must prove themselves: which operations of the spec exist on the target.

Most routes of our reconstructed spec are guesses (``x-route-confidence``). A route the target does not
serve answers 404 to everything, and every operation declares 404, so no Schemathesis check notices.
This module turns the answers to *positive* requests into a route table:

- ``confirmed``: some positive request got an answer only a served route gives (2xx, 400, 402, 403,
  409, 415, 422, ...; not 401, which an authentication layer may send before routing, not 404/405,
  not 429 or a 5xx);
- ``not_found``: every positive request got 404 and at least one of those 404s *decides* it (below);
- ``undecided``: every positive request got 404, but none of them decides it;
- ``not_exercised``: no positive request reached the operation.

Which 404s decide. The vendor document says an unknown resource is also a 404 with no body, so a GET
of a random id looks exactly like a missing route. A 404 decides only when:

1. its body is ASP.NET's routing message ("No HTTP resource was found that matches the request URI"),
   which no application code sends; or
2. the request names no resource: a GET whose only path parameter is the ClientId (pinned to the
   configured, valid one), sent with no query parameter and no body. A list answers 200 (maybe
   empty), so 404 can only mean the route; searches and filtered reads are excluded (a criterion
   or an optional id may find nothing); or
3. the request's ids are known to exist: a read-back scenario's request for a profile it has just
   created (the create answered 200/201 with that ProfileId).

A search (a GET whose required query parameters are all an email address or a last name) and a read
of one profile (a GET whose only id is the ProfileId) are decided by known data: the harness creates
one profile with a unique last name and email address, searches for it and reads it with each such
operation, and deletes it; a 404 then cannot mean "no match" or "no such profile" (rule 3).

A 405 to a positive request decides too: the target serves the path, but not this method (ASP.NET's
"The requested resource does not support http method ..."). When Schemathesis's answers decide nothing
for a GET that can name no resource (only the ClientId in its path, no required query parameter, no
body), the harness sends that GET once itself, bare (rule 2): one request per undecided operation.

Evidence from the Schemathesis subprocess comes from ``RouteRecorder`` (an after_call hook writes
per-operation status counts to ``MYPREF_ROUTE_LOG``); evidence from the scenarios from
``ScenarioRouteRecorder`` (an httpx response hook). Neither sees credentials. The harness's own
deciding requests (the bare GETs, the searches and reads of a profile created for the purpose) are in
contract/route_probes.py; the table's rows (``RouteVerdict``) in contract/route_verdicts.py.
"""

from __future__ import annotations

import atexit
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mypref_harness.basis import route_basis
from mypref_harness.contract.results import CheckRecord, Status
from mypref_harness.contract.route_verdicts import RouteState, RouteVerdict
from mypref_harness.spec.operations import operation_objects, operation_parameters
from mypref_harness.spec.params import is_client_id_param, is_profile_id_param

ENV_ROUTE_LOG = "MYPREF_ROUTE_LOG"
ROUTE_CHECK = "route_exists"
ASPNET_NO_ROUTE = b"No HTTP resource was found"
# Answers that show a route was matched. 401 may come from an authentication layer in front of the
# router, 405 says the path exists but not this method, 404/429/5xx say nothing about the route.
_NOT_ROUTED = frozenset({401, 404, 405, 429})
_NOT_FOUND_STATUSES = frozenset({404, 405})
REASON_NO_ROUTE = "ASP.NET routing message"
REASON_405 = "405: the target serves the path, not this method"
REASON_BARE_GET = "a GET naming no resource (only the configured ClientId, no query, no body)"
REASON_KNOWN_ID = "id of a profile the scenario had just created"
REASON_KNOWN_SEARCH = "a search for, or a read of, a profile created for the purpose"
# Required query parameters a search probe can fill from the profile it creates (lower-case names).
_SEARCH_FIELDS = frozenset({"emailaddress", "lastname"})


# --- evidence ---------------------------------------------------------------------------------


@dataclass
class OperationEvidence:
    """Answers to positive requests of one operation."""

    statuses: dict[int, int] = field(default_factory=dict)
    deciding_404s: int = 0
    reasons: set[str] = field(default_factory=set)

    def add(self, status: int, deciding_reason: str | None = None) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 405:
            deciding_reason = REASON_405
        if status in _NOT_FOUND_STATUSES and deciding_reason:
            self.deciding_404s += 1
            self.reasons.add(deciding_reason)

    def merge(self, other: OperationEvidence) -> None:
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.deciding_404s += other.deciding_404s
        self.reasons |= other.reasons

    def as_json(self) -> dict[str, Any]:
        return {
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "deciding_404s": self.deciding_404s,
            "reasons": sorted(self.reasons),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OperationEvidence:
        statuses = {int(k): int(v) for k, v in (data.get("statuses") or {}).items()}
        return cls(statuses, int(data.get("deciding_404s") or 0), set(data.get("reasons") or ()))


def is_no_route_body(body: bytes) -> bool:
    return ASPNET_NO_ROUTE.lower() in body.lower()


class RouteRecorder:
    """In the Schemathesis subprocess: status counts of positive requests per operation label.

    The harness decides later (it knows the spec); here only the ASP.NET routing message is noted,
    because only the response body shows it. Thread-safe (Schemathesis workers are threads).
    """

    def __init__(self, path: Path, client_id_param: str | None = None) -> None:
        self.path = path
        self.client_id_param = client_id_param  # mypref.toml's name of the ClientId parameter, if any
        self.evidence: dict[str, OperationEvidence] = {}
        self._lock = threading.Lock()

    def observe_case(self, case: Any, response: Any) -> None:
        """The after_call hook's entry: a Schemathesis case and its response."""
        self.observe(
            f"{str(case.method).upper()} {case.path}",
            positive=is_positive_case(case),
            names_no_resource=names_no_resource(case, self.client_id_param),
            status=int(response.status_code),
            body=bytes(response.content or b""),
        )

    def observe(
        self, label: str, *, positive: bool, names_no_resource: bool, status: int, body: bytes
    ) -> None:
        if not positive:
            return
        reason = None
        if status == 404 and is_no_route_body(body):
            reason = REASON_NO_ROUTE
        elif status == 404 and names_no_resource:
            reason = REASON_BARE_GET
        with self._lock:
            self.evidence.setdefault(label, OperationEvidence()).add(status, reason)

    def flush(self) -> None:
        with self._lock:
            data = {label: ev.as_json() for label, ev in self.evidence.items()}
        self.path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def from_env(cls, env: Mapping[str, str], client_id_param: str | None = None) -> RouteRecorder | None:
        raw = env.get(ENV_ROUTE_LOG, "").strip()
        if not raw:
            return None
        recorder = cls(Path(raw), client_id_param)
        atexit.register(recorder.flush)
        return recorder


def is_positive_case(case: Any) -> bool:
    """Schemathesis generated every part of this case from the schema (not negative data)."""
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    return str(getattr(mode, "value", mode)).lower() == "positive"


def names_no_resource(case: Any, client_id_param: str | None = None) -> bool:
    """A GET whose only path parameter is the ClientId, sent without query parameters and body (rule 2)."""
    if str(case.method).upper() != "GET" or case.query or getattr(case, "body", None) not in (None, b"", ""):
        return False
    return all(is_client_id_param(str(name), client_id_param) for name in (case.path_parameters or {}))


def read_route_log(path: Path) -> dict[str, OperationEvidence]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): OperationEvidence.from_json(v) for k, v in data.items() if isinstance(v, Mapping)}


# --- the spec's operations ---------------------------------------------------------------------


@dataclass(frozen=True)
class SpecOperation:
    method: str
    path: str
    operation_id: str | None
    confidence: str
    bare_get: bool = False  # a GET with only the ClientId in its path, no required query, no body
    search_fields: tuple[str, ...] = ()  # required query parameters, when all are in _SEARCH_FIELDS
    profile_read: bool = False  # a GET whose only id is the ProfileId (no required query, no body)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def spec_operations(document: Mapping[str, Any], client_id_param: str | None = None) -> list[SpecOperation]:
    """The spec's operations, classified for the route probes (the ClientId parameter by name, or the
    ``client_id_param`` of mypref.toml)."""
    out: list[SpecOperation] = []
    for found in operation_objects(document):
        item, op, is_get = found.item, found.raw, found.method == "get"
        out.append(
            SpecOperation(
                found.method.upper(),
                found.path,
                found.operation_id,
                str(op.get("x-route-confidence") or ""),
                is_get and _names_no_resource(document, item, op, client_id_param),
                _search_fields(document, item, op, client_id_param) if is_get else (),
                is_get and _reads_one_profile(document, item, op, client_id_param),
            )
        )
    return out


def _names_no_resource(
    document: Mapping[str, Any], item: Mapping[str, Any], op: Mapping[str, Any], client_id_param: str | None
) -> bool:
    params = operation_parameters(document, item, op)
    if "requestBody" in op or any(p.get("in") in ("body", "formData") for p in params):
        return False
    if any(p.get("in") == "query" and p.get("required") for p in params):
        return False
    path_names = [str(p.get("name", "")) for p in params if p.get("in") == "path"]
    return all(is_client_id_param(name, client_id_param) for name in path_names)


def _search_fields(
    document: Mapping[str, Any], item: Mapping[str, Any], op: Mapping[str, Any], client_id_param: str | None
) -> tuple[str, ...]:
    params = operation_parameters(document, item, op)
    paths = [str(p.get("name", "")) for p in params if p.get("in") == "path"]
    required = tuple(str(p.get("name", "")) for p in params if p.get("in") == "query" and p.get("required"))
    if "requestBody" in op or not required or any(not is_client_id_param(n, client_id_param) for n in paths):
        return ()
    return required if all(n.lower() in _SEARCH_FIELDS for n in required) else ()


def _reads_one_profile(
    document: Mapping[str, Any], item: Mapping[str, Any], op: Mapping[str, Any], client_id_param: str | None
) -> bool:
    params = operation_parameters(document, item, op)
    if "requestBody" in op or any(p.get("in") == "query" and p.get("required") for p in params):
        return False
    ids = [str(p.get("name", "")) for p in params if p.get("in") == "path"]
    ids = [n for n in ids if not is_client_id_param(n, client_id_param)]
    return len(ids) == 1 and is_profile_id_param(ids[0])


# --- read-back scenarios as evidence -----------------------------------------------------------


class ScenarioRouteRecorder:
    """An httpx response hook for the scenarios' client: known ids make their 404s decide (rule 3)."""

    def __init__(
        self, document: Mapping[str, Any], base_url: str, client_id_param: str | None = None
    ) -> None:
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.client_id_param = client_id_param
        self.evidence: dict[str, OperationEvidence] = {}
        self.known_ids: set[str] = set()
        self._matchers = _template_matchers(spec_operations(document, client_id_param))

    def __call__(self, response: Any) -> None:
        request = response.request
        path = unquote(urlsplit(str(request.url)).path)
        if not path.startswith(self.base_path):
            return
        match = self._match(str(request.method).upper(), path[len(self.base_path) :])
        if match is None:
            return
        operation, values = match
        status = int(response.status_code)
        ids = [v for name, v in values.items() if not is_client_id_param(name, self.client_id_param)]
        deciding = None
        if status == 404:
            response.read()
            if is_no_route_body(response.content):
                deciding = REASON_NO_ROUTE
            elif ids and all(i in self.known_ids for i in ids) and operation.method != "DELETE":
                deciding = REASON_KNOWN_ID
        self.evidence.setdefault(operation.label, OperationEvidence()).add(status, deciding)
        if operation.method == "POST" and not ids and status in (200, 201):
            self._remember_created(response)

    def _remember_created(self, response: Any) -> None:
        from mypref_harness.created import created_id, location_header

        response.read()
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            body = None
        profile_id = created_id(body, location_header(response.headers))  # body, else Location
        if profile_id is not None:
            self.known_ids.add(str(profile_id))

    def _match(self, method: str, path: str) -> tuple[SpecOperation, dict[str, str]] | None:
        for operation, regex in self._matchers:
            if operation.method != method:
                continue
            found = regex.fullmatch(path)
            if found:
                return operation, found.groupdict()
        return None


def _template_matchers(operations: list[SpecOperation]) -> list[tuple[SpecOperation, re.Pattern[str]]]:
    """Regexes per template, literal-first (``/Profile/Email`` before ``/Profile/{profileId}``)."""

    def regex(template: str) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", template)
        body = "".join(
            f"(?P<{re.sub(r'[^A-Za-z0-9_]', '_', p[1:-1])}>[^/]+)" if p.startswith("{") else re.escape(p)
            for p in parts
        )
        return re.compile(body, re.IGNORECASE)

    ordered = sorted(operations, key=lambda o: (o.path.count("{"), -len(o.path)))
    return [(o, regex(o.path)) for o in ordered]


# --- the table and the findings ----------------------------------------------------------------


def route_table(
    document: Mapping[str, Any], *evidence_sets: Mapping[str, OperationEvidence]
) -> list[RouteVerdict]:
    """One row per operation of the spec, from the merged evidence."""
    merged: dict[str, OperationEvidence] = {}
    for evidence in evidence_sets:
        for label, ev in evidence.items():
            merged.setdefault(label, OperationEvidence()).merge(ev)
    rows = []
    for operation in spec_operations(document):
        rows.append(_verdict(operation, merged.get(operation.label, OperationEvidence())))
    return rows


def _verdict(operation: SpecOperation, ev: OperationEvidence) -> RouteVerdict:
    statuses = {str(k): v for k, v in sorted(ev.statuses.items())}
    total = sum(ev.statuses.values())
    shown = ", ".join(f"{k} x{v}" for k, v in statuses.items())
    routed = sorted(s for s in ev.statuses if s not in _NOT_ROUTED and s < 500)
    if total == 0:
        state, evidence = RouteState.NOT_EXERCISED, "no positive request reached it"
    elif routed:
        state, evidence = RouteState.CONFIRMED, f"{total} positive request(s): {shown}"
    elif set(ev.statuses) <= _NOT_FOUND_STATUSES and ev.deciding_404s:
        state = RouteState.NOT_FOUND
        evidence = (
            f"all {total} positive request(s) answered {shown}; decided by {'; '.join(sorted(ev.reasons))}"
        )
    else:
        state = RouteState.UNDECIDED
        evidence = f"{total} positive request(s): {shown}; no answer decides whether the route exists"
    return RouteVerdict(
        operation.method,
        operation.path,
        operation.operation_id,
        operation.confidence,
        state,
        statuses,
        evidence,
    )


def route_findings(routes: Iterable[RouteVerdict], *, users_spec: bool) -> list[CheckRecord]:
    """A finding per route not found on the target; its basis follows the route's confidence."""
    out = []
    for route in routes:
        if route.state is not RouteState.NOT_FOUND:
            continue
        confidence = route.confidence or ("documented by your spec" if users_spec else "unknown")
        out.append(
            CheckRecord(
                name=route.label,
                check=ROUTE_CHECK,
                status=Status.FAILED,
                evidence=f"route not found on target: {route.label} (route confidence {confidence}); "
                + route.evidence,
                operation=route.label,
                count=sum(route.statuses.values()),
                basis=route_basis(route.confidence, users_spec=users_spec),
            )
        )
    return out
