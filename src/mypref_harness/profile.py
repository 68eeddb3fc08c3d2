"""The target profile: what one MyPreferences server does where the vendor's document leaves it open.

``mypref-harness discover`` measures the facts and writes them to a TOML file
(``mypref-profile.toml``, format below, no secrets); ``--profile FILE`` on ``gate``, ``contract`` and
``auth-conformance`` measures them again and reports every **drift** (fact, pinned value, value now)
as a finding; ``sandbox --profile FILE`` makes the embedded sandbox behave like the pinned target.

The file::

    # written by `mypref-harness discover`; no secrets
    version = 1

    [target]                         # informational: never compared
    base_url = "https://pmstg.mypreferences.com/Profiles/v4"
    client_id = "ACME_CORP"
    auth = "pnauth"
    discovered_at = "2026-12-02T05:00:00Z"

    [facts]                          # "undetermined" where the probe could not tell
    naive_timestamp_zone = "us_eastern"
    pnauth_window_s = 899
    ...

    [routes]                         # from the route check of a contract run
    confirmed = ["GET /{clientId}/Programs", ...]
    not_found = [...]
    undecided = [...]                # only 404s, none decisive

    [evidence]                       # optional: how each fact was measured (never compared)
    pnauth_window_s = "bisection over issued-timestamp age, 19 requests"

Drift rules (``FACTS`` below, one row per fact): a value now that differs from the pinned one beyond
the fact's tolerance is a drift; a value that is undetermined now is reported, not a drift (a probe
that could not run says nothing about the target); a fact undetermined when pinned is never a drift;
``clock_skew_s`` is reported only (it describes the machines, not the API). A pinned confirmed route
that is now *not found* is a drift; one that was merely not exercised now is undetermined.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness.basis import Basis
from mypref_harness.errors import ConfigError

PROFILE_VERSION = 1
DEFAULT_PROFILE_FILE = "mypref-profile.toml"
UNDETERMINED = "undetermined"  # how an unknown value is written in the file
ROUTES_FACT = "confirmed_routes"

FactValue = str | int | float | bool | tuple[str, ...] | None  # None: undetermined


class ProfileError(ConfigError):
    """A profile file that cannot be used (exit 2, with the file and the key in the message)."""


@dataclass(frozen=True)
class FactSpec:
    """One row of the drift table: a fact's type, how far it may move, and where its rule comes from.

    ``kind`` is ``str``/``int``/``float``/``bool``/``list`` (a list is compared as a set);
    ``tolerance`` is the absolute difference of a number that is still measurement noise;
    ``drifts`` False means the fact is reported but never a finding.
    """

    name: str
    kind: str
    basis: Basis
    description: str
    tolerance: float = 0.0
    drifts: bool = True
    choices: tuple[str, ...] = ()


# The basis says whether a drift fails the run under the default policy (documented/catalog fail,
# assumption/practice warn); the reason for each is in docs/profile.md.
FACTS: tuple[FactSpec, ...] = (
    FactSpec(
        "naive_timestamp_zone",
        "str",
        Basis.DOCUMENTED,
        "zone a naive issued timestamp is read in (the document: UTC or EST/EDT, example in EST)",
        choices=("utc", "us_eastern", "both", "neither"),
    ),
    FactSpec(
        "userid_encodings_accepted",
        "list",
        Basis.DOCUMENTED,
        "URL encodings of a UserId with a space the target accepts (form '+', percent '%20')",
        choices=("form", "percent"),
    ),
    # Bisection answers in whole seconds and the request takes a moment: 2 s is noise, not a change.
    FactSpec(
        "pnauth_window_s",
        "int",
        Basis.DOCUMENTED,
        "largest accepted age of an issued timestamp, s (PNAUTHINFO_EXPIRATION_IN_SECONDS)",
        tolerance=2,
    ),
    FactSpec(
        "future_tolerance_s",
        "int",
        Basis.DOCUMENTED,
        "how far in the future an issued timestamp may be, s (the document: none)",
        tolerance=2,
    ),
    FactSpec(
        "basic_format_accepted",
        "bool",
        Basis.ASSUMPTION,
        "basic-format ISO 8601 timestamps (20261202T015959Z) accepted; the document does not say",
    ),
    FactSpec(
        "token_expires_in_s",
        "float",
        Basis.DOCUMENTED,
        "expires_in of the token response, s (the document: 60 minutes, per-client configurable)",
        tolerance=1,
    ),
    # Reported only: one lifetime change is one drift (token_expires_in_s), and a JWT that disagrees
    # with its expires_in already fails auth conformance (oauth.expires-in-matches-jwt).
    FactSpec(
        "token_jwt_lifetime_s",
        "float",
        Basis.DOCUMENTED,
        "exp - iat of the issued JWT, s (reported, never drift)",
        tolerance=1,
        drifts=False,
    ),
    FactSpec(
        "token_lifetime_s",
        "float",
        Basis.DOCUMENTED,
        "measured: when the API first rejected the token after issue, s",
        tolerance=3,
    ),
    FactSpec(
        "bearer_failure_challenge",
        "str",
        Basis.PRACTICE,
        "WWW-Authenticate of a rejected Bearer token (the document shows only the PNAUTHINFO3 one)",
    ),
    FactSpec(
        "oauth_wrong_secret_error",
        "str",
        Basis.PRACTICE,
        "the token endpoint's error for a wrong client secret (RFC 6749 says invalid_client)",
    ),
    FactSpec(
        "state_conflict_status",
        "int",
        Basis.ASSUMPTION,
        "status of a valid request the resource's state refuses (a failing JSON Patch test)",
    ),
    FactSpec(
        "create_status",
        "int",
        Basis.CATALOG,
        "status of createProfile (the catalog: 200 or 201)",
    ),
    FactSpec(
        "clock_skew_s",
        "float",
        Basis.ASSUMPTION,
        "local clock minus the target's Date header at discovery, s (reported, never drift)",
        drifts=False,
    ),
)
FACTS_BY_NAME: Mapping[str, FactSpec] = {spec.name: spec for spec in FACTS}
# A route that was confirmed and pinned must stay: the "its disappearance fails".
ROUTES_BASIS = Basis.DOCUMENTED


@dataclass(frozen=True)
class TargetProfile:
    """Measured facts of one target (None = undetermined) and its route table."""

    facts: Mapping[str, FactValue] = field(default_factory=dict)
    confirmed_routes: tuple[str, ...] | None = None  # "GET /{clientId}/Programs"; None: no route check
    not_found_routes: tuple[str, ...] = ()
    undecided_routes: tuple[str, ...] = ()  # every positive request 404, none of them decisive
    base_url: str = ""
    client_id: str = ""
    auth: str = ""
    discovered_at: str = ""
    evidence: Mapping[str, str] = field(default_factory=dict)
    version: int = PROFILE_VERSION

    def value(self, name: str) -> FactValue:
        return self.facts.get(name)


@dataclass(frozen=True)
class Drift:
    """One fact whose value now is not the pinned one (or could not be measured now)."""

    fact: str
    pinned: str
    now: str
    basis: Basis
    undetermined: bool = False  # True: reported, not a drift

    @property
    def check(self) -> str:
        return f"profile.drift.{self.fact}"


# ------------------------------------------------------------------------------------ drift


def show(value: FactValue) -> str:
    """A value as the file writes it (for messages): undetermined, true, 900, ["form", "percent"]."""
    if value is None:
        return UNDETERMINED
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(spec: FactSpec, pinned: FactValue, now: FactValue) -> bool:
    if spec.kind in ("int", "float"):
        assert isinstance(pinned, int | float) and isinstance(now, int | float)
        return math.isclose(float(pinned), float(now), abs_tol=spec.tolerance)
    if spec.kind == "list":
        assert isinstance(pinned, tuple) and isinstance(now, tuple)
        return set(pinned) == set(now)
    return pinned == now


def drift(pinned: TargetProfile, now: TargetProfile) -> list[Drift]:
    """Every pinned fact whose value now differs (a drift) or is undetermined now (reported only)."""
    out: list[Drift] = []
    for spec in FACTS:
        before, after = pinned.value(spec.name), now.value(spec.name)
        if not spec.drifts or before is None:
            continue
        if after is None:
            out.append(Drift(spec.name, show(before), UNDETERMINED, spec.basis, undetermined=True))
        elif not _same(spec, before, after):
            out.append(Drift(spec.name, show(before), show(after), spec.basis))
    out += route_drift(pinned, now)
    return out


def route_drift(pinned: TargetProfile, now: TargetProfile) -> list[Drift]:
    """A pinned confirmed route now not found drifts; one not exercised now is undetermined."""
    if not pinned.confirmed_routes:
        return []
    if now.confirmed_routes is None:
        return [
            Drift(
                ROUTES_FACT,
                f"{len(pinned.confirmed_routes)} confirmed route(s)",
                "no route check in this run",
                ROUTES_BASIS,
                undetermined=True,
            )
        ]
    confirmed, missing = set(now.confirmed_routes), set(now.not_found_routes)
    # A pinned route that now answers 404 to every positive request is gone, even when no single 404
    # would decide it on its own (a search): the same requests got other answers when it was pinned.
    only_404 = set(now.undecided_routes)
    out = [
        Drift(
            ROUTES_FACT,
            f"{route} confirmed",
            f"{route} not found" if route in missing else f"{route} answers only 404 to positive requests",
            ROUTES_BASIS,
        )
        for route in pinned.confirmed_routes
        if route in missing or route in only_404
    ]
    # Not exercised now (a narrower run): one line, not one per route.
    unseen = [r for r in pinned.confirmed_routes if r not in confirmed | missing | only_404]
    if unseen:
        shown = ", ".join(unseen[:3]) + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "")
        out.append(
            Drift(
                ROUTES_FACT,
                f"{len(unseen)} route(s) confirmed: {shown}",
                "not exercised in this run",
                ROUTES_BASIS,
                undetermined=True,
            )
        )
    return out


# ------------------------------------------------------------------------------------ reading


def load_profile(path: str | Path) -> TargetProfile:
    """Read and validate a profile file; ProfileError (exit 2) names the file and the bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"profile file not found: {path}") from None
    except OSError as exc:
        raise ProfileError(f"cannot read profile file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ProfileError(f"profile file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile file {path} is not valid TOML: {exc}") from None
    return profile_from_mapping(data, origin=str(path))


def profile_from_mapping(data: Mapping[str, Any], *, origin: str = "profile") -> TargetProfile:
    unknown = set(data) - {"version", "target", "facts", "routes", "evidence"}
    if unknown:
        raise ProfileError(
            f"{origin}: unknown key(s) {', '.join(sorted(unknown))} "
            "(expected version, [target], [facts], [routes], [evidence])"
        )
    version = data.get("version")
    if version != PROFILE_VERSION:
        raise ProfileError(
            f"{origin}: version must be {PROFILE_VERSION} (this harness reads profile format "
            f"{PROFILE_VERSION}), got {version!r}"
        )
    target = _table(data, "target", origin)
    facts = _facts(_table(data, "facts", origin), origin)
    confirmed, not_found, undecided = _routes(_table(data, "routes", origin), origin)
    evidence = {str(k): str(v) for k, v in _table(data, "evidence", origin).items()}
    return TargetProfile(
        facts=facts,
        confirmed_routes=confirmed,
        not_found_routes=not_found,
        undecided_routes=undecided,
        base_url=str(target.get("base_url", "")),
        client_id=str(target.get("client_id", "")),
        auth=str(target.get("auth", "")),
        discovered_at=str(target.get("discovered_at", "")),
        evidence=evidence,
    )


def _table(data: Mapping[str, Any], key: str, origin: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ProfileError(f"{origin}: {key} must be a table ([{key}])")
    return value


def _facts(table: Mapping[str, Any], origin: str) -> dict[str, FactValue]:
    facts: dict[str, FactValue] = {}
    for name, raw in table.items():
        spec = FACTS_BY_NAME.get(name)
        if spec is None:
            known = ", ".join(FACTS_BY_NAME)
            raise ProfileError(f"{origin}: unknown fact {name!r} in [facts] (known: {known})")
        facts[name] = parse_value(spec, raw, origin)
    return facts


def parse_value(spec: FactSpec, raw: Any, origin: str = "profile") -> FactValue:
    """A fact's value from the file (or a probe), checked against its kind and choices."""
    if raw == UNDETERMINED or raw is None:
        return None
    where = f"{origin}: fact {spec.name}"
    if spec.kind == "bool":
        if not isinstance(raw, bool):
            raise ProfileError(f'{where} must be true, false or "{UNDETERMINED}", got {raw!r}')
        return raw
    if spec.kind in ("int", "float"):
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise ProfileError(f'{where} must be a number or "{UNDETERMINED}", got {raw!r}')
        return int(raw) if spec.kind == "int" and float(raw).is_integer() else raw
    if spec.kind == "list":
        if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
            raise ProfileError(f'{where} must be a list of strings or "{UNDETERMINED}", got {raw!r}')
        _check_choices(spec, raw, where)
        return tuple(sorted(set(raw)))
    if not isinstance(raw, str):
        raise ProfileError(f'{where} must be a string, got {raw!r}')
    _check_choices(spec, [raw], where)
    return raw


def _check_choices(spec: FactSpec, values: Sequence[str], where: str) -> None:
    bad = [v for v in values if spec.choices and v not in spec.choices]
    if bad:
        raise ProfileError(f"{where}: {', '.join(map(repr, bad))} is not one of {', '.join(spec.choices)}")


def _routes(
    table: Mapping[str, Any], origin: str
) -> tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...]]:
    unknown = set(table) - {"confirmed", "not_found", "undecided"}
    if unknown:
        raise ProfileError(f"{origin}: unknown key(s) in [routes]: {', '.join(sorted(unknown))}")
    lists: dict[str, tuple[str, ...] | None] = {}
    for key in ("confirmed", "not_found", "undecided"):
        value = table.get(key)
        if value is None:
            lists[key] = None
            continue
        if not isinstance(value, list) or not all(isinstance(r, str) and _is_route(r) for r in value):
            raise ProfileError(f'{origin}: routes.{key} must be a list of "METHOD /path" strings')
        lists[key] = tuple(value)
    return lists["confirmed"], lists["not_found"] or (), lists["undecided"] or ()


