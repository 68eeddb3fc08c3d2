"""Exit codes and the error types that carry them.

Exit codes are part of the interface: CI systems branch on them (README.md has the table).
A run stopped by a signal exits with 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM),
as shells do; its reports are written as far as they got and marked incomplete.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FINDINGS = 1  # the target broke its contract, an SLO, or a vector mismatched
    USAGE = 2  # bad arguments, configuration or input files
    UNREACHABLE = 3  # the target (or its token endpoint) could not be reached
    # The run ran out of time (--timeout, or Locust outliving its run time) before a verdict: neither
    # a finding nor a usage error. Its reports are partial and marked incomplete; rerun with more time.
    INCOMPLETE = 4


class HarnessError(Exception):
    """An expected failure: printed as one line, never as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class ConfigError(HarnessError):
    exit_code = ExitCode.USAGE


class TargetUnreachable(HarnessError):
    exit_code = ExitCode.UNREACHABLE


class RunIncomplete(HarnessError):
    """The run did not finish in its time limit: no verdict, partial reports."""

    exit_code = ExitCode.INCOMPLETE
