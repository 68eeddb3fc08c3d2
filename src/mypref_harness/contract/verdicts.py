"""Verdicts of a contract run: the basis of every finding and the verdict policy that judges them.

- Custom checks carry their own `Rule` (contract/checks.py), read-back scenarios theirs
  (contract/scenarios.py), auth conformance checks theirs (contract/auth_conformance/).
- Schemathesis's built-in checks compare a response with the spec's declaration of an operation, so
  a finding takes the basis of that declaration: with our reconstructed spec the operation's
  ``x-route-confidence`` (high -> documented, medium -> catalog, guess -> assumption); with the user's
  own spec (``MYPREF_SPEC`` pointing elsewhere) everything is documented. A stateful finding names
  several operations; it takes the weakest basis among them (its claim is only as sure as its least
  sure route).
- The policy: "strict" means "our assumptions are the truth": undeclared response fields fail AND
  every finding fails, whatever its basis. It is the default on the embedded sandbox (whose behaviour
  *is* our assumptions) and off on a configured target, where only documented and catalog findings
  fail and the rest are warnings. ``--strict`` / ``--lenient`` choose explicitly; ``--policy FILE``
  promotes or demotes checks by name (mypref_harness.basis.VerdictPolicy.load).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mypref_harness import resources
from mypref_harness.basis import Basis, Rule, VerdictPolicy, route_basis
from mypref_harness.contract.checks import CUSTOM_CHECKS
from mypref_harness.contract.results import CheckRecord, ContractResult
from mypref_harness.spec.operations import UNKNOWN_CONFIDENCE, iter_operations

_LABEL_IN_TEXT = re.compile(r"\b(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) (/[^\s`'\"]*)")
# Weakest first: a finding resting on several operations is as sure as its least sure one.
_STRENGTH = {Basis.ASSUMPTION: 0, Basis.PRACTICE: 0, Basis.CATALOG: 1, Basis.DOCUMENTED: 2}

BUILTIN_RULE_TEXT = (
    "x-route-confidence of the operation (high -> documented, medium -> catalog, guess -> assumption); "
    "with your own spec: documented"
)


def is_our_spec(spec: str) -> bool:
    """True for the reconstructed spec shipped in contracts/openapi (any of its forms)."""
    if re.match(r"^https?://", spec):
        return False
    try:
        return Path(spec).resolve().parent == resources.spec_file().resolve().parent
    except (OSError, resources.MissingResource):
        return False


def route_confidences(document: Mapping[str, Any]) -> dict[str, str]:
    """Operation label "METHOD /path" -> its x-route-confidence ("" when the spec does not say)."""
    return {
        f"{op.method} {op.path}": "" if op.confidence == UNKNOWN_CONFIDENCE else op.confidence
        for op in iter_operations(document)
    }


def operations_named(record: CheckRecord, known: Mapping[str, str]) -> list[str]:
    """The spec operations a finding is about: its own label, else those its evidence names."""
    if record.operation in known:
        return [str(record.operation)]
    return list(
        dict.fromkeys(m.group(0) for m in _LABEL_IN_TEXT.finditer(record.evidence) if m.group(0) in known)
    )


def builtin_basis(record: CheckRecord, confidences: Mapping[str, str], *, users_spec: bool) -> Basis:
    if users_spec:
        return Basis.DOCUMENTED
    labels = operations_named(record, confidences)
    if not labels:
        return Basis.ASSUMPTION  # no operation to vouch for it: only our spec's word
    bases = [route_basis(confidences[label], users_spec=False) for label in labels]
    return min(bases, key=lambda b: _STRENGTH[b])


def custom_rule(check: str) -> Rule | None:
    found = CUSTOM_CHECKS.get(check)
    return found.rule if found is not None else None


def with_basis(
    records: Iterable[CheckRecord], document: Mapping[str, Any], *, users_spec: bool
) -> list[CheckRecord]:
    """Schemathesis findings with their basis: a custom check's own rule, else the route's."""
    confidences = route_confidences(document)
    out = []
    for record in records:
        rule = custom_rule(record.check)
        basis = rule.basis if rule is not None else builtin_basis(record, confidences, users_spec=users_spec)
        out.append(dataclasses.replace(record, basis=basis))
    return out


def effective_strict(strict: bool | None, *, is_sandbox: bool, policy_file_strict: bool = False) -> bool:
    """One meaning of strict (see the module docstring): explicit choice, else the policy file, else
    the embedded sandbox."""
    if strict is not None:
        return strict
    return policy_file_strict or is_sandbox


def load_policy(path: Path | None, *, strict: bool | None, is_sandbox: bool) -> VerdictPolicy:
    """The run's policy: the file's overrides (if any) and the effective strictness."""
    base = VerdictPolicy.load(path) if path is not None else VerdictPolicy()
    return dataclasses.replace(
        base, strict=effective_strict(strict, is_sandbox=is_sandbox, policy_file_strict=base.strict)
    )


def judge_contract(result: ContractResult, policy: VerdictPolicy) -> None:
    """Apply the policy to every record of the run, in place (findings, scenarios, auth conformance)."""
    from mypref_harness.contract.results import judge_all

    result.findings = judge_all(result.findings, policy)
    result.scenarios = judge_all(result.scenarios, policy)
    if result.conformance is not None:
        result.conformance.checks = judge_all(result.conformance.checks, policy)
    result.policy = policy.describe()


@dataclass(frozen=True)
class ListedCheck:
    """One line of ``contract --list-checks``."""

    name: str
    kind: str  # "custom" | "schemathesis" | "scenario" | "route"
    basis: str  # Rule.describe(), or how a built-in check's basis is decided
    text: str


def check_catalog() -> list[ListedCheck]:
    """Every check of the contract suite with its basis (documented ones with the quoted sentence)."""
    from mypref_harness.contract.routes import ROUTE_CHECK
    from mypref_harness.contract.scenarios import SCENARIO_RULES
    from mypref_harness.contract.schemathesis.checks import BUILTIN_CHECKS

    listed = [ListedCheck(c.name, "custom", c.rule.describe(), c.text) for c in CUSTOM_CHECKS.values()]
    listed += [
        ListedCheck(
            name, "schemathesis", f"the route's: {BUILTIN_RULE_TEXT}", "Schemathesis built-in check"
        )
        for name in BUILTIN_CHECKS
    ]
    listed.append(
        ListedCheck(
            ROUTE_CHECK,
            "route",
            f"the route's: {BUILTIN_RULE_TEXT}",
            "configured targets: an operation whose positive requests all got 404 (one of them deciding) "
            "is a route not found on the target",
        )
    )
    listed += [
        ListedCheck(name, "scenario", rule.describe(), "read-back scenario")
        for name, rule in SCENARIO_RULES.items()
    ]
    return listed
