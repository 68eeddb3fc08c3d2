"""``PYTHONPATH=tests python -m independent_target [--port N] [knobs]``: serve until interrupted.

Prints the MYPREF_* variables that point the harness at it (test-only credentials).
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import threading

from .options import MAIN, TargetOptions
from .server import running_target


def _options(argv: list[str] | None) -> tuple[TargetOptions, int]:
    p = argparse.ArgumentParser(prog="independent_target")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--conflict-status", type=int, choices=(400, 402), default=400)
    p.add_argument("--remove-route", action="append", default=[], metavar="OPERATION_ID")
    p.add_argument("--pnauth-window", type=int, default=900)
    p.add_argument("--user-id-encoding", choices=("form", "percent"), default="form")
    p.add_argument("--token-lifetime", type=int, default=3600)
    p.add_argument("--advertised-lifetime", type=int, default=None)
    a = p.parse_args(argv)
    options = TargetOptions(
        conflict_status=a.conflict_status,
        removed_routes=frozenset(a.remove_route),
        pnauth_window=a.pnauth_window,
        user_id_encoding=a.user_id_encoding,
        token_lifetime=a.token_lifetime,
        advertised_lifetime=a.advertised_lifetime,
    )
    return options, a.port


def main(argv: list[str] | None = None) -> None:
    options, port = _options(argv)
    with running_target(options, port) as target:
        for name, value in target_env(target.base_url, target.token_url).items():
            print(f"export {name}={shlex.quote(value)}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def target_env(base_url: str, token_url: str, auth: str = "pnauth") -> dict[str, str]:
    """The MYPREF_* variables of a configured target pointing at this server (test-only secrets)."""
    return {
        "MYPREF_BASE_URL": base_url,
        "MYPREF_CLIENT_ID": MAIN.client_id,
        "MYPREF_USER_ID": MAIN.users[0].user_id,
        "MYPREF_AUTH": auth,
        "MYPREF_API_KEY": MAIN.api_key,
        "MYPREF_TOKEN_URL": token_url,
        "MYPREF_OAUTH_CLIENT_ID": MAIN.oauth_client_id,
        "MYPREF_OAUTH_CLIENT_SECRET": MAIN.oauth_client_secret,
    }


if __name__ == "__main__":
    main()
