"""`run_contract`: the Schemathesis conformance run against a Target, plus auth conformance.

Schemathesis runs as a subprocess (``schemathesis --config-file <run toml> run <spec> --url ...``)
with contracts/hooks.py: that keeps the harness process free of Schemathesis's global registries and
of requests/gevent import-order trouble, and costs next to nothing. The target (secrets included)
reaches the hooks through the subprocess environment (``MYPREF_*``); files get no secrets. The
NDJSON event stream and the JSON report are parsed into a ContractResult; every artifact is then
redacted in place and scanned for secrets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness import config, procs
from mypref_harness.basis import PolicyError, VerdictPolicy
from mypref_harness.config import Target, check_reachable, is_loopback, resolved_target
from mypref_harness.contract import reporting
from mypref_harness.contract.checks import CUSTOM_CHECK_NAMES
from mypref_harness.contract.results import CheckRecord, CheckTally, ContractResult
from mypref_harness.contract.routes import (
    ENV_ROUTE_LOG,
    ROUTE_CHECK,
    ScenarioRouteRecorder,
    bare_get_probes,
    read_route_log,
    route_findings,
    route_table,
    search_probes,
    send_bare_gets,
    send_known_searches,
)
from mypref_harness.contract.schemathesis.auth import ENV_CLOCK_OFFSET
from mypref_harness.contract.schemathesis.config import (
    client_id_parameter_names,
    dump_toml,
    load_base_config,
    repo_contracts_dir,
    run_config,
    state_conflict_overrides,
)
from mypref_harness.contract.schemathesis.progress import ENV_PROGRESS
from mypref_harness.contract.schemathesis.results import apply_json_report, parse_ndjson, parse_reports
from mypref_harness.contract.schemathesis.spec_transform import (
    drop_free_form_query_objects,
    lenient_spec,
    select_operations,
    unconstrain_path_parameters,
)
from mypref_harness.contract.verdicts import is_our_spec, judge_contract, load_policy, with_basis
from mypref_harness.errors import ConfigError, RunIncomplete

ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_REPORT_DIR = Path("reports/contract")
DEFAULT_REMOTE_RATE_LIMIT = "20/s"
ROUTE_LOG_NAME = "route-evidence.json"
# written by the subprocess's hooks while it runs (contract/schemathesis/progress.py)
PROGRESS_NAME = "progress.json"
PROGRESS_EVERY_S = 2.0
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_OPERATION_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass
class ContractOptions:
    max_examples: int = 20
    seed: int | None = None
    operations: Sequence[str] = ()  # operationIds or regexes over "METHOD /path"
    exclude_operations: Sequence[str] = ()
    phases: Sequence[str] = ALL_PHASES
    mode: str = "all"  # positive | negative | all
    # "Our assumptions are the truth": undeclared response fields fail AND every finding fails whatever
    # its basis (contract/verdicts.py). None: strict on the embedded sandbox, lenient on real targets.
    strict: bool | None = None
    policy_file: Path | None = None  # --policy: promote/demote checks by name (basis.VerdictPolicy.load)
    report_dir: Path = DEFAULT_REPORT_DIR
    workers: int = 1  # more workers were slower on 2 cores (tooling notes)
    checks: Sequence[str] = ()  # empty: every enabled check
    exclude_checks: Sequence[str] = ()
    auth_conformance: bool = True
    scenarios: bool = True  # package-level read-back scenarios (update, PUT, history, lost update)
    scenario_updates: int = 100
    html: bool = False  # Schemathesis's own HTML report
    rate_limit: str | None = None  # None: unlimited on loopback, DEFAULT_REMOTE_RATE_LIMIT elsewhere
    unexpected_methods: bool | None = None  # None: on for loopback targets only
    timeout_s: float = 1800.0
    slow: bool = False  # let auth conformance wait for token expiry
    sandbox_options: Mapping[str, Any] = field(default_factory=dict)
    config_file: Path | None = None  # static Schemathesis config; default contracts/schemathesis.toml
    quiet: bool = True  # do not stream Schemathesis's terminal output
    # Schemathesis's NDJSON event stream is parsed, then deleted: it is large (64 MB for a full-spec run
    # with -n 5) and scrubbing + scanning it costs ~80 s. Keep it (scrubbed) for debugging.
    keep_events: bool = False


# --- spec --------------------------------------------------------------------------------------


def load_spec_document(spec: str) -> dict[str, Any]:
    """Load and validate an OpenAPI 3.x / Swagger 2.0 document (path or URL); ConfigError otherwise.

    The bundled spec is not validated again here (tests/spec validate it; it costs ~1 s per run);
    any other spec is validated before anything runs.
    """
    from mypref_harness.config import default_spec_path
    from mypref_harness.spec import load_spec

    is_url = re.match(r"^https?://", spec) is not None
    bundled = not is_url and Path(spec).resolve() == default_spec_path().resolve()
    cached = None if is_url else _parsed_spec_cache(Path(spec))
    if cached is not None and cached.is_file():
        document = json.loads(cached.read_text(encoding="utf-8"))
    else:
        document = load_spec(spec, validate=not bundled).document
        if cached is not None:
            with contextlib.suppress(OSError):
                cached.write_text(json.dumps(document), encoding="utf-8")
    if not isinstance(document.get("paths"), dict) or not document["paths"]:
        raise ConfigError(f"spec {spec}: the document has no paths")
    return document


def _parsed_spec_cache(path: Path) -> Path | None:
    """Where a local spec's parsed (and validated) form is kept: YAML parsing costs ~0.4 s per run.

    Keyed by the file's absolute path, size and mtime, so an edited spec is parsed (and validated) again.
    """
    try:
        stat = path.resolve().stat()
    except OSError:
        return None  # load_spec reports the missing file
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:32]
    folder = hypothesis_storage().parent / "parsed-specs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"{key}.json"


def operation_names(document: Mapping[str, Any]) -> dict[str, str]:
    """operationId (or "METHOD /path" when missing) -> Schemathesis label "METHOD /path"."""
    names: dict[str, str] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in _HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                label = f"{method.upper()} {path}"
                names[str(op.get("operationId") or label)] = label
    return names


def operations_regex(selectors: Sequence[str], document: Mapping[str, Any]) -> str | None:
    """One regex over operation labels for --operations: operationIds become exact labels."""
    if not selectors:
        return None
    names = operation_names(document)
    parts: list[str] = []
    for selector in selectors:
        for item in (s.strip() for s in selector.split(",")):
            if not item:
                continue
            if _OPERATION_ID.match(item) and item in names:
                parts.append("^" + re.escape(names[item]) + "$")
                continue
            try:
                re.compile(item)
            except re.error as exc:
                raise ConfigError(
                    f"--operations {item!r}: not an operationId and not a valid regex ({exc})"
                ) from None
            parts.append(item)
    if not parts:
        return None
    combined = "|".join(f"(?:{p})" for p in parts)
    labels = list(names.values())
    if not any(re.search(combined, label) for label in labels):
        raise ConfigError(f"--operations {', '.join(selectors)}: matches no operation of the spec")
    return combined


# --- environment for the Schemathesis subprocess ----------------------------------------------


def target_env(target: Target, clock_offset: float = 0.0) -> dict[str, str]:
    """MYPREF_* variables describing the resolved target (secrets included: environment only)."""
    env = config.target_env(target)
    env[ENV_CLOCK_OFFSET] = f"{clock_offset:.3f}"
    return env


# Schemathesis 4.x built-in checks that apply to OpenAPI (object_level_authorization is off in
# contracts/schemathesis.toml; max_response_time only runs when configured).
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)


def enabled_checks(target: Target, options: ContractOptions) -> list[str]:
    """The checks a run executes (for the checks table when only the JSON/JUnit reports are read)."""
    names = list(options.checks) if options.checks else [*BUILTIN_CHECKS, *CUSTOM_CHECK_NAMES]
    local = is_loopback(target.base_url) if options.unexpected_methods is None else options.unexpected_methods
    excluded = set(options.exclude_checks) | (set() if local else {"unsupported_method"})
    return [n for n in names if n not in excluded]


def hypothesis_storage() -> Path:
    """A persistent per-user directory for Hypothesis's caches ($XDG_CACHE_HOME/mypref-harness)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "mypref-harness" / "hypothesis"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / "mypref-harness-hypothesis"
        path.mkdir(parents=True, exist_ok=True)
    return path