def _is_route(text: str) -> bool:
    method, _, path = text.partition(" ")
    return method.isalpha() and method.isupper() and path.startswith("/")


# ------------------------------------------------------------------------------------ writing


def render_profile(profile: TargetProfile) -> str:
    """The profile as TOML (stable key order, one fact per line, evidence last)."""
    lines = [
        "# MyPreferences target profile, written by `mypref-harness discover`. No secrets.",
        "# Pin it in your repository; `--profile` on gate/contract/auth-conformance reports every drift.",
        "# Format and drift rules: docs/profile.md",
        f"version = {profile.version}",
        "",
        "[target]  # informational, never compared",
    ]
    for key in ("base_url", "client_id", "auth", "discovered_at"):
        value = getattr(profile, key)
        if value:
            lines.append(f"{key} = {_toml(value)}")
    lines += ["", "[facts]"]
    for spec in FACTS:
        lines.append(f"{spec.name} = {_toml(profile.value(spec.name))}")
    if profile.confirmed_routes is not None:
        lines += ["", "[routes]"]
        lines.append(f"confirmed = {_toml_list(sorted(profile.confirmed_routes))}")
        lines.append(f"not_found = {_toml_list(sorted(profile.not_found_routes))}")
        lines.append(f"undecided = {_toml_list(sorted(profile.undecided_routes))}")
    if profile.evidence:
        lines += ["", "[evidence]  # how each fact was measured, never compared"]
        for name in sorted(profile.evidence):
            lines.append(f"{name} = {_toml(profile.evidence[name])}")
    return "\n".join(lines) + "\n"


