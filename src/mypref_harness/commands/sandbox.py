"""`mypref-harness sandbox`: run the embedded MyPreferences v4 emulator (demo credentials, loopback)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mypref_harness.sandbox.settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_PNAUTH_WINDOW,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOKEN_LIFETIME,
    SandboxSettings,
    default_state_dir,
    parse_latency,
    parse_rate,
    parse_window,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sandbox",
        help="run the embedded MyPreferences v4 sandbox (demo credentials, loopback by default)",
        description=(
            "Serve an emulator of the MyPreferences v4 API with OAuth and PNAUTHINFO3 auth. Prints the "
            "base URL, the token URL and the DEMO-ONLY credentials, then a JSON line "
            '{"event": "ready", ...} once it accepts connections. Stop it with Ctrl-C.'
        ),
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="listen address (default 127.0.0.1; loopback only unless you ask for another)",
    )
    p.add_argument("--port", type=int, default=0, help="port (default 0 = pick a free one)")
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="PATH",
        help="SQLite database file (created and seeded if new; default: a temporary one)",
    )
    p.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"where the token signing key and the demo certificate live (default {default_state_dir()})",
    )
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    p.add_argument(
        "--token-lifetime",
        type=int,
        default=None,
        metavar="S",
        help=f"access token lifetime in seconds (default {DEFAULT_TOKEN_LIFETIME})",
    )
    p.add_argument(
        "--pnauth-window",
        type=int,
        default=None,
        metavar="S",
        help=f"PNAUTHINFO3 expiry window in seconds (default {DEFAULT_PNAUTH_WINDOW})",
    )
    p.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="TOML",
        help="behave like the target of this profile (from `mypref-harness discover`) wherever a fact "
        "has a knob: naive timestamp zone, UserId encodings, window, future tolerance, basic-format "
        "timestamps, token lifetime, conflict and create status; --token-lifetime/--pnauth-window win",
    )
    p.add_argument(
        "--latency", default=None, metavar="MS[:JITTER]", help="add latency to API and token calls"
    )
    p.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="answer this fraction of API and token calls with 503 (0..1)",
    )
    p.add_argument(
        "--token-outage",
        default=None,
        metavar="START:END",
        help="token endpoint answers 503 from START to END seconds after start-up",
    )
    p.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="S",
        help="shift the server's clock by S seconds (auth checks, token times, Date header)",
    )
    p.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="turn on a named, deliberate bug (repeatable; see --list-defects)",
    )
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help=f"request body limit, larger bodies get 413 (default {DEFAULT_MAX_BODY_BYTES})",
    )
    _add_limit_options(p)
    p.add_argument(
        "--tenants-file",
        type=Path,
        default=None,
        metavar="JSON",
        help="override or add tenants (keys, users, OAuth clients, windows) from a JSON file",
    )
    p.add_argument(
        "--auth-off",
        action="store_true",
        help="BENCHMARK BASELINE ONLY: serve API requests without authentication",
    )
    p.add_argument(
        "--request-log",
        type=Path,
        default=None,
        metavar="FILE",
        help="append one JSON line per request (time, method, path, status, ms) to FILE: what a run "
        "sent, counted at the server (docs/time-to-verdict.md)",
    )
    p.add_argument("--list-defects", action="store_true", help="list the defect names and exit")
    p.add_argument(
        "--show-credentials",
        action="store_true",
        help="print the URLs and demo credentials as one JSON object and exit",
    )
    p.set_defaults(func=run)


def _add_limit_options(p: argparse.ArgumentParser) -> None:
    """Limits against hostile clients and the --rate-limit fault (docs/sandbox.md, "Limits")."""
    p.add_argument(
        "--rate-limit",
        default=None,
        metavar="N/s",
        help="admit N API and token requests per second per worker, answer the rest 429 with Retry-After",
    )
    p.add_argument(
        "--read-timeout",
        type=float,
        default=DEFAULT_READ_TIMEOUT,
        metavar="S",
        help=f"close a connection whose request is not in after S s (default {DEFAULT_READ_TIMEOUT:g})",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help=f"open connections per worker, idle ones are closed first (default {DEFAULT_MAX_CONNECTIONS})",
    )
    p.add_argument(
        "--max-header-bytes",
        type=int,
        default=DEFAULT_MAX_HEADER_BYTES,
        metavar="N",
        help=f"request line + headers limit, larger get 431 (default {DEFAULT_MAX_HEADER_BYTES})",
    )


def settings_from_args(args: argparse.Namespace) -> SandboxSettings:
    latency, jitter = parse_latency(args.latency) if args.latency else (0.0, 0.0)
    knobs = profile_knobs(args.profile) if getattr(args, "profile", None) else {}
    for knob, value in (("token_lifetime", args.token_lifetime), ("pnauth_window", args.pnauth_window)):
        if value is not None:
            knobs[knob] = value
    knobs.setdefault("token_lifetime", DEFAULT_TOKEN_LIFETIME)
    knobs.setdefault("pnauth_window", DEFAULT_PNAUTH_WINDOW)
    return SandboxSettings(
        host=args.host,
        port=args.port,
        db_path=args.db,
        state_dir=args.state_dir or default_state_dir(),
        workers=args.workers,
        latency_ms=latency,
        latency_jitter_ms=jitter,
        error_rate=args.error_rate,
        token_outage=parse_window(args.token_outage) if args.token_outage else None,
        clock_offset=args.clock_offset,
        defects=frozenset(args.defect),
        max_body_bytes=args.max_body_bytes,
        tenants_file=args.tenants_file,
        auth_off=args.auth_off,
        rate_limit=parse_rate(args.rate_limit) if args.rate_limit else 0.0,
        read_timeout=args.read_timeout,
        max_connections=args.max_connections,
        max_header_bytes=args.max_header_bytes,
        request_log=args.request_log,
        **knobs,
    )


def profile_knobs(path: Path) -> dict[str, Any]:
    """The SandboxSettings fields of a target profile; the facts without a knob go to stderr."""
    from mypref_harness.profile import load_profile, sandbox_knobs

    knobs, notes = sandbox_knobs(load_profile(path))
    for note in notes:
        print(f"sandbox: profile {path.name}: {note}", file=sys.stderr)
    return knobs


def run(args: argparse.Namespace) -> int:
    if args.list_defects:
        from mypref_harness.sandbox.defects import format_defect_list

        print(format_defect_list())
        return 0
    settings = settings_from_args(args)
    if args.show_credentials:
        from mypref_harness.sandbox.certs import ensure_demo_certificate
        from mypref_harness.sandbox.tenants import build_tenants, credentials_document

        cert, _ = ensure_demo_certificate(settings.state_dir)
        print(json.dumps(credentials_document(settings, build_tenants(settings, cert), cert)))
        return 0
    from mypref_harness.sandbox.server import serve

    return serve(settings)
