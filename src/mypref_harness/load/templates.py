"""The URL templates of the load suite, taken from the spec in use through the operation roles.

Each request a simulated user makes plays a role (``create-profile``, ``programs``, ...); the roles
resolver (:mod:`mypref_harness.spec.roles`) finds the operation of the spec that plays it, so a
vendor's own Swagger file, with its own operationIds and parameter spellings, drives the load too.
Resolution happens once, in the load runner; the resolved templates travel to every Locust process
as JSON in an environment variable (:meth:`LoadTemplates.to_json`), never re-parsed per user.

A scenario (task) whose requests do not all resolve is left out of the traffic mix, with one line
that says which role is missing (:func:`left_out`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from mypref_harness.created import CREATE_STATUSES
from mypref_harness.load.scenarios import TASK_NEEDS, TrafficModel
from mypref_harness.load.stats import SETUP_GROUP
from mypref_harness.spec.document import read_document
from mypref_harness.spec.paths import ApiBase, reconcile
from mypref_harness.spec.roles import CATALOG, Role, RoleMap, resolve_roles

_PLACEHOLDER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class LoadOperation:
    """A request of the load suite: the role it plays and its statistics group."""

    key: str
    role: Role
    group: str
    expect: tuple[int, ...] = (200,)  # the statuses that count as success in the statistics


LOAD_OPERATIONS: tuple[LoadOperation, ...] = (
    LoadOperation("programs", Role.PROGRAMS, "config"),
    LoadOperation("program_groups", Role.PROGRAM_GROUPS, "config"),
    LoadOperation("consent_types", Role.CONSENT_TYPES, "config"),
    LoadOperation("alternate_id_types", Role.ALTERNATE_ID_TYPES, "config"),
    LoadOperation("profile_by_id", Role.READ_PROFILE, "lookup"),
    LoadOperation("profile_by_email", Role.SEARCH_BY_EMAIL, "lookup"),
    LoadOperation("profile_by_phone", Role.SEARCH_BY_PHONE, "lookup"),
    LoadOperation("profile_by_alternate_id", Role.SEARCH_BY_ALTERNATE_ID, "lookup"),
    # The catalog says "200 or 201" for create profile: both are a success.
    LoadOperation("create_profile", Role.CREATE_PROFILE, "write", CREATE_STATUSES),
    LoadOperation("update_profile", Role.UPDATE_PROFILE, "write"),
    LoadOperation("add_consents", Role.ADD_CONSENTS, "write"),
    LoadOperation("upsert_preferences", Role.UPSERT_PREFERENCES, "write"),
    LoadOperation("history_standard_fields", Role.STANDARD_FIELDS_HISTORY, "history"),
    LoadOperation("history_preferences", Role.PREFERENCES_HISTORY, "history"),
    LoadOperation("history_consents", Role.CONSENTS_HISTORY, "history"),
)
OPERATIONS_BY_KEY: Mapping[str, LoadOperation] = {op.key: op for op in LOAD_OPERATIONS}


def placeholders(template: str) -> tuple[str, ...]:
    """The path parameter names of a template, in path order."""
    return tuple(_PLACEHOLDER.findall(template))


@dataclass(frozen=True)
class RequestTemplate:
    """How the load suite calls one API operation; ``name`` is its Locust statistics entry.

    ``template`` is the spec's path as the spec writes it (it names the request and its route);
    ``path`` is where it is sent, relative to the API root Locust is given as host (the same unless the
    spec's paths carry the prefix: see :meth:`LoadTemplates.placed`). The flows fill it with our
    parameter names (``clientId``, ``profileId``, ...), which ``params`` maps to the spec's own
    spelling (``{ClientId}``, ``{id}``, ...).
    """

    key: str
    group: str
    method: str
    template: str
    path: str
    expect: tuple[int, ...] = (200,)
    params: tuple[tuple[str, str], ...] = ()  # (our name, the spec's name), in path order

    @property
    def name(self) -> str:
        return f"{self.group}: {self.method} {self.template}"

    @property
    def setup_name(self) -> str:
        """The same call made while preparing test data (kept out of the business statistics)."""
        return f"{SETUP_GROUP}: {self.method} {self.template}"

    @property
    def route(self) -> tuple[str, str]:
        """(METHOD, spec path), as the contract's route table names a route."""
        return self.method, self.template

    def url(self, query: Mapping[str, Any] | None = None, **values: Any) -> str:
        """The request path (under the API root) with ``values`` filled in and ``query`` appended."""
        path = self.path
        spelled = dict(self.params)
        for ours, value in values.items():
            path = path.replace("{" + spelled.get(ours, ours) + "}", quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"missing path parameter in {path}")
        if query:
            path += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        return path


@dataclass(frozen=True)
class LoadTemplates:
    """The load suite's requests for one spec: the resolved ones and why the others did not resolve."""

    templates: Mapping[str, RequestTemplate]
    unresolved: Mapping[str, str]  # key -> why, e.g. "no operation plays upsert-preferences"

    def placed(self, api: ApiBase) -> LoadTemplates:
        """The templates with their paths under ``api.root`` (the host Locust is given): the one
        reconciliation of the spec's paths with the base URL (spec.paths) decides them."""
        placed = {k: dataclasses.replace(t, path=api.relative(t.template)) for k, t in self.templates.items()}
        return LoadTemplates(placed, self.unresolved)

    def to_json(self) -> str:
        return json.dumps(
            {
                "templates": [
                    {
                        "key": t.key,
                        "group": t.group,
                        "method": t.method,
                        "template": t.template,
                        "path": t.path,
                        "expect": list(t.expect),
                        "params": [list(pair) for pair in t.params],
                    }
                    for t in self.templates.values()
                ],
                "unresolved": dict(self.unresolved),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> LoadTemplates:
        data = json.loads(text)
        templates = {
            item["key"]: RequestTemplate(
                key=item["key"],
                group=item["group"],
                method=item["method"],
                template=item["template"],
                path=item["path"],
                expect=tuple(item["expect"]),
                params=tuple((ours, theirs) for ours, theirs in item["params"]),
            )
            for item in data["templates"]
        }
        return cls(templates, dict(data["unresolved"]))


def templates_for_spec(
    spec: str, operations: Mapping[str, str] | None = None, base_url: str | None = None
) -> LoadTemplates:
    """The load suite's requests in the spec at ``spec`` (path or URL), with the ``[operations]`` table,
    placed under ``base_url`` when it is known (else sent as the spec writes them)."""
    document = read_document(spec)
    templates = resolve_templates(resolve_roles(document, operations))
    return templates if base_url is None else templates.placed(reconcile(base_url, document))


def resolve_templates(roles: RoleMap) -> LoadTemplates:
    """The load suite's requests in the spec whose roles ``roles`` holds."""
    templates: dict[str, RequestTemplate] = {}
    unresolved: dict[str, str] = {}
    for op in LOAD_OPERATIONS:
        found = roles.get(op.role)
        if found is None:
            unresolved[op.key] = f"no operation plays {op.role.value}"
            continue
        ours, theirs = placeholders(CATALOG[op.role].path), placeholders(found.path)
        if len(ours) != len(theirs):
            unresolved[op.key] = (
                f"{op.role.value} is {found.method.upper()} {found.path}: {len(theirs)} path parameter(s), "
                f"the load suite fills {len(ours)} ({', '.join(ours)})"
            )
            continue
        templates[op.key] = RequestTemplate(
            key=op.key,
            group=op.group,
            method=found.method.upper(),
            template=found.path,
            path=found.path,
            expect=op.expect,
            params=tuple(zip(ours, theirs, strict=True)),
        )
    return LoadTemplates(templates, unresolved)


@dataclass(frozen=True)
class LeftOut:
    """A task of the traffic model that cannot run on this spec, and the requests it lacks."""

    user: str
    task: str
    missing: tuple[tuple[str, str], ...]  # (request key, why it did not resolve)

    @property
    def label(self) -> str:
        return f"{self.user}.{self.task}"


def left_out(model: TrafficModel, templates: LoadTemplates) -> list[LeftOut]:
    """The model's tasks (weight > 0) that need a request the spec does not resolve."""
    out = []
    for user in model.users.values():
        if user.weight <= 0:
            continue
        for task, weight in user.tasks.items():
            missing = tuple(
                (key, templates.unresolved[key]) for key in TASK_NEEDS[task] if key in templates.unresolved
            )
            if weight > 0 and missing:
                out.append(LeftOut(user.name, task, missing))
    return out


def left_out_line(items: list[LeftOut]) -> str:
    """One line for the summary: what the spec left out of the mix, grouped by why (the reasons name
    the roles), e.g. "...: no operation plays create-profile -> preference_center.view_profile, ..."."""
    by_reason: dict[str, list[str]] = {}
    for item in items:
        by_reason.setdefault("; ".join(why for _, why in item.missing), []).append(item.label)
    groups = (f"{reason} -> {', '.join(tasks)}" for reason, tasks in by_reason.items())
    return "left out of the mix (roles the spec lacks): " + " | ".join(groups)


def runnable_model(model: TrafficModel, templates: LoadTemplates) -> TrafficModel:
    """The model without the tasks the spec cannot serve."""
    return model.without_tasks((item.user, item.task) for item in left_out(model, templates))