def save_profile(profile: TargetProfile, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_profile(profile), encoding="utf-8")
    return path


def _toml(value: FactValue) -> str:
    if value is None:
        return json.dumps(UNDETERMINED)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(int(value)) if isinstance(value, float) and value.is_integer() else repr(value)
    if isinstance(value, tuple):
        return _toml_list(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_list(values: Sequence[str]) -> str:
    if len(values) <= 3:
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"
    items = "".join(f"\n  {json.dumps(v, ensure_ascii=False)}," for v in values)
    return f"[{items}\n]"


# ------------------------------------------------------------------------------------ sandbox knobs

_SANDBOX_ZONES = {"utc": "UTC", "us_eastern": "America/New_York", "neither": None}
# Facts the sandbox has no knob for: what `sandbox --profile` reports it leaves as it is.
_NO_KNOB = ("bearer_failure_challenge", "oauth_wrong_secret_error")


def sandbox_knobs(profile: TargetProfile) -> tuple[dict[str, Any], list[str]]:
    """``SandboxSettings`` fields that make the sandbox behave like the profiled target, and notes on
    the pinned facts it does not copy.

    The measured window is the oldest whole-second age that was accepted; the target's limit lies
    within the next second, so the sandbox gets one second more (and discovery measures it back).
    """
    knobs: dict[str, Any] = {}
    notes: list[str] = []
    zone = profile.value("naive_timestamp_zone")
    if isinstance(zone, str) and zone in _SANDBOX_ZONES:
        knobs["naive_timezone"] = _SANDBOX_ZONES[zone]
    encodings = profile.value("userid_encodings_accepted")
    if isinstance(encodings, tuple):
        if encodings:
            knobs["user_id_encodings"] = encodings
        else:
            notes.append("userid_encodings_accepted is empty: the sandbox keeps both encodings")
    numbers = {
        "pnauth_window": ("pnauth_window_s", 1),
        "future_tolerance": ("future_tolerance_s", 0),
        "token_lifetime": ("token_expires_in_s", 0),
        "conflict_status": ("state_conflict_status", 0),
        "create_status": ("create_status", 0),
    }
    for knob, (fact, extra) in numbers.items():
        value = profile.value(fact)
        if isinstance(value, int | float) and not isinstance(value, bool):
            knobs[knob] = round(value) + extra
    basic = profile.value("basic_format_accepted")
    if isinstance(basic, bool):
        knobs["basic_format_timestamps"] = basic
    for fact in _NO_KNOB:
        if profile.value(fact) is not None:
            notes.append(f"{fact} = {show(profile.value(fact))}: the sandbox has no knob for it")
    if profile.confirmed_routes:
        notes.append("confirmed_routes: the sandbox serves every route of the spec")
    return knobs, notes
