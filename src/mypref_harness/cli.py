"""`mypref-harness` entry point: a thin dispatcher over mypref_harness.commands.*.

Each subcommand lives in its own module under ``mypref_harness.commands`` exposing
``register(subparsers) -> None``; the module sets ``func`` on its parser via ``set_defaults``.
The function receives the parsed namespace and returns an exit code.
Modules are imported lazily so that e.g. ``sign`` never pays for importing Schemathesis.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from mypref_harness import procs
from mypref_harness.errors import ExitCode, HarnessError

# subcommand name -> module under mypref_harness.commands
COMMANDS: dict[str, str] = {
    "sign": "sign",
    "vectors": "vectors",
    "spec": "spec",
    "sandbox": "sandbox",
    "contract": "contract",
    "auth-conformance": "auth_conformance",
    "load": "load",
    "gate": "gate",
    "discover": "discover",
    "replay": "replay",
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser for ``argv``, with only the module of the command being run imported."""
    parser = argparse.ArgumentParser(
        prog="mypref-harness",
        description="Contract and load testing harness for the MyPreferences v4 API.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, module_name in COMMANDS.items():
        # Only import the module of the command being run (and all of them for --help).
        if wanted is not None and wanted in COMMANDS and name != wanted:
            subparsers.add_parser(name)
            continue
        importlib.import_module(f"mypref_harness.commands.{module_name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return ExitCode.USAGE
    # SIGTERM (a CI cancel or timeout) unwinds like Ctrl-C: children stopped, folders removed,
    # partial reports written and marked incomplete; the scope then stops whatever is left.
    try:
        with procs.command_scope():
            return int(func(args))
    except HarnessError as exc:
        print(f"mypref-harness {args.command}: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except procs.Terminated as exc:
        print(f"mypref-harness {args.command}: stopped by {signal_name(exc.signum)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mypref-harness: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): not our error. Point stdout at /dev/null so the
        # interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


if __name__ == "__main__":
    sys.exit(main())
