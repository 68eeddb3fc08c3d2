"""Where a rule comes from, and whether breaking it fails the run.

Every check of the harness (Schemathesis custom checks, auth conformance checks, read-back
scenarios, route checks, load integrity, profile drift) states the **basis** of its rule:

- ``documented``: the vendor's API overview says so; the rule carries the quoted sentence.
- ``catalog``: a rule of the endpoint catalog that the overview does not state.
- ``assumption``: our own choice where both are silent.
- ``practice``: an RFC or common good practice (e.g. RFC 6750 ``invalid_token``).

The **verdict policy** turns a finding into a failure or a warning: by default only ``documented``
and ``catalog`` findings fail a run; ``assumption`` and ``practice`` findings are reported as
warnings. ``strict`` makes every finding fail (the default on the embedded sandbox, where our
assumptions are the truth), and a policy file promotes or demotes checks by name.

This module is a foundation: it imports nothing of the harness.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType


class Basis(enum.StrEnum):
    DOCUMENTED = "documented"
    CATALOG = "catalog"
    ASSUMPTION = "assumption"
    PRACTICE = "practice"


class Verdict(enum.StrEnum):
    FAIL = "fail"
    WARN = "warn"


# What fails a run by default: only what the vendor's own documents require.
FAILING_BASES = frozenset({Basis.DOCUMENTED, Basis.CATALOG})

# Route confidence of an operation of the reconstructed spec (x-route-confidence) -> basis of a
# finding on it. The user's own spec is the vendor's word: everything it declares is documented.
_CONFIDENCE_BASIS = {"high": Basis.DOCUMENTED, "medium": Basis.CATALOG, "guess": Basis.ASSUMPTION}


@dataclass(frozen=True)
class Rule:
    """The basis of one check's rule, with its evidence.

    ``source`` is the quoted sentence of the API overview for ``documented`` rules (verbatim, so a
    test can find it in the document), the catalog's rule for ``catalog``, and a short reason for
    ``assumption`` and ``practice`` (e.g. "RFC 6750 section 3.1").
    """

    basis: Basis
    source: str

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError(f"a {self.basis} rule must say where it comes from")

    def describe(self) -> str:
        """One line for ``--list`` output: ``documented: "<sentence>"``."""
        if self.basis is Basis.DOCUMENTED:
            return f'{self.basis}: "{self.source}"'
        return f"{self.basis}: {self.source}"


def documented(sentence: str) -> Rule:
    return Rule(Basis.DOCUMENTED, sentence)


def catalog(rule: str) -> Rule:
    return Rule(Basis.CATALOG, rule)


def assumption(reason: str) -> Rule:
    return Rule(Basis.ASSUMPTION, reason)


def practice(reference: str) -> Rule:
    return Rule(Basis.PRACTICE, reference)


def route_basis(confidence: str | None, *, users_spec: bool) -> Basis:
    """The basis of a finding that compares a response with the spec's declaration of an operation."""
    if users_spec:
        return Basis.DOCUMENTED
    return _CONFIDENCE_BASIS.get((confidence or "").lower(), Basis.ASSUMPTION)


class PolicyError(ValueError):
    """A policy file that cannot be used (the caller turns it into a configuration error)."""


@dataclass(frozen=True)
class VerdictPolicy:
    """Decides whether a finding of a check with a given basis fails the run or warns.

    ``overrides`` maps check names (as listed by ``--list``) to a verdict; they win over ``strict``.
    """

    strict: bool = False
    overrides: Mapping[str, Verdict] = field(default_factory=lambda: MappingProxyType({}))

    def verdict(self, check: str, basis: Basis) -> Verdict:
        if check in self.overrides:
            return self.overrides[check]
        if self.strict or basis in FAILING_BASES:
            return Verdict.FAIL
        return Verdict.WARN

    def fails(self, check: str, basis: Basis) -> bool:
        return self.verdict(check, basis) is Verdict.FAIL

    def describe(self) -> str:
        mode = "strict (every finding fails)" if self.strict else "documented and catalog findings fail"
        if self.overrides:
            mode += f", {len(self.overrides)} override(s)"
        return mode

    @classmethod
    def load(cls, path: Path, *, strict: bool = False) -> VerdictPolicy:
        """Read a policy file::

        strict = false          # optional
        [checks]
        practice_check_name = "fail"
        noisy_check_name = "warn"
        """
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"cannot read policy file {path}: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"policy file {path} is not valid TOML: {exc}") from exc
        return cls.from_mapping(data, origin=str(path), strict=strict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], *, origin: str, strict: bool = False) -> VerdictPolicy:
        unknown = set(data) - {"strict", "checks"}
        if unknown:
            raise PolicyError(
                f"{origin}: unknown key(s) {', '.join(sorted(unknown))} (expected strict, [checks])"
            )
        file_strict = data.get("strict", False)
        if not isinstance(file_strict, bool):
            raise PolicyError(f"{origin}: strict must be true or false")
        checks = data.get("checks", {})
        if not isinstance(checks, Mapping):
            raise PolicyError(f'{origin}: [checks] must be a table of check name = "fail" | "warn"')
        overrides: dict[str, Verdict] = {}
        for name, value in checks.items():
            try:
                overrides[str(name)] = Verdict(str(value).lower())
            except ValueError:
                raise PolicyError(
                    f'{origin}: check {name!r}: expected "fail" or "warn", got {value!r}'
                ) from None
        return cls(strict=strict or file_strict, overrides=MappingProxyType(overrides))
