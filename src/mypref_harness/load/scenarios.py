"""The traffic model: which MyPreferences operations users call, how often, how fast, on what data.

Two kinds of users (see docs/load.md):
- ``preference_center``: a person on a preference page: reads Experience configuration (programs,
  program groups, consent types in a locale), loads their profile, changes name fields (UpdateProfile
  by POST), consents and preferences, now and then looks at history;
- ``integration``: a CRM/marketing integration: looks profiles up by id, email, phone and alternate id,
  updates by POST and occasionally creates profiles.

Weights and think times have defaults here and can be changed with a TOML file (``--scenario``) and
``--think-time``. Nothing in this module imports Locust: the locustfile turns the model into classes.
Test data is never hard-coded: configuration ids (filters, consent types, alternate id types) are read
from the target, and profiles are seeded per process with run-unique emails, phones and alternate ids.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mypref_harness.errors import ConfigError

Route = tuple[str, str]  # (METHOD, spec path template), as the contract's route table names a route


def format_routes(routes: Iterable[Route]) -> str:
    """Routes as one line for an environment variable: ``GET /{clientId}/Profile/Email;POST /...``."""
    return ";".join(f"{method} {template}" for method, template in sorted(routes))


def parse_routes(text: str) -> frozenset[Route]:
    """The inverse of :func:`format_routes` (blank entries ignored, methods upper-cased)."""
    routes = set()
    for item in text.split(";"):
        method, _, template = item.strip().partition(" ")
        if method and template.strip():
            routes.add((method.upper(), template.strip()))
    return frozenset(routes)


# --------------------------------------------------------------------------- the model

# Task names are methods of the flows in mypref_harness.load.flows.
USER_TASKS: dict[str, tuple[str, ...]] = {
    "preference_center": (
        "read_configuration",
        "view_profile",
        "update_profile",
        "change_consents",
        "change_preferences",
        "view_history",
    ),
    "integration": (
        "lookup_by_id",
        "lookup_by_email",
        "lookup_by_phone",
        "lookup_by_alternate_id",
        "update_profile",
        "create_profile",
    ),
}


# The requests (keys of mypref_harness.load.templates.LOAD_OPERATIONS) each task cannot do without:
# a task some of whose requests the spec lacks is left out of the mix. Every task on a profile needs
# create_profile: the run works on profiles it created itself.
_PROFILE = ("create_profile",)
TASK_NEEDS: Mapping[str, tuple[str, ...]] = {
    "read_configuration": ("programs", "program_groups", "consent_types"),
    "view_profile": (*_PROFILE, "profile_by_id"),
    "update_profile": (*_PROFILE, "update_profile"),
    "change_consents": (*_PROFILE, "add_consents", "consent_types"),
    "change_preferences": (*_PROFILE, "upsert_preferences", "programs", "alternate_id_types"),
    "view_history": (*_PROFILE, "history_standard_fields", "history_preferences", "history_consents"),
    "lookup_by_id": (*_PROFILE, "profile_by_id"),
    "lookup_by_email": (*_PROFILE, "profile_by_email"),
    "lookup_by_phone": (*_PROFILE, "profile_by_phone"),
    "lookup_by_alternate_id": (*_PROFILE, "profile_by_alternate_id", "alternate_id_types"),
    "create_profile": _PROFILE,
}


@dataclass(frozen=True)
class UserModel:
    name: str
    weight: int
    think_time: tuple[float, float]  # seconds, uniform between the two
    tasks: Mapping[str, int]


@dataclass(frozen=True)
class TrafficModel:
    users: Mapping[str, UserModel]
    locales: tuple[str, ...] = ("en-us",)
    seed_profiles: int = 10  # profiles each Locust process creates for lookups
    owned_profiles: int = 1  # profiles each preference-center user writes to (exclusively)
    source: str = "built-in defaults"

    def with_think_time(self, low: float, high: float) -> TrafficModel:
        users = {n: replace(u, think_time=(low, high)) for n, u in self.users.items()}
        return replace(self, users=users)

    def without_tasks(self, left_out: Iterable[tuple[str, str]]) -> TrafficModel:
        """The model with these (user kind, task) pairs at weight 0; a kind left without any task
        gets weight 0 too."""
        dropped = set(left_out)
        users = {}
        for name, user in self.users.items():
            tasks = {t: (0 if (name, t) in dropped else w) for t, w in user.tasks.items()}
            weight = user.weight if any(w > 0 for w in tasks.values()) else 0
            users[name] = replace(user, tasks=tasks, weight=weight)
        return replace(self, users=users)

    def active_users(self) -> list[UserModel]:
        return [u for u in self.users.values() if u.weight > 0 and any(w > 0 for w in u.tasks.values())]


DEFAULT_MODEL = TrafficModel(
    users={
        "preference_center": UserModel(
            "preference_center",
            weight=3,
            think_time=(1.0, 3.0),
            tasks={
                "read_configuration": 4,
                "view_profile": 3,
                "update_profile": 2,
                "change_consents": 1,
                "change_preferences": 1,
                "view_history": 1,
            },
        ),
        "integration": UserModel(
            "integration",
            weight=1,
            think_time=(0.5, 2.0),
            tasks={
                "lookup_by_id": 3,
                "lookup_by_email": 3,
                "lookup_by_phone": 2,
                "lookup_by_alternate_id": 2,
                "update_profile": 2,
                "create_profile": 1,
            },
        ),
    }
)


def parse_think_time(text: str) -> tuple[float, float]:
    """``"1:3"`` -> (1.0, 3.0); ``"2"`` -> (2.0, 2.0)."""
    try:
        parts = [float(p) for p in str(text).split(":")]
    except ValueError:
        raise ConfigError(f"invalid think time {text!r}: use MIN:MAX seconds, e.g. 1:3") from None
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or parts[0] < 0 or parts[1] < parts[0]:
        raise ConfigError(f"invalid think time {text!r}: use MIN:MAX seconds with 0 <= MIN <= MAX")
    return parts[0], parts[1]


def _int(where: str, key: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"scenario file {where}: {key} must be an integer >= {minimum}")
    return value


def parse_model(
    data: Mapping[str, Any], source: str = "<dict>", base: TrafficModel = DEFAULT_MODEL
) -> TrafficModel:
    """A model from decoded TOML: only what the file sets changes; everything else keeps ``base``."""
    unknown = set(data) - {"users", "data", "locales"}
    if unknown:
        raise ConfigError(f"scenario file {source}: unknown key(s) {', '.join(sorted(unknown))}")
    users = dict(base.users)
    for name, table in (data.get("users") or {}).items():
        where = f"{source} [users.{name}]"
        if name not in USER_TASKS:
            raise ConfigError(f"scenario file {where}: unknown user kind (known: {', '.join(USER_TASKS)})")
        if not isinstance(table, dict) or set(table) - {"weight", "think_time", "tasks"}:
            raise ConfigError(f"scenario file {where}: allowed keys are weight, think_time, tasks")
        model = users[name]
        if "weight" in table:
            model = replace(model, weight=_int(where, "weight", table["weight"]))
        if "think_time" in table:
            tt = table["think_time"]
            if not isinstance(tt, list) or len(tt) != 2:
                raise ConfigError(f"scenario file {where}: think_time must be [min, max] seconds")
            model = replace(model, think_time=parse_think_time(f"{tt[0]}:{tt[1]}"))
        if "tasks" in table:
            tasks = dict(model.tasks)
            for task, weight in dict(table["tasks"]).items():
                if task not in USER_TASKS[name]:
                    raise ConfigError(
                        f"scenario file {where}: unknown task {task!r} (known: {', '.join(USER_TASKS[name])})"
                    )
                tasks[task] = _int(where, f"tasks.{task}", weight)
            model = replace(model, tasks=tasks)
        users[name] = model
    result = replace(base, users=users, source=source)
    if "locales" in data:
        locales = data["locales"]
        if not isinstance(locales, list) or not locales or not all(isinstance(x, str) and x for x in locales):
            raise ConfigError(f"scenario file {source}: locales must be a non-empty list of strings")
        result = replace(result, locales=tuple(locales))
    if "data" in data:
        table = data["data"]
        if not isinstance(table, dict) or set(table) - {"seed_profiles", "owned_profiles"}:
            raise ConfigError(
                f"scenario file {source} [data]: allowed keys are seed_profiles, owned_profiles"
            )
        if "seed_profiles" in table:
            result = replace(result, seed_profiles=_int(source, "seed_profiles", table["seed_profiles"], 1))
        if "owned_profiles" in table:
            result = replace(
                result, owned_profiles=_int(source, "owned_profiles", table["owned_profiles"], 1)
            )
    if not result.active_users():
        raise ConfigError(f"scenario file {source}: every user kind has weight 0 or no tasks")
    return result


def load_model(path: str | Path | None = None, think_time: str | None = None) -> TrafficModel:
    model = DEFAULT_MODEL
    if path:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read scenario file {p}: {exc.strerror or exc}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"scenario file {p} is not valid TOML: {exc}") from None
        model = parse_model(data, str(p))
    if think_time:
        model = model.with_think_time(*parse_think_time(think_time))
    return model


# --------------------------------------------------------------------------- test data


@dataclass(frozen=True)
class SeedProfile:
    """A profile the run created itself; every lookup key is unique to this run."""

    profile_id: int
    email: str
    phone: str
    alternate_id_type: str | None
    alternate_id: str | None


@dataclass
class TargetConfig:
    """Configuration discovered from the target at the start (never assumed)."""

    filter_ids: list[str] = field(default_factory=list)
    consent_types: list[tuple[str, str | None]] = field(default_factory=list)  # (type, version)
    alternate_id_type: str | None = None


def parse_filter_ids(programs_body: Any) -> list[str]:
    ids: list[str] = []
    for program in (programs_body or {}).get("Programs", []) if isinstance(programs_body, dict) else []:
        for flt in program.get("Filters") or []:
            fid = flt.get("FilterId") if isinstance(flt, dict) else None
            if isinstance(fid, str) and fid and fid not in ids:
                ids.append(fid)
    return ids


def parse_consent_types(body: Any) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for item in (body or {}).get("ConsentTypes", []) if isinstance(body, dict) else []:
        if not isinstance(item, dict) or item.get("IsActive") is False or not item.get("TypeName"):
            continue
        versions = [
            v.get("ConsentVersion")
            for v in item.get("Versions") or []
            if isinstance(v, dict) and v.get("IsActive") is not False and v.get("ConsentVersion")
        ]
        out.append((str(item["TypeName"]), versions[-1] if versions else None))
    return out


def parse_alternate_id_type(body: Any) -> str | None:
    items = (body or {}).get("AlternateIdTypes", []) if isinstance(body, dict) else []
    active = [
        i for i in items if isinstance(i, dict) and i.get("IsActive") is not False and i.get("TypeName")
    ]
    default = [i for i in active if i.get("IsDefault")]
    chosen = default or active
    return str(chosen[0]["TypeName"]) if chosen else None


class UniqueValues:
    """Run-unique emails, phone numbers and alternate ids for profiles this process creates."""

    def __init__(self, run_id: str, process_tag: str, rng: random.Random | None = None) -> None:
        self.prefix = f"{run_id}-{process_tag}"
        self._n = 0
        self._rng = rng or random.Random()  # noqa: S311 - test data, not cryptography

    def next(self) -> tuple[str, str, str]:
        self._n += 1
        tag = f"{self.prefix}-{self._n}"
        email = f"lt.{tag}@example.com".lower()
        # 555-01xx numbers are reserved for fiction; we keep 555 + random digits (unique enough
        # within a run; a clash only means a phone lookup returns two profiles).
        phone = "555" + "".join(str(self._rng.randint(0, 9)) for _ in range(7))
        return email, phone, f"LT-{tag}"


def new_profile_body(
    email: str, phone: str, alternate_id_type: str | None, alternate_id: str
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "CustomerName": {"FirstName": "Load", "LastName": "Test"},
        "Emails": [{"EmailAddress": email, "IsDefault": True}],
        "PhoneNumbers": [{"PhoneNumber": phone, "IsDefault": True}],
    }
    if alternate_id_type:
        body["AlternateIds"] = [{"AlternateIdType": alternate_id_type, "AlternateId": alternate_id}]
    return body


# The name fields UpdateProfile rotates through: each (profile, field) has one writer, so the last
# acknowledged value is what the server must return at the end (integrity check).
NAME_FIELDS: tuple[str, ...] = ("FirstName", "MiddleName", "LastName", "Prefix", "Suffix")


def name_update_body(field_name: str, value: str) -> dict[str, Any]:
    return {"CustomerName": {field_name: value}}


def consent_body(consent_type: str, version: str | None, status: int) -> dict[str, Any]:
    consent: dict[str, Any] = {"ConsentType": consent_type, "ConsentStatus": status}
    if version:
        consent["ConsentVersion"] = version
    return {"Consents": [consent]}


def preferences_body(filter_id: str, preference_type: int) -> dict[str, Any]:
    return {"ProfilePreferences": [{"FilterId": filter_id, "PreferenceType": preference_type}]}
