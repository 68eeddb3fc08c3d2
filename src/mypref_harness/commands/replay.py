"""`mypref-harness replay CASE.json`: re-send one failing request of a contract run, signed afresh.

The case file (reports/contract/cases/<id>.json, written by the contract run) holds the method, the
URL below the base URL, the headers other than Authorization and the exact body. The request goes to
the configured target (or to an embedded sandbox started with the defects the run used), carries a
fresh Authorization from the configured credentials, and the status and the first lines of the body
are printed next to what the run saw. Exit 0 when the status is the recorded one, 1 when it differs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from pathlib import Path
from typing import Any

from mypref_harness.commands.options import add_config_option, add_guard_options, target_from_args
from mypref_harness.errors import ConfigError, ExitCode

BODY_LINES = 12


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "replay",
        help="re-send a failing request of a contract run (a case file), signed afresh",
        description="Re-sends reports/contract/cases/<id>.json to the configured target (or to an embedded "
        "sandbox started with the run's defects) with a fresh Authorization, and prints the status and "
        "the first lines of the body. Exit 0 when the recorded status comes back, 1 when it differs.",
    )
    p.add_argument("case", type=Path, help="a case file, e.g. reports/contract/cases/0cXSDM.json")
    add_config_option(p)
    p.add_argument("--timeout", type=float, default=15.0, metavar="S", help="request timeout (default 15 s)")
    add_guard_options(p)
    p.set_defaults(func=run)


def load_case(path: Path) -> Any:
    from mypref_harness.contract.cases import ReplayCase

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read case file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"{path} is not a case file (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or not {"method", "url", "path"} <= data.keys():
        raise ConfigError(f"{path} is not a case file (method, url and path expected)")
    return ReplayCase.from_json(data)


def run(args: argparse.Namespace) -> int:
    from mypref_harness.config import describe_kind
    from mypref_harness.embedded import resolved_target

    case = load_case(args.case)
    target = target_from_args(args)
    if target.is_embedded and case.sandbox is None:
        raise ConfigError(
            f"case {case.id} was recorded against {case.url}: configure that target "
            "(MYPREF_BASE_URL and credentials) to replay it"
        )
    sandbox_options: dict[str, Any] = {}
    if case.sandbox:  # recorded on the embedded sandbox: start one with the same defects
        sandbox_options["defects"] = tuple(case.sandbox.get("defects") or ())
    with resolved_target(target, **sandbox_options) as live:
        print(
            f"replay: testing the {describe_kind(live)}"
            + (
                f" (defects: {', '.join(sandbox_options['defects'])})"
                if sandbox_options.get("defects")
                else ""
            )
        )
        status, reason, body = send(live, case, timeout=args.timeout)
    recorded = f"{case.status} {case.reason}".strip() if case.status is not None else "unknown"
    print(f"recorded: {recorded}" + (f"  ({'; '.join(case.failures)})" if case.failures else ""))
    print(f"now:      {status} {reason}")
    for line in body_lines(body, live.secrets()):
        print(f"  {line}")
    same = case.status is None or status == case.status
    print("REPRODUCED" if same else "NOT REPRODUCED: the status differs")
    return int(ExitCode.OK if same else ExitCode.FINDINGS)


def replay_url(case: Any, base_url: str) -> str:
    """The case's path on this run's base URL (a recorded URL outside any base URL is sent as it is)."""
    if case.path.startswith(("http://", "https://")):
        return str(case.path)
    from mypref_harness.spec.paths import join

    return join(base_url, case.path)


def send(target: Any, case: Any, *, timeout: float) -> tuple[int, str, str]:
    import httpx

    from mypref_harness.auth.clock import signing_offset_for
    from mypref_harness.credentials import auth_for
    from mypref_harness.preflight import measure_clock_skew

    url = replay_url(case, target.base_url or "")
    auth = (
        auth_for(target, clock_offset=signing_offset_for(measure_clock_skew(target))) if case.signed else None
    )
    content = case.body.encode("utf-8", "surrogatepass") if case.body is not None else None
    print(
        f"{case.method} {url}" + (" (signed afresh)" if case.signed else " (no Authorization, as recorded)")
    )
    with httpx.Client(auth=auth, timeout=timeout) as client:
        try:
            response = client.request(case.method, url, headers=case.headers, content=content)
        except httpx.TransportError as exc:
            from mypref_harness.errors import TargetUnreachable

            raise TargetUnreachable(f"{url}: {type(exc).__name__}: {exc}") from None
    return response.status_code, response.reason_phrase, response.text


def body_lines(body: str, secrets: list[str], limit: int = BODY_LINES) -> list[str]:
    """The first lines of the body (JSON pretty-printed), with the target's secrets redacted."""
    from mypref_harness.report import redact

    text = body
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    lines = redact(text, secrets).splitlines()
    return lines[:limit] + ([f"... ({len(lines) - limit} more lines)"] if len(lines) > limit else [])
