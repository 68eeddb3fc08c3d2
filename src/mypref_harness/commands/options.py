"""The options every command that sends traffic shares, and the one way such a command loads its Target.

Which target (``--config``, ``--target``), the production guard rail (``--allow-production``), the
embedded sandbox's seeded defects (``--sandbox-defect``), a pinned profile (``--profile``) and the
verdict policy (``--strict``/``--lenient``/``--policy``) are declared here once, so they read and behave
the same on contract, auth-conformance, discover, load, gate and replay. A bad setting raises
ConfigError; ``cli.main`` prints it on one line and exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any, Protocol

from mypref_harness import resources
from mypref_harness.basis import PolicyError, VerdictPolicy
from mypref_harness.config import Target, describe_kind, load_target
from mypref_harness.errors import ConfigError
from mypref_harness.guards import guard_production
from mypref_harness.spec.document import load_spec, local_copy


class OptionContainer(Protocol):
    """An ArgumentParser or one of its argument groups: where an option is declared."""

    def add_argument(self, *names: str, **settings: Any) -> Any: ...


def comma_separated(text: str) -> list[str]:
    """A comma-separated option value as a list, blanks dropped (``--checks a,,b`` is ``[a, b]``)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def add_target_options(p: OptionContainer) -> None:
    """--config, --spec, --target, --allow-production, --sandbox-defect: a command that tests one target."""
    add_config_option(p)
    add_spec_option(p)
    add_guard_options(p)
    add_sandbox_defect_option(p)


def add_config_option(p: OptionContainer) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="TOML",
        help="target settings file (default $MYPREF_CONFIG or ./mypref.toml; MYPREF_* env vars win)",
    )


def add_spec_option(p: OptionContainer) -> None:
    """--spec PATH|URL: the same setting as MYPREF_SPEC, on every command that tests a target."""
    p.add_argument(
        "--spec",
        default=None,
        metavar="PATH|URL",
        help="the API description to test with: Swagger 2.0 or OpenAPI 3.0/3.1, JSON or YAML, a file or an "
        "http(s) URL (fetched once, saved in the report folder); beats MYPREF_SPEC / spec = "
        "(default: our reconstructed contracts/openapi/mypreferences-v4.yaml)",
    )


def add_guard_options(p: OptionContainer) -> None:
    """--target and --allow-production: the same two guard rails on every command that sends traffic."""
    p.add_argument(
        "--target",
        choices=("sandbox", "configured"),
        default=None,
        help="what this run must test: 'configured' fails (exit 2) when no MYPREF_BASE_URL is set instead "
        "of testing the embedded sandbox (default: MYPREF_TARGET, else whatever is configured)",
    )
    p.add_argument(
        "--allow-production",
        action="store_true",
        help="allow traffic to the vendor's production host (refused otherwise, before anything is sent)",
    )


def add_sandbox_defect_option(p: OptionContainer) -> None:
    p.add_argument(
        "--sandbox-defect",
        action="append",
        default=[],
        metavar="NAME",
        help="embedded sandbox only: start it with this seeded defect (repeatable; "
        "see `mypref-harness sandbox --list-defects`)",
    )


def add_profile_option(p: OptionContainer) -> None:
    """``--profile FILE`` for gate, contract and auth-conformance (default: ``profile`` of mypref.toml)."""
    p.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="TOML",
        help="a pinned target profile (from `mypref-harness discover`): re-measure every fact and report "
        "each drift as a finding (default: profile in mypref.toml / MYPREF_PROFILE)",
    )


def add_verdict_options(
    p: argparse.ArgumentParser, *, strict_help: str, lenient_help: str, policy_help: str
) -> None:
    """--strict / --lenient (args.strict: True, False, or None for the target's default) and --policy FILE.

    The help texts are the command's own: what "strict" adds differs (undeclared response fields are
    a contract matter) and so do the check names a policy file may use.
    """
    strictness = p.add_mutually_exclusive_group()
    strictness.add_argument("--strict", dest="strict", action="store_true", default=None, help=strict_help)
    strictness.add_argument("--lenient", dest="strict", action="store_false", help=lenient_help)
    p.add_argument("--policy", type=Path, default=None, metavar="FILE", help=policy_help)


def add_missing_roles_option(p: OptionContainer) -> None:
    p.add_argument(
        "--allow-missing-roles",
        action="store_true",
        help="a scenario whose operation role does not resolve in the spec is skipped, not a finding "
        "(see `spec roles`; map roles in mypref.toml [operations])",
    )