def schemathesis_command() -> list[str]:
    exe = Path(sys.executable).with_name("schemathesis")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "schemathesis.cli"]


def hooks_file(report_dir: Path) -> Path:
    contracts = repo_contracts_dir()
    if contracts is not None:
        return contracts / "hooks.py"
    # Installed without the source tree: write the same two-line hooks module next to the reports.
    path = report_dir / "hooks.py"
    hooks = "from mypref_harness.contract.schemathesis.hooks import install\n\ninstall()\n"
    path.write_text(hooks, encoding="utf-8")
    return path


@dataclass
class PreparedRun:
    command: list[str]
    env: dict[str, str]
    config_path: Path
    spec_path: Path
    ndjson_path: Path
    json_path: Path
    output_path: Path
    junit_path: Path
    strict: bool
    relaxed: int = 0
    route_log: Path = Path(ROUTE_LOG_NAME)


def prepare_run(
    target: Target, options: ContractOptions, document: Mapping[str, Any], clock_offset: float = 0.0
) -> PreparedRun:
    """Write the run's toml (and the lenient spec when needed) and build the command line."""
    assert target.base_url and target.client_id
    report_dir = Path(options.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    local = is_loopback(target.base_url)
    strict = load_policy(options.policy_file, strict=options.strict, is_sandbox=target.is_sandbox).strict
    pinned = client_id_parameter_names(document)
    include = operations_regex(options.operations, document)
    exclude = operations_regex(options.exclude_operations, document)
    spec_doc = dict(document)
    if include or exclude:  # first: the copies below are then of a small document
        spec_doc, _ = select_operations(
            spec_doc,
            lambda label: (
                (not include or re.search(include, label) is not None)
                and (not exclude or re.search(exclude, label) is None)
            ),
        )
    spec_doc, relaxed = (spec_doc, 0) if strict else lenient_spec(spec_doc)
    spec_doc, _ = unconstrain_path_parameters(spec_doc, set(pinned))
    spec_doc, _ = drop_free_form_query_objects(spec_doc)
    spec_path = report_dir / ("spec-run.json" if strict else "spec-run-lenient.json")
    spec_path.write_text(json.dumps(spec_doc, indent=1), encoding="utf-8")
    base = load_base_config(
        options.config_file or ((repo_contracts_dir() or Path("contracts")) / "schemathesis.toml")
    )
    rate_limit = (
        options.rate_limit
        if options.rate_limit is not None
        else (None if local else DEFAULT_REMOTE_RATE_LIMIT)
    )
    config = run_config(
        base,
        hooks_path=hooks_file(report_dir),
        base_url=target.base_url,
        client_id=target.client_id,
        client_id_params=pinned,
        max_examples=options.max_examples,
        seed=options.seed,
        phases=options.phases,
        local_target=local if options.unexpected_methods is None else options.unexpected_methods,
        rate_limit=rate_limit,
        workers=options.workers,
        # A configured target may answer a state conflict with 400, 402 or 409 (schemathesis/config.py); the
        # embedded sandbox keeps whatever it answers strict.
        operations=None if target.is_sandbox else state_conflict_overrides(base, spec_doc),
    )
    config.setdefault("generation", {})["mode"] = options.mode
    config_path = report_dir / "schemathesis-run.toml"
    config_path.write_text(
        "# Generated by mypref-harness contract for this run; no secrets in here.\n" + dump_toml(config),
        encoding="utf-8",
    )
    ndjson_path, json_path = report_dir / "schemathesis-events.ndjson", report_dir / "schemathesis-run.json"
    # NDJSON only on request: its writer made coverage-heavy runs ~3x slower (see schemathesis/results.py).
    formats = (
        ["junit", "json"] + (["ndjson"] if options.keep_events else []) + (["html"] if options.html else [])
    )
    command = [
        *schemathesis_command(),
        "--no-color",
        "--config-file",
        str(config_path),
        "run",
        str(spec_path),
        "--url",
        target.base_url,
        "--report",
        ",".join(formats),
        "--report-dir",
        str(report_dir),
        "--report-junit-path",
        str(report_dir / "schemathesis-junit.xml"),
        "--report-json-path",
        str(json_path),
    ]
    if options.keep_events:  # a --report-ndjson-path alone already switches the (slow) NDJSON writer on
        command += ["--report-ndjson-path", str(ndjson_path)]
    if options.html:
        command += ["--report-html-path", str(report_dir / "schemathesis-html")]
    if include:
        command += ["--include-name-regex", include]
    if exclude:
        command += ["--exclude-name-regex", exclude]
    if options.checks:
        command += ["--checks", ",".join(options.checks)]
    if options.exclude_checks:
        command += ["--exclude-checks", ",".join(options.exclude_checks)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPREF_", "SCHEMATHESIS_HOOKS"))}
    env.update(target_env(target, clock_offset))
    env["PYTHONIOENCODING"] = "utf-8"
    progress_path = report_dir / PROGRESS_NAME  # cases so far, for the live progress line
    progress_path.unlink(missing_ok=True)
    env[ENV_PROGRESS] = str(progress_path)
    route_log = report_dir / ROUTE_LOG_NAME  # positive answers per operation (contract/routes.py)
    route_log.unlink(missing_ok=True)
    env[ENV_ROUTE_LOG] = str(route_log)
    # Hypothesis caches what it extracts from the code base in its storage directory; a fresh one per
    # run (our scratch cwd) made every run ~3 s slower. Its example database stays off (toml).
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(hypothesis_storage()))
    return PreparedRun(
        command,
        env,
        config_path,
        spec_path,
        ndjson_path,
        json_path,
        report_dir / "schemathesis-output.txt",
        report_dir / "schemathesis-junit.xml",
        strict,
        relaxed,
        route_log,
    )


def run_schemathesis(
    prepared: PreparedRun, *, timeout_s: float, cwd: Path, quiet: bool = True
) -> tuple[int, float]:
    """Run the subprocess in its own process group (procs: stopped as a group on timeout or signal)."""
    started = time.perf_counter()
    with prepared.output_path.open("wb") as output:
        try:
            with procs.running(
                prepared.command, name="schemathesis", env=prepared.env, cwd=cwd, stdout=output,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            ) as child:
                rc = _wait_publishing(child, prepared, timeout_s, started)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: Schemathesis is stopped; say so in its reports
            mark_incomplete_reports(prepared, "Schemathesis was stopped by a signal (Ctrl-C or SIGTERM)")
            raise
        finally:  # the live progress file served its purpose: not a report
            if prepared.env.get(ENV_PROGRESS):
                Path(prepared.env[ENV_PROGRESS]).unlink(missing_ok=True)
        if rc is None:
            note = f"\n[mypref-harness] INCOMPLETE: stopped after {timeout_s:g} s (--timeout)\n"
            output.write(note.encode())
            mark_incomplete_reports(prepared, f"Schemathesis was stopped after {timeout_s:g} s (--timeout)")
            raise RunIncomplete(
                f"Schemathesis did not finish within {timeout_s:g} s and was stopped: no verdict "
                f"(partial output in {prepared.output_path}, its reports marked incomplete); raise --timeout "
                "or lower --max-examples"
            )
    if not quiet:
        sys.stdout.write(prepared.output_path.read_text(encoding="utf-8", errors="replace"))
    return rc, time.perf_counter() - started


def mark_incomplete_reports(prepared: PreparedRun, why: str) -> list[Path]:
    """After Schemathesis was killed: its JUnit and JSON reports are valid files that say so.

    A report it finished writing is kept as it is; an empty or cut one (the usual case: it writes them
    at the end) is replaced by a valid one holding only the reason. Returns the files replaced.
    """
    from xml.etree import ElementTree

    from mypref_harness import report

    replaced = []
    try:
        ElementTree.parse(prepared.junit_path)  # noqa: S314 - Schemathesis's own report
    except (OSError, ElementTree.ParseError):
        case = report.JUnitCase(name="schemathesis run", classname="contract.schemathesis",
                                error=f"INCOMPLETE: {why}; partial output in {prepared.output_path.name}")
        report.write_junit(prepared.junit_path, "schemathesis (incomplete)", [case])
        replaced.append(prepared.junit_path)
    try:
        json.loads(prepared.json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        prepared.json_path.write_text(json.dumps({"incomplete": True, "reason": why}, indent=2) + "\n",
                                      encoding="utf-8")
        replaced.append(prepared.json_path)
    return replaced


def _wait_publishing(
    child: procs.Child, prepared: PreparedRun, timeout_s: float, started: float
) -> int | None:
    """Wait for Schemathesis (None when out of time), publishing its progress every few seconds."""
    from mypref_harness import progress
    from mypref_harness.contract.schemathesis.progress import read_progress

    deadline = started + timeout_s
    progress_path = Path(prepared.env.get(ENV_PROGRESS, "")) if prepared.env.get(ENV_PROGRESS) else None
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return None
        try:
            return child.wait(timeout=min(PROGRESS_EVERY_S, remaining))
        except subprocess.TimeoutExpired:
            if progress_path is not None:
                seen = read_progress(progress_path, prepared.output_path, time.perf_counter() - started)
                if seen.cases:  # nothing to say while Schemathesis still loads the spec
                    progress.publish("contract", seen.line)


def schemathesis_error_line(output: str) -> str:
    """The most telling line of a Schemathesis usage/schema error output."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if re.search(r"error|invalid|failed to|unable|cannot", line, re.IGNORECASE) and not line.startswith(
            "━"
        ):
            detail = lines[i + 1] if i + 1 < len(lines) and len(line) < 60 else ""
            return (line + (": " + detail if detail else ""))[:300]
    return lines[-1][:300] if lines else "no output"


# --- the run -----------------------------------------------------------------------------------


@contextmanager
def _usable_target(target: Target, options: ContractOptions) -> Iterator[Target]:
    if target.is_embedded:
        with resolved_target(target, **dict(options.sandbox_options)) as resolved:
            yield resolved
    else:
        check_reachable(target)
        yield target


def run_contract(target: Target, options: ContractOptions | None = None) -> ContractResult:
    """Schemathesis conformance (+ read-back scenarios, + auth conformance) against ``target``.

    An embedded target starts the sandbox for the duration of the run. Raises ConfigError (exit 2)
    for an unloadable spec or bad options and TargetUnreachable (exit 3) before any test runs.
    """
    options = options or ContractOptions()
    unknown = set(options.phases) - set(ALL_PHASES)
    if unknown:
        raise ConfigError(f"unknown phase(s): {', '.join(sorted(unknown))} (known: {', '.join(ALL_PHASES)})")
    started = time.perf_counter()
    policy_of(options, is_sandbox=target.is_embedded)  # a bad policy file fails before anything runs
    document = load_spec_document(target.spec)
    operations_regex(options.operations, document)  # bad selectors fail before a sandbox is started
    operations_regex(options.exclude_operations, document)
    with _usable_target(target, options) as resolved:
        return _run_resolved(resolved, options, document, started)


def policy_of(options: ContractOptions, *, is_sandbox: bool) -> VerdictPolicy:
    """The run's verdict policy; a policy file that cannot be used is a configuration error (exit 2)."""
    try:
        return load_policy(options.policy_file, strict=options.strict, is_sandbox=is_sandbox)
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


def _run_resolved(
    target: Target, options: ContractOptions, document: Mapping[str, Any], started: float
) -> ContractResult:
    from mypref_harness.auth.clock import AHEAD_THRESHOLD, signing_offset_for
    from mypref_harness.contract.probes import measure_clock_skew, preflight

    report_dir = Path(options.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    result = ContractResult(target=target.base_url or "?", seed=options.seed)
    skew = measure_clock_skew(target)
    offset = signing_offset_for(skew)
    if skew is not None and skew > AHEAD_THRESHOLD:
        result.warnings.append(
            f"local clock runs {skew:.0f} s ahead of the target's Date header: "
            f"signing {-offset:.0f} s in the past"
        )
    preflight(target, offset)
    prepared = prepare_run(target, options, document, clock_offset=offset)
    result.strict = prepared.strict
    # The subprocess runs in a scratch directory: Schemathesis leaves .hypothesis/ and .schemathesis/ behind.
    with procs.temp_dir("mypref-contract-") as scratch:
        rc, elapsed = run_schemathesis(
            prepared, timeout_s=options.timeout_s, cwd=scratch, quiet=options.quiet
        )
    result.schemathesis_exit_code = rc
    result.schemathesis_elapsed_s = result.subprocess_elapsed_s = elapsed
    secrets = target.secrets()
    if rc not in (0, 1) or not prepared.json_path.is_file():
        output = reporting.redact_text(
            prepared.output_path.read_text(encoding="utf-8", errors="replace"), secrets
        )
        prepared.output_path.write_text(output, encoding="utf-8")
        raise ConfigError(
            f"Schemathesis could not run (exit {rc}): {schemathesis_error_line(output)}; "
            f"see {prepared.output_path}"
        )
    redact = lambda text: reporting.redact_text(text, secrets)  # noqa: E731
    if options.keep_events and prepared.ndjson_path.is_file():
        parsed = parse_ndjson(prepared.ndjson_path, redact)  # exact per-check run counts
        apply_json_report(parsed, prepared.json_path)
    else:
        parsed = parse_reports(
            prepared.json_path, prepared.junit_path, enabled_checks(target, options), redact
        )
    users_spec = not is_our_spec(target.spec)
    result.findings = with_basis(parsed.findings, document, users_spec=users_spec)
    result.findings = _with_case_files(result.findings, target, options, prepared, redact)
    result.tallies = parsed.tallies
    result.cases = parsed.cases
    result.operations_selected = parsed.operations_selected
    result.operations_tested = parsed.operations_tested
    result.errors = parsed.errors + ([parsed.fatal] if parsed.fatal else [])
    result.warnings += parsed.warnings
    if parsed.running_time:
        result.schemathesis_elapsed_s = parsed.running_time
    if options.seed is None:
        result.seed = _seed_of(prepared.json_path)
    policy = policy_of(options, is_sandbox=target.is_sandbox)
    scenario_routes = ScenarioRouteRecorder(document, target.base_url or "")
    if options.scenarios:
        result.scenarios = _run_scenarios(target, document, options, offset, scenario_routes)
    _add_route_table(
        result, target, document, options, prepared, scenario_routes, users_spec=users_spec, offset=offset
    )
    if options.auth_conformance:
        from mypref_harness.contract.auth_conformance import ConformanceOptions, run_auth_conformance

        result.conformance = run_auth_conformance(
            target,
            ConformanceOptions(report_dir=report_dir, slow=options.slow, write_reports=False, policy=policy),
        )
    judge_contract(result, policy)
    result.elapsed_s = time.perf_counter() - started
    reporting.finish_contract_reports(result, target, report_dir)
    return result


def _with_case_files(
    findings: list[CheckRecord],
    target: Target,
    options: ContractOptions,
    prepared: PreparedRun,
    redact: Callable[[str], str],
) -> list[CheckRecord]:
    """Each failing case as reports/contract/cases/<id>.json; findings get their replay command."""
    from mypref_harness.contract.cases import CASE_DIR_NAME, cases_from_junit, with_replays, write_cases

    cases = cases_from_junit(prepared.junit_path, target.base_url or "")
    if target.is_sandbox:  # a replay starts an embedded sandbox the same way
        defects = list(dict(options.sandbox_options).get("defects") or ())
        for case in cases:
            case.sandbox = {"defects": defects}
    index = write_cases(cases, prepared.json_path.parent / CASE_DIR_NAME, redact)
    return with_replays(findings, index, cases)


def _run_scenarios(
    target: Target,
    document: Mapping[str, Any],
    options: ContractOptions,
    offset: float,
    recorder: ScenarioRouteRecorder,
) -> list[CheckRecord]:
    """The read-back scenarios, their answers also recorded as route evidence (contract/routes.py)."""
    import httpx

    from mypref_harness.credentials import auth_for
    from mypref_harness.contract.scenarios import run_scenarios

    with httpx.Client(
        auth=auth_for(target, clock_offset=offset), timeout=15.0, event_hooks={"response": [recorder]}
    ) as client:
        return run_scenarios(
            target, document, updates=options.scenario_updates, clock_offset=offset, client=client
        )


def _add_route_table(
    result: ContractResult,
    target: Target,
    document: Mapping[str, Any],
    options: ContractOptions,
    prepared: PreparedRun,
    scenario_routes: ScenarioRouteRecorder,
    *,
    users_spec: bool,
    offset: float,
) -> None:
    """The route table; on a configured target, a finding per route not found (basis: its confidence)."""
    include = operations_regex(options.operations, document)
    exclude = operations_regex(options.exclude_operations, document)
    evidence = [read_route_log(prepared.route_log), scenario_routes.evidence]
    routes = route_table(document, *evidence)
    # Undecided GETs that name no resource (one bare GET each) and searches known data can decide
    # (contract/routes.py); only on a configured target: every route exists on the embedded sandbox.
    bare = [] if target.is_sandbox else bare_get_probes(document, routes)
    searches = [] if target.is_sandbox else search_probes(document, routes)
    if bare or searches:
        import httpx

        from mypref_harness.credentials import auth_for

        base_url, client_id = target.base_url or "", target.client_id or ""
        with httpx.Client(auth=auth_for(target, clock_offset=offset), timeout=15.0) as client:
            evidence.append(send_bare_gets(bare, client, base_url, client_id))
            evidence.append(send_known_searches(searches, client, base_url, client_id, document))
        routes = route_table(document, *evidence)
    result.routes = [
        r
        for r in routes
        if (not include or re.search(include, r.label)) and not (exclude and re.search(exclude, r.label))
    ]
    if target.is_sandbox:
        return  # every route of the spec exists on the embedded sandbox: the table is information only
    missing = route_findings(result.routes, users_spec=users_spec)
    result.findings += missing
    decided = sum(1 for r in result.routes if r.state.value in ("confirmed", "not_found"))
    result.tallies.append(CheckTally(check=ROUTE_CHECK, runs=decided, failures=len(missing)))


def _seed_of(json_path: Path) -> int | None:
    try:
        seed = json.loads(json_path.read_text(encoding="utf-8")).get("seed")
    except (OSError, ValueError):
        return None
    return int(seed) if isinstance(seed, int) else None
