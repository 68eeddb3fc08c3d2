"""`mypref-harness vectors verify|check-cmd|generate`: the PNAUTHINFO3 vector corpus."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from mypref_harness import vectors
from mypref_harness.errors import ConfigError, ExitCode

DEFAULT_DIR = "auth_vectors"  # shown in help; resolved by vectors.default_corpus_dir()
GENERATOR = "make_vectors.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "vectors",
        help="verify the PNAUTHINFO3 vector corpus, or check a signer",
        description="The PNAUTHINFO3 vector corpus (format: auth_vectors/README.md).",
    )
    sub = parser.add_subparsers(dest="vectors_command", metavar="SUBCOMMAND")

    verify = sub.add_parser(
        "verify", help="run the corpus against our signer and verifier (exit 1 on mismatch)"
    )
    verify.add_argument(
        "directory", nargs="?", default=None, help=f"vector directory or file (default {DEFAULT_DIR})"
    )
    verify.add_argument(
        "--all", action="store_true", help="print a row for every vector, not only mismatches"
    )
    verify.set_defaults(func=run_verify)

    check = sub.add_parser(
        "check-cmd",
        help="run another signer once per positive vector and compare stages",
        description="Runs CMD once per positive vector with the inputs as JSON on stdin; "
        "CMD prints the header, the bare signature, or a JSON object with message/"
        "signature/header. Each mismatch is reported with the stage that differs.",
    )
    check.add_argument("--dir", default=None, help=f"vector directory or file (default {DEFAULT_DIR})")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per run (default 10)")
    check.add_argument("--all", action="store_true", help="print a row for every vector")
    check.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    check.set_defaults(func=run_check)

    gen = sub.add_parser(
        "generate",
        help="(re)compute the corpus with the independent generator (openssl, date)",
        description=f"Runs DIR/{GENERATOR}, which computes every expectation with the openssl "
        "and GNU date command lines, never with mypref_harness.",
    )
    gen.add_argument("directory", nargs="?", default=None, help=f"corpus directory (default {DEFAULT_DIR})")
    gen.add_argument("--out", help="write here instead of DIR")
    gen.add_argument("--add", metavar="FILE", help="append one new valid case to FILE (e.g. custom.json)")
    gen.add_argument(
        "--case", help='the case as JSON, e.g. \'{"userId": "Rick Sanchez", "encoding": "percent"}\''
    )
    gen.set_defaults(func=run_generate)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return int(ExitCode.USAGE)


def _finish(report: vectors.CorpusReport, every_vector: bool) -> int:
    print(report.render_table(every_vector=every_vector))
    return int(ExitCode.OK if report.ok else ExitCode.FINDINGS)


def _directory(given: str | None) -> str | Path:
    return given if given is not None else vectors.default_corpus_dir()


def run_verify(args: argparse.Namespace) -> int:
    return _finish(vectors.verify_corpus(_directory(args.directory)), args.all)


def run_check(args: argparse.Namespace) -> int:
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise ConfigError("check-cmd needs a signer command: vectors check-cmd -- CMD ARGS...")
    report = vectors.check_command(cmd, _directory(args.dir), timeout=args.timeout)
    return _finish(report, args.all)


def run_generate(args: argparse.Namespace) -> int:
    directory = Path(_directory(args.directory))
    script = directory / GENERATOR
    if not script.is_file():
        raise ConfigError(f"{script}: generator not found")
    command = [sys.executable, str(script), "--out", str(args.out or directory)]
    if args.add:
        if not args.case:
            raise ConfigError("--add needs --case JSON")
        command += ["--add", args.add, "--case", args.case]
    elif args.case:
        raise ConfigError("--case needs --add FILE")
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise ConfigError(f"{script}: {last}")
    return 0