def add_budget_options(p: OptionContainer, *, rate_help: str) -> None:
    """--rate-limit, --budget-requests and --budget-time (gate and contract; mypref_harness.budget)."""
    p.add_argument("--rate-limit", default=None, metavar="RATE", help=rate_help)
    p.add_argument(
        "--budget-requests",
        type=int,
        default=None,
        metavar="N",
        help="send at most about N requests in all, spent by value: examples and one positive case per "
        "operation, then deduplicated boundary/negative cases, then fuzzing (gate default: 5000 on a "
        "configured target, none on the embedded sandbox; contract default: none; 0 = no limit)",
    )
    p.add_argument(
        "--budget-time",
        default=None,
        metavar="DURATION",
        help="finish within this time, e.g. 5m or 90s (gate default: 5m on a configured target, none on "
        "the embedded sandbox; contract default: none; 0 = no limit)",
    )


def budget_from_args(args: argparse.Namespace) -> tuple[str | None, int | None, float | None]:
    """(rate limit, request budget, seconds) from the budget options; a bad value is a usage error."""
    from mypref_harness.budget import rate_of
    from mypref_harness.load.shapes import parse_duration

    if args.rate_limit is not None:
        try:
            rate_of(args.rate_limit)
        except ValueError as exc:
            raise ConfigError(f"--rate-limit: {exc}") from None
    if args.budget_requests is not None and args.budget_requests < 0:
        raise ConfigError("--budget-requests must be 0 (no limit) or more")
    seconds = None
    if args.budget_time is not None:
        seconds = 0.0 if args.budget_time.strip() in ("0", "0s") else parse_duration(args.budget_time)
    return args.rate_limit, args.budget_requests, seconds


def load_policy_file(path: Path, *, strict: bool = False) -> VerdictPolicy:
    """A --policy file, its problems as ConfigError (exit 2) before anything runs."""
    try:
        return VerdictPolicy.load(path, strict=strict)
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


def target_from_args(args: argparse.Namespace) -> Target:
    """The configured Target (--config, --target, --spec), refused before any traffic to production."""
    target = load_target(toml_path=args.config, kind=args.target, spec=getattr(args, "spec", None))
    guard_production(target, allow=args.allow_production)
    return _with_usable_spec(target, getattr(args, "report_dir", None))


def _with_usable_spec(target: Target, report_dir: str | Path | None) -> Target:
    """The spec checked and reconciled with the base URL before anything is sent.

    A user's spec that is not OpenAPI/Swagger is a ConfigError (exit 2); a URL spec is fetched once into
    the report folder so that every stage and report reads the same bytes. A configured target gets its
    base URL reconciled with the spec's base path and paths (spec.paths.reconcile; ConfigError when they
    disagree); the embedded sandbox's is reconciled where the sandbox's URL becomes known.
    """
    ours = Path(target.spec).resolve() == resources.spec_file().resolve()
    if ours and target.is_embedded:
        return target  # ours is validated by the test suite; the sandbox serves it as written
    if ours:
        from mypref_harness.contract.spec_document import load_spec_document  # a cached parse

        return target.with_spec(load_spec_document(target.spec))
    spec = local_copy(target.spec, Path(report_dir)) if report_dir is not None else target.spec
    document = load_spec(spec, validate=False).document
    if spec != target.spec:
        fetched = f"fetched from {target.spec} ({target.sources.get('spec', 'MYPREF_SPEC')})"
        target = dataclasses.replace(target, spec=spec, sources={**target.sources, "spec": fetched})
    return target if target.is_embedded else target.with_spec(document)


def sandbox_options(args: argparse.Namespace) -> dict[str, Any]:
    """How to start the embedded sandbox for this run (nothing when no --sandbox-defect is given)."""
    return {"defects": tuple(args.sandbox_defect)} if args.sandbox_defect else {}


def load_cli_target(args: argparse.Namespace) -> Target:
    """target_from_args, sandbox-only options refused on a configured target, and the target announced."""
    target = target_from_args(args)
    if args.sandbox_defect and not target.is_embedded:
        raise ConfigError("--sandbox-defect only applies to the embedded sandbox (MYPREF_BASE_URL is set)")
    announce_target(getattr(args, "command", None) or "mypref-harness", target)
    return target


def announce_target(command: str, target: Target) -> None:
    print(f"{command}: testing the {describe_kind(target)}", flush=True)
